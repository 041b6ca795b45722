"""The audit log: writing it inside the caller's transaction, and reading it back as sentences
in the reader's language (who did what, before → after, baht, local dates), filtered and paged."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.extensions import db
from shop.i18n import channel_label, order_status_label, shipment_status_label
from shop.models import AuditEntry, Centre, Order, Product, ProductImage, Refund, Shipment, User, Variant
from shop.services.money import format_baht
from shop.services.thai import format_date

PER_PAGE = 50


def record(actor: User | None, action: str, obj: Any = None, *, centre_id: int | None = None,
           before: dict | None = None, after: dict | None = None) -> None:
    db.session.add(
        AuditEntry(
            user_id=actor.id if actor else None,
            centre_id=centre_id if centre_id is not None else getattr(obj, "centre_id", None),
            action=action,
            object_type=type(obj).__name__.lower() if obj is not None else "",
            object_id=getattr(obj, "id", None),
            before=json.dumps(before, ensure_ascii=False, default=str) if before else "",
            after=json.dumps(after, ensure_ascii=False, default=str) if after else "",
        )
    )


def entries(actor: User, limit: int = 200) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if not actor.is_admin:
        stmt = stmt.where(AuditEntry.centre_id == actor.centre_id)
    return list(db.session.scalars(stmt))


# --- Reading the log ----------------------------------------------------------------------

# The kinds a reader filters by: the part of the action before the dot.
KINDS = {
    "product": _l("Products"),
    "variant": _l("Product options"),
    "image": _l("Photos"),
    "stock": _l("Stock"),
    "shipment": _l("Shipments"),
    "payment": _l("Payments"),
    "refund": _l("Refunds"),
    "sales": _l("Offline sales and baselines"),
    "settlement": _l("Settlements"),
    "commission": _l("Commission"),
    "centre": _l("Centres"),
    "staff": _l("Staff accounts"),
    "maintenance": _l("Maintenance"),
    "api": _l("API tokens"),
}

# What happened, as a sentence: %(who)s did it to %(what)s.
SENTENCES = {
    "product.create": _l("%(who)s added the product %(what)s."),
    "product.update": _l("%(who)s changed the product %(what)s."),
    "product.archive": _l("%(who)s took the product %(what)s off sale."),
    "product.restore": _l("%(who)s put the product %(what)s back on sale."),
    "variant.create": _l("%(who)s added the option %(what)s."),
    "variant.update": _l("%(who)s changed the option %(what)s."),
    "image.add": _l("%(who)s added a photo to %(what)s."),
    "image.update": _l("%(who)s changed a photo of %(what)s."),
    "image.move": _l("%(who)s moved a photo of %(what)s."),
    "image.remove": _l("%(who)s removed a photo of %(what)s."),
    "stock.receive": _l("%(who)s received stock of %(what)s."),
    "stock.adjust": _l("%(who)s adjusted the stock of %(what)s."),
    "stock.import": _l("%(who)s imported a stock count for %(what)s."),
    "shipment.packed": _l("%(who)s packed %(what)s."),
    "shipment.shipped": _l("%(who)s sent %(what)s."),
    "shipment.delivered": _l("%(who)s marked %(what)s delivered."),
    "shipment.cancelled": _l("%(who)s cancelled %(what)s."),
    "payment.confirm": _l("%(who)s confirmed the transfer for %(what)s."),
    "payment.reject": _l("%(who)s rejected the transfer for %(what)s and cancelled it."),
    "refund.create": _l("%(who)s refunded %(what)s."),
    "sales.offline": _l("%(who)s recorded an offline sale for %(what)s."),
    "sales.baseline": _l("%(who)s imported a baseline for %(what)s."),
    "settlement.payout": _l("%(who)s recorded a payout to %(what)s."),
    "settlement.close": _l("%(who)s closed a settlement period."),
    "commission.set": _l("%(who)s set the commission of %(what)s."),
    "centre.create": _l("%(who)s added the centre %(what)s."),
    "centre.update": _l("%(who)s changed the centre %(what)s."),
    "staff.create": _l("%(who)s made the staff account %(what)s."),
    "staff.enable": _l("%(who)s enabled the staff account %(what)s."),
    "staff.disable": _l("%(who)s disabled the staff account %(what)s."),
    "staff.reset_password": _l("%(who)s reset the password of %(what)s."),
    "maintenance.on": _l("%(who)s turned maintenance mode on."),
    "maintenance.off": _l("%(who)s turned maintenance mode off."),
    "api.token": _l("%(who)s made an API token."),
}

FIELD_LABELS = {
    "name_th": _l("Thai name"), "name_en": _l("English name"),
    "description_th": _l("Thai description"), "description_en": _l("English description"),
    "maker_story_th": _l("Thai makers' story"), "maker_story_en": _l("English makers' story"),
    "category_id": _l("Category"), "otop": _l("OTOP"), "otop_stars": _l("OTOP stars"), "featured": _l("Featured"),
    "sku": _l("SKU"), "price_satang": _l("Price"), "low_stock_threshold": _l("Low-stock threshold"),
    "active": _l("On sale"), "stock": _l("Stock"), "on_hand": _l("On hand"), "note": _l("Note"),
    "reason": _l("Reason"), "status": _l("Status"), "carrier": _l("Carrier"), "tracking_number": _l("Tracking number"),
    "reference": _l("Reference"), "amount_satang": _l("Amount"), "outcome": _l("Outcome"), "restock": _l("Back in stock"),
    "day": _l("Date"), "channel": _l("Channel"), "year": _l("Year"), "paid_on": _l("Paid on"),
    "from": lazy_pgettext("date range", "From"), "to": lazy_pgettext("date range", "To"), "rate_bp": _l("Commission"), "email": _l("Email"), "role": _l("Role"),
    "position": _l("Position"), "filename": _l("Photo"), "maintenance": _l("Maintenance mode"),
    "shipping_fee_satang": _l("Shipping fee"), "free_shipping_from_satang": _l("Free shipping from"),
    "contact_phone": _l("Phone"), "contact_email": _l("Email"), "contact_line": _l("LINE ID"),
}
# Stored codes, as a person names them.
VALUE_LABELS = {
    "outcome": {"paid": _l("Paid"), "revived": _l("Paid after it had expired"), "duplicate": _l("Already recorded"),
                "flagged": _l("Needs attention")},
    "reason": {"damage": _l("Damaged"), "correction": _l("Correction"), "count": _l("Stock count"),
               "sold_offline": _l("Sold offline")},
    "role": {"staff": _l("Centre staff"), "admin": _l("Association admin")},
}
# Long texts and internal details a sentence leaves out.
_HIDDEN_FIELDS = {"description_th", "description_en", "maker_story_th", "maker_story_en", "story_th", "story_en",
                  "items", "lines", "variant_id", "alt_th", "alt_en", "name"}


@dataclass(frozen=True)
class AuditLine:
    when: datetime
    sentence: str
    changes: list[tuple[str, str, str]]  # (what, before, after); before "" for a new value
    kind: str


@dataclass(frozen=True)
class AuditPage:
    lines: list[AuditLine]
    page: int
    pages: int
    total: int


def _scoped(actor: User, stmt):
    """Staff read only their own centre's entries, whatever they ask for."""
    if actor.is_admin:
        return stmt
    return stmt.where(AuditEntry.centre_id == actor.centre_id)


