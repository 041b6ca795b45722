"""Maker groups: the learner groups and community enterprises behind a centre's products,
each with a story and a photo in both languages. Staff keep their own centre's."""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop.extensions import begin_write, db
from shop.models import MAKER_KINDS, Centre, MakerGroup, Product, User
from shop.services.catalog.cards import ProductCard, product_cards
from shop.services.catalog.media import store_image
from shop.services.catalog.uploads import open_upload
from shop.services.errors import DomainError
from shop.services.people import audit
from shop.services.people.scope import require_centre, scoped

FIELDS = ("kind", "name_th", "name_en", "story_th", "story_en", "photo_alt_th", "photo_alt_en")


class MakerNameMissing(DomainError):
    message = _l("Please give the maker group's name in Thai.")


def maker_groups(actor: User) -> list[MakerGroup]:
    """The actor's centre's maker groups (every centre's for an admin)."""
    stmt = select(MakerGroup).options(joinedload(MakerGroup.centre)).order_by(MakerGroup.centre_id, MakerGroup.name_th)
    return list(db.session.scalars(scoped(stmt, actor, MakerGroup.centre_id)))


def maker_group_for(actor: User, group_id: int) -> MakerGroup | None:
    stmt = select(MakerGroup).where(MakerGroup.id == group_id)
    return db.session.scalar(scoped(stmt, actor, MakerGroup.centre_id))


def _slug_for(name_en: str, centre: Centre) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", (name_en or "").lower()).strip("-")[:60] or f"maker-{centre.slug}"
    slug, n = base, 1
    while db.session.scalar(select(MakerGroup.id).where(MakerGroup.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def save_maker_group(actor: User, group_id: int | None, centre_id: int | None, data: dict,
                     photo: bytes | None = None) -> MakerGroup:
    """Add (group_id None) or change a maker group of the actor's centre; a photo replaces the old one."""
    data = {k: (data.get(k) or "").strip() for k in FIELDS if k in data}
    if not data.get("name_th"):
        raise MakerNameMissing()
    if data.get("kind", "learner_group") not in MAKER_KINDS:
        raise DomainError()
    stored = store_image(current_app.config["MEDIA_FOLDER"], open_upload(photo)) if photo else None  # BadImage first
    begin_write()
    if group_id is None:
        centre_id = actor.centre_id if not actor.is_admin else centre_id
        require_centre(actor, centre_id)
        centre = db.session.get(Centre, centre_id) if centre_id else None
        if centre is None:
            db.session.rollback()
            raise DomainError()
        group = MakerGroup(centre_id=centre.id, slug=_slug_for(data.get("name_en", ""), centre))
        db.session.add(group)
        before: dict = {}
    else:
        found = maker_group_for(actor, group_id)
        if found is None:
            db.session.rollback()
            raise DomainError()
        group = found
        before = {k: getattr(group, k) for k in FIELDS}
    for key, value in data.items():
        setattr(group, key, value[:5000] if key.startswith("story") else value[:300])
    if stored is not None:
        group.photo_filename, group.photo_thumb_filename = stored.filename, stored.thumb_filename
    db.session.flush()
    audit.record(actor, "maker_group.create" if group_id is None else "maker_group.update", group,
                 before=before, after={**{k: getattr(group, k) for k in FIELDS}, "photo": group.photo_filename})
    db.session.commit()
    return group


def public_maker(slug: str) -> MakerGroup | None:
    """A maker group of an active centre, for its public page."""
    return db.session.scalar(select(MakerGroup).join(MakerGroup.centre)
                             .where(MakerGroup.slug == slug, Centre.active.is_(True))
                             .options(joinedload(MakerGroup.centre)))


def public_makers() -> list[MakerGroup]:
    return list(db.session.scalars(select(MakerGroup).join(MakerGroup.centre).where(Centre.active.is_(True))
                                   .options(joinedload(MakerGroup.centre)).order_by(Centre.id, MakerGroup.name_th)))


def products_of(group: MakerGroup) -> list[ProductCard]:
    """The cards of the group's products on sale, newest first."""
    return product_cards(where=[Product.maker_group_id == group.id, Product.status == "active"],
                         order_by=[Product.created_at.desc(), Product.id.desc()])
