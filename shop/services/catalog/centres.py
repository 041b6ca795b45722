"""The centres themselves: listing them, and association admins adding or changing one.

A centre's shipping fee and free-shipping threshold live on the centre; a new centre given
no fee gets DEFAULT_SHIPPING_FEE_BAHT from shop/config.py.
"""
from __future__ import annotations

import geothai
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.i18n import current_language
from shop.models import REGIONS, Centre, User
from shop.services import money
from shop.services.errors import DomainError
from shop.services.people import audit
from shop.text import sort_by_name

CENTRE_FIELDS = ("slug", "name_th", "name_en", "province_code", "region", "library_th", "library_en",
                 "story_th", "story_en", "address_th", "address_en", "contact_phone", "contact_email", "contact_line",
                 "shipping_fee_satang", "free_shipping_from_satang", "active")


class SlugTaken(DomainError):
    pass


class UnknownCentre(DomainError):
    message = _l("We do not know that centre.")


def centres(lang: str | None = None) -> list[Centre]:
    """Every centre, in dictionary order of its name in `lang` (the reader's language when not given)."""
    lang = lang or current_language()
    return sort_by_name(db.session.scalars(select(Centre).order_by(Centre.id)), lambda c: c.localised("name", lang), lang)


def centre(centre_id: int) -> Centre | None:
    return db.session.get(Centre, centre_id)


def default_shipping_fee() -> int:
    """The shipping fee per parcel, in satang, of a centre that was given none."""
    return int(current_app.config["DEFAULT_SHIPPING_FEE_BAHT"]) * 100


def save_centre(actor: User, data: dict, centre_id: int | None = None) -> Centre:
    """Add a centre (a tenth, or a second in a province) or change one; no code change needed.

    A shipping fee given as None (or missing for a new centre) is the configured default."""
    if not actor.is_admin:
        raise DomainError()
    data = dict(data)
    if data.get("shipping_fee_satang") is None and ("shipping_fee_satang" in data or centre_id is None):
        data["shipping_fee_satang"] = default_shipping_fee()
    for fee in ("shipping_fee_satang", "free_shipping_from_satang"):
        if data.get(fee) is not None:
            money.check_amount(data[fee], money.PRICE, allow_zero=True)  # BadAmount / AmountTooLarge
    begin_write()
    province = next((p for p in geothai.provinces() if p.code == data.get("province_code")), None)
    if province is None or data.get("region") not in REGIONS:
        raise DomainError()
    found = db.session.get(Centre, centre_id) if centre_id else Centre()
    if found is None:
        raise DomainError()
    before = {f: getattr(found, f, None) for f in CENTRE_FIELDS} if centre_id else None
    for key in CENTRE_FIELDS:
        if key in data:
            setattr(found, key, data[key])
    found.province_th, found.province_en = province.name_th, province.name_en
    db.session.add(found)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SlugTaken() from None
    audit.record(actor, "centre.update" if centre_id else "centre.create", found, centre_id=found.id,
                 before=before, after={f: getattr(found, f) for f in CENTRE_FIELDS})
    db.session.commit()
    return found