def _filtered(stmt, centre_id: int | None, user_id: int | None, kind: str | None):
    if centre_id is not None:
        stmt = stmt.where(AuditEntry.centre_id == centre_id)
    if user_id is not None:
        stmt = stmt.where(AuditEntry.user_id == user_id)
    if kind:
        stmt = stmt.where(AuditEntry.action.like(f"{kind}.%"))
    return stmt


def people_in_log(actor: User) -> list[User]:
    """Everyone with an entry the actor may read (for the "person" filter)."""
    ids = _scoped(actor, select(AuditEntry.user_id).where(AuditEntry.user_id.is_not(None)).distinct())
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.email)))


def read_log(actor: User, lang: str, *, centre_id: int | None = None, user_id: int | None = None,
             kind: str | None = None, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """One page of the entries the actor may read, newest first, each as a sentence in `lang`."""
    kind = kind if kind in KINDS else None
    where = _filtered(_scoped(actor, select(AuditEntry)), centre_id, user_id, kind)
    total = db.session.scalar(select(func.count()).select_from(where.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = db.session.scalars(where.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page))
    with force_locale(lang):
        lines = [describe(entry, lang) for entry in rows]
    return AuditPage(lines, page, pages, total)


def describe(entry: AuditEntry, lang: str) -> AuditLine:
    """The entry as a sentence in `lang`, with each changed value before and after."""
    who = (entry.user.name or entry.user.email) if entry.user else _("The shop")
    template = SENTENCES.get(entry.action)
    what = _object_name(entry, lang)
    if template is None:
        sentence = _("%(who)s: %(action)s %(what)s.", who=who, action=entry.action, what=what)
    else:
        sentence = str(template) % {"who": who, "what": what}
    return AuditLine(entry.created_at, sentence, _changes(entry, lang), entry.action.split(".")[0])


def _load(text: str) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _changes(entry: AuditEntry, lang: str) -> list[tuple[str, str, str]]:
    before, after = _load(entry.before), _load(entry.after)
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in _HIDDEN_FIELDS:
            continue
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        label = FIELD_LABELS.get(key)
        changes.append((str(label) if label else key.replace("_", " "), _value(key, old, entry, lang) if key in before else "",
                        _value(key, new, entry, lang) if key in after else ""))
    return changes


def _value(key: str, value: Any, entry: AuditEntry, lang: str) -> str:
    """A stored value as a person reads it: baht, a local date, a status's name, yes or no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key.endswith("_satang") and isinstance(value, int):
        return format_baht(value)
    if key == "rate_bp" and isinstance(value, int):
        return f"{value / 100:g}%"
    if key in VALUE_LABELS and isinstance(value, str):
        return str(VALUE_LABELS[key].get(value, value))
    if key == "channel" and isinstance(value, str):
        return channel_label(value)
    if key == "status":
        label = shipment_status_label(value) if entry.action.startswith("shipment.") else order_status_label(value)
        return label
    if key in {"day", "paid_on", "from", "to"} and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value[:10]), lang)
        except ValueError:
            return value
    return str(value)


def _object_name(entry: AuditEntry, lang: str) -> str:
    """What the entry is about, named as people know it (never a bare id)."""
    found: Any = None
    if entry.object_id is not None:
        model = {"product": Product, "variant": Variant, "order": Order, "shipment": Shipment, "centre": Centre,
                 "user": User, "productimage": ProductImage, "refund": Refund}.get(entry.object_type)
        found = db.session.get(model, entry.object_id) if model else None
    if isinstance(found, Product):
        return found.localised("name", lang)
    if isinstance(found, Variant):
        option = found.localised("name", lang)
        return f"{found.product.localised('name', lang)}{f' ({option})' if option else ''} · {found.sku}"
    if isinstance(found, Order):
        return _("order %(number)s", number=found.number)
    if isinstance(found, Shipment):
        return _("the parcel of order %(number)s from %(centre)s", number=found.order.number,
                 centre=found.centre.localised("name", lang))
    if isinstance(found, Refund):
        order = db.session.get(Order, found.order_id)
        return _("order %(number)s", number=order.number) if order else ""
    if isinstance(found, ProductImage):
        return found.product.localised("name", lang)
    if isinstance(found, User):
        return found.email
    if isinstance(found, Centre):
        return found.localised("name", lang)
    centre = db.session.get(Centre, entry.centre_id) if entry.centre_id else None
    return centre.localised("name", lang) if centre else ""
