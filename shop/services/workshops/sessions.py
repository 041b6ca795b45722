"""Workshop sessions: each is a variant of a workshop product, its seats the variant's stock,
so booking online reuses the shop's race-free reservation and checkout unchanged."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop.extensions import begin_write, db
from shop.models import Product, User, Variant, WorkshopSession
from shop.models._base import utcnow
from shop.services import money
from shop.services.errors import DomainError
from shop.services.ordering import inventory
from shop.services.people import audit
from shop.services.people.scope import scoped
from shop.services.thai import BANGKOK, format_date

MAX_SEATS = 1000


class NotAWorkshop(DomainError):
    message = _l("Sessions can only be added to a product whose kind is workshop.")


class SessionTimes(DomainError):
    message = _l("A session must end after it starts.")


class SessionInPast(DomainError):
    message = _l("A new session must start later than now (Bangkok time).")


class BadSeats(DomainError):
    message = _l("Please give the number of seats, from 1 to 1,000.")


class NoPlace(DomainError):
    message = _l("Please say where the session takes place (in Thai).")


def _label(day: date, start: time, end: time, lang: str) -> str:
    return f"{format_date(day, lang)} {start:%H:%M}–{end:%H:%M}"


def add_session(actor: User, product_id: int, day: date, start: time, end: time, place_th: str, place_en: str,
                seats: int, price_satang: int, now: datetime | None = None) -> WorkshopSession:
    """A new session of the actor's centre's workshop: a variant with `seats` in stock. One transaction."""
    now = now or utcnow()
    place_th, place_en = (place_th or "").strip()[:300], (place_en or "").strip()[:300]
    if not place_th:
        raise NoPlace()
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        raise BadSeats()
    money.check_amount(price_satang, money.PRICE)
    # Typed in Bangkok time, stored in UTC (SQLite would keep the wall-clock time as given).
    starts_at = datetime.combine(day, start, tzinfo=BANGKOK).astimezone(UTC)
    ends_at = datetime.combine(day, end, tzinfo=BANGKOK).astimezone(UTC)
    if ends_at <= starts_at:
        raise SessionTimes()
    if starts_at <= now:
        raise SessionInPast()
    begin_write()
    product = db.session.scalar(scoped(select(Product).where(Product.id == product_id), actor, Product.centre_id))
    if product is None:
        db.session.rollback()
        raise DomainError()
    if not product.is_workshop:
        db.session.rollback()
        raise NotAWorkshop()
    local = datetime.combine(day, start)
    sku = f"WS{product.id}-{local:%y%m%d%H%M}"
    n = 1
    while db.session.scalar(select(Variant.id).where(Variant.sku == sku)):
        n += 1
        sku = f"WS{product.id}-{local:%y%m%d%H%M}-{n}"
    position = max((v.position for v in product.variants), default=0) + 1
    variant = Variant(product_id=product.id, sku=sku, name_th=_label(day, start, end, "th"),
                      name_en=_label(day, start, end, "en"), price_satang=price_satang, stock_on_hand=0,
                      position=position, low_stock_threshold=0)
    session = WorkshopSession(starts_at=starts_at, ends_at=ends_at, place_th=place_th, place_en=place_en)
    variant.workshop_session = session
    db.session.add(variant)
    db.session.flush()
    inventory.change_on_hand(variant.id, seats, "receive", user_id=actor.id, note="workshop seats")
    audit.record(actor, "workshop.session.add", session, centre_id=product.centre_id,
                 after={"product": product.slug, "sku": sku, "starts_at": starts_at, "seats": seats,
                        "price_satang": price_satang, "place_th": place_th})
    db.session.commit()
    return session


def sessions(actor: User) -> list[WorkshopSession]:
    """The sessions of the actor's centre (all centres for an admin), latest first."""
    stmt = (select(WorkshopSession).join(WorkshopSession.variant).join(Variant.product)
            .options(joinedload(WorkshopSession.variant).joinedload(Variant.product).joinedload(Product.centre))
            .order_by(WorkshopSession.starts_at.desc(), WorkshopSession.id))
    return list(db.session.scalars(scoped(stmt, actor, Product.centre_id)))


def session_for(actor: User, session_id: int) -> WorkshopSession | None:
    """One session if the actor may see it (their own centre's), else None: a 404."""
    stmt = (select(WorkshopSession).join(WorkshopSession.variant).join(Variant.product)
            .where(WorkshopSession.id == session_id)
            .options(joinedload(WorkshopSession.variant).joinedload(Variant.product).joinedload(Product.centre)))
    return db.session.scalar(scoped(stmt, actor, Product.centre_id))


def workshop_products(actor: User) -> list[Product]:
    """The actor's centre's active workshop products (for the new-session form)."""
    stmt = select(Product).where(Product.kind == "workshop", Product.status == "active").order_by(Product.name_th)
    return list(db.session.scalars(scoped(stmt, actor, Product.centre_id)))
