"""Staff manage their centre's products, variants and photos; every change is audited."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop.extensions import begin_write, db
from shop.models import PRODUCT_KINDS, Category, Centre, MakerGroup, Product, ProductImage, StockMovement, User, Variant
from shop.services import money
from shop.services.catalog.media import store_image
from shop.services.catalog.uploads import open_upload
from shop.services.errors import DomainError
from shop.services.ordering import inventory
from shop.services.parsing import parse_int
from shop.services.people import audit
from shop.services.people.scope import require_centre, scoped

PRODUCT_FIELDS = ("name_th", "name_en", "description_th", "description_en", "maker_story_th",
                  "maker_story_en", "category_id", "otop", "otop_stars", "featured", "kind", "maker_group_id")
VARIANT_FIELDS = ("name_th", "name_en", "sku", "price_satang", "low_stock_threshold", "active")


class SkuTaken(DomainError):
    message = _l("Another variant already uses that SKU.")


def _check_price(data: dict) -> None:
    if "price_satang" in data:
        money.check_amount(data["price_satang"], money.PRICE)  # BadAmount / AmountTooLarge


class ForeignMakerGroup(DomainError):
    message = _l("Please choose a maker group of this product's own centre.")


def _check_kind_and_maker(data: dict, centre_id: int) -> None:
    """A known kind, and a maker group (if any) of the product's own centre."""
    if data.get("kind", "goods") not in PRODUCT_KINDS:
        raise DomainError()
    maker_group_id = data.get("maker_group_id")
    if maker_group_id is not None:
        group = db.session.get(MakerGroup, maker_group_id)
        if group is None or group.centre_id != centre_id:
            raise ForeignMakerGroup()


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def products(actor: User, centre_id: int | None = None, status: str | None = None) -> list[Product]:
    stmt = scoped(select(Product), actor, Product.centre_id).options(
        selectinload(Product.variants), selectinload(Product.images), selectinload(Product.centre)
    )
    if centre_id:
        stmt = stmt.where(Product.centre_id == centre_id)
    if status:
        stmt = stmt.where(Product.status == status)
    return list(db.session.scalars(stmt.order_by(Product.status, Product.name_th)))


def product(actor: User, product_id: int) -> Product | None:
    """The product if it exists and the actor may see it; otherwise None (a 404)."""
    stmt = scoped(select(Product).where(Product.id == product_id), actor, Product.centre_id)
    return db.session.scalar(stmt.options(selectinload(Product.variants), selectinload(Product.images)))


def variant(actor: User, variant_id: int) -> Variant | None:
    stmt = select(Variant).join(Variant.product).where(Variant.id == variant_id)
    return db.session.scalar(scoped(stmt, actor, Product.centre_id))


def image(actor: User, image_id: int) -> ProductImage | None:
    stmt = select(ProductImage).join(ProductImage.product).where(ProductImage.id == image_id)
    return db.session.scalar(scoped(stmt, actor, Product.centre_id))


def _slug_for(name_en: str, name_th: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", (name_en or "").lower()).strip("-")[:80] or "product"
    slug, n = base, 1
    while db.session.scalar(select(Product.id).where(Product.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_product(actor: User, centre_id: int | None, data: dict, first_variant: dict) -> Product:
    """A new product with its first variant (a product without options has exactly one)."""
    _check_price(first_variant)
    if centre_id is None:  # an admin chose no centre
        raise DomainError()
    begin_write()
    require_centre(actor, centre_id)
    if db.session.get(Centre, centre_id) is None or db.session.get(Category, data["category_id"]) is None:
        raise DomainError()
    _check_kind_and_maker(data, centre_id)
    product = Product(centre_id=centre_id, slug=_slug_for(data.get("name_en", ""), data["name_th"]),
                      status="active", **{k: data[k] for k in PRODUCT_FIELDS if k in data})
    stock = first_variant.pop("stock_on_hand", 0)
    product.variants.append(Variant(stock_on_hand=stock, **first_variant))
    db.session.add(product)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SkuTaken() from None
    audit.record(actor, "product.create", product, after={**_snapshot(product, PRODUCT_FIELDS), "sku": first_variant.get("sku"), "stock": stock})
    db.session.commit()
    return product


def update_product(actor: User, product_id: int, data: dict) -> Product:
    begin_write()
    found = product(actor, product_id)
    if found is None:
        raise DomainError()
    _check_kind_and_maker(data, found.centre_id)
    before = _snapshot(found, PRODUCT_FIELDS)
    for key in PRODUCT_FIELDS:
        if key in data:
            setattr(found, key, data[key])
    audit.record(actor, "product.update", found, before=before, after=_snapshot(found, PRODUCT_FIELDS))
    db.session.commit()
    return found


def set_product_status(actor: User, product_id: int, status: str) -> Product:
    begin_write()
    found = product(actor, product_id)
    if found is None or status not in {"active", "archived"}:
        raise DomainError()
    before = found.status
    found.status = status
    audit.record(actor, f"product.{'restore' if status == 'active' else 'archive'}", found,
                 before={"status": before}, after={"status": status})
    db.session.commit()
    return found


def add_variant(actor: User, product_id: int, data: dict) -> Variant:
    _check_price(data)
    begin_write()
    found = product(actor, product_id)
    if found is None:
        raise DomainError()
    stock = data.pop("stock_on_hand", 0)
    new = Variant(stock_on_hand=stock, position=len(found.variants), **data)
    found.variants.append(new)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SkuTaken() from None
    audit.record(actor, "variant.create", new, centre_id=found.centre_id, after={**_snapshot(new, VARIANT_FIELDS), "stock": stock})
    db.session.commit()
    return new


def update_variant(actor: User, variant_id: int, data: dict) -> Variant:
    """Change a variant; a new price applies to new orders only (lines keep their own)."""
    _check_price(data)
    begin_write()
    found = variant(actor, variant_id)
    if found is None:
        raise DomainError()
    before = _snapshot(found, VARIANT_FIELDS)
    for key in VARIANT_FIELDS:
        if key in data:
            setattr(found, key, data[key])
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SkuTaken() from None
    audit.record(actor, "variant.update", found, centre_id=found.product.centre_id, before=before,
                 after=_snapshot(found, VARIANT_FIELDS))
    db.session.commit()
    return found


def add_image(actor: User, product_id: int, data: bytes, alt_th: str = "", alt_en: str = "") -> ProductImage:
    """Check the upload (Pillow), re-encode it without metadata, store it content-hashed."""
    found = product(actor, product_id)
    if found is None:
        raise DomainError()
    picture = open_upload(data)  # raises BadImage / ImageTooLarge before anything is stored
    stored = store_image(current_app.config["MEDIA_FOLDER"], picture)
    begin_write()
    found = product(actor, product_id)
    if found is None:  # deleted or moved while the picture was stored
        db.session.rollback()
        raise DomainError()
    position = db.session.scalar(select(func.count(ProductImage.id)).where(ProductImage.product_id == found.id)) or 0
    new = ProductImage(product_id=found.id, filename=stored.filename, thumb_filename=stored.thumb_filename,
                       width=stored.width, height=stored.height, alt_th=alt_th, alt_en=alt_en, position=position,
                       renditions=stored.renditions)
    db.session.add(new)
    db.session.flush()
    audit.record(actor, "image.add", new, centre_id=found.centre_id, after={"filename": stored.filename})
    db.session.commit()
    return new


def remove_image(actor: User, image_id: int) -> None:
    begin_write()
    found = image(actor, image_id)
    if found is None:
        raise DomainError()
    audit.record(actor, "image.remove", found, centre_id=found.product.centre_id, before={"filename": found.filename})
    db.session.delete(found)
    db.session.commit()


# --- Stock -----------------------------------------------------------------------------

ADJUST_REASONS = ("damage", "correction", "count", "sold_offline")


def receive_stock(actor: User, variant_id: int, quantity: int, note: str = "") -> Variant:
    begin_write()
    found = variant(actor, variant_id)
    if found is None or quantity <= 0:
        raise DomainError()
    before = found.stock_on_hand
    inventory.change_on_hand(found.id, quantity, "receive", user_id=actor.id, note=note)
    audit.record(actor, "stock.receive", found, centre_id=found.product.centre_id,
                 before={"on_hand": before}, after={"on_hand": before + quantity, "note": note})
    db.session.commit()
    return found


def adjust_stock(actor: User, variant_id: int, delta: int, reason: str, note: str = "") -> Variant:
    """Correct the shelf count (±); never below what is held for orders."""
    begin_write()
    found = variant(actor, variant_id)
    if found is None or reason not in ADJUST_REASONS or delta == 0:
        raise DomainError()
    before = found.stock_on_hand
    inventory.change_on_hand(found.id, delta, "adjust", user_id=actor.id, note=f"{reason}: {note}".strip(": "))
    audit.record(actor, "stock.adjust", found, centre_id=found.product.centre_id,
                 before={"on_hand": before}, after={"on_hand": before + delta, "reason": reason, "note": note})
    db.session.commit()
    return found


def stock_rows(actor: User, low_only: bool = False) -> list[Variant]:
    stmt = (
        select(Variant).join(Variant.product)
        .where(Product.status == "active", Variant.active.is_(True))
        .options(selectinload(Variant.product))
        .order_by(Product.name_th, Variant.position)
    )
    rows = list(db.session.scalars(scoped(stmt, actor, Product.centre_id)))
    return [v for v in rows if v.is_low] if low_only else rows


def movements(actor: User, variant_id: int):
    found = variant(actor, variant_id)
    if found is None:
        return None, []
    rows = db.session.scalars(
        select(StockMovement).where(StockMovement.variant_id == found.id, StockMovement.location_id.is_(None))  # the home shelf
        .order_by(StockMovement.id.desc()).limit(500)
    ).all()
    return found, list(rows)


@dataclass
class CsvRowError:
    line: int
    message: Any  # a lazy translated message: str() it in the reader's language


def import_stock_counts(actor: User, rows: list[dict[str, str]]) -> list[CsvRowError]:
    """Set on-hand counts from a CSV (columns sku, on_hand); all rows or none.

    Returns the per-row errors; when there is any, nothing is changed.
    """
    begin_write()
    errors: list[CsvRowError] = []
    plan: list[tuple[Variant, int]] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        sku = (row.get("sku") or "").strip()
        raw = (row.get("on_hand") or "").strip()
        if not sku:
            errors.append(CsvRowError(line, _l("The SKU is missing.")))
            continue
        if sku in seen:
            errors.append(CsvRowError(line, _l("%(sku)s: listed twice.", sku=sku)))
            continue
        seen.add(sku)
        found = db.session.scalar(scoped(select(Variant).join(Variant.product).where(Variant.sku == sku), actor, Product.centre_id))
        if found is None:
            errors.append(CsvRowError(line, _l("%(sku)s: your centre has no such SKU.", sku=sku)))
            continue
        count = parse_int(raw, 0, 1_000_000)
        if count is None:
            errors.append(CsvRowError(line, _l("%(sku)s: the count on hand must be a whole number from 0, not %(value)s.", sku=sku, value=repr(raw[:20]))))
            continue
        if count < found.stock_reserved:
            errors.append(CsvRowError(line, _l("%(sku)s: %(held)s units are held for orders, so the count on hand cannot be %(count)s.",
                                                     sku=sku, held=found.stock_reserved, count=count)))
            continue
        plan.append((found, count))
    if errors or not plan:
        db.session.rollback()
        return errors or [CsvRowError(1, _l("The file has no rows."))]
    for found, count in plan:
        delta = count - found.stock_on_hand
        if delta:
            before = found.stock_on_hand
            inventory.change_on_hand(found.id, delta, "adjust", user_id=actor.id, note="count: CSV import")
            audit.record(actor, "stock.import", found, centre_id=found.product.centre_id,
                         before={"on_hand": before}, after={"on_hand": count})
    db.session.commit()
    return []
