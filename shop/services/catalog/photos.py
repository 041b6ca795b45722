"""A product's photo gallery: several photos per product and per variant, in the order staff set,
each described in Thai and English. Every change is audited and moves the catalogue version.

Uploads are checked and re-encoded as every product photo is (catalog/uploads.py, media.py):
nothing is stored for a file that is not a usable photo.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.extensions import begin_write, db
from shop.models import ProductImage, User, Variant
from shop.services.catalog.admin import image as scoped_image
from shop.services.catalog.admin import product as scoped_product
from shop.services.catalog.media import store_image
from shop.services.catalog.uploads import open_upload
from shop.services.errors import DomainError
from shop.services.people import audit

MAX_PHOTOS = 20  # per product, its variants' photos included (the gallery's CSS shows up to 20)
MAX_ALT_LENGTH = 300


class TooManyPhotos(DomainError):
    message = _l("A product can have at most %(count)d photos. Please remove one first.", count=MAX_PHOTOS)


class NotThisProductsOption(DomainError):
    message = _l("Please choose one of this product's options, or the whole product.")


class DescriptionTooLong(DomainError):
    message = _l("Please describe the photo in at most %(count)d characters.", count=MAX_ALT_LENGTH)


def _check_variant(product_id: int, variant_id: int | None) -> None:
    if variant_id is None:
        return
    owner = db.session.scalar(select(Variant.product_id).where(Variant.id == variant_id))
    if owner != product_id:
        raise NotThisProductsOption()


def _check_alt(*texts: str) -> None:
    if any(len(text) > MAX_ALT_LENGTH for text in texts):
        raise DescriptionTooLong()


def _count(product_id: int) -> int:
    return db.session.scalar(select(func.count(ProductImage.id)).where(ProductImage.product_id == product_id)) or 0


def gallery(actor: User, product_id: int) -> list[ProductImage]:
    found = scoped_product(actor, product_id)
    return list(found.images) if found else []


def add_photo(actor: User, product_id: int, data: bytes, alt_th: str = "", alt_en: str = "",
              variant_id: int | None = None) -> ProductImage:
    """Check the upload, store it at every width, and put it last in the product's gallery."""
    _check_alt(alt_th, alt_en)
    found = scoped_product(actor, product_id)
    if found is None:
        raise DomainError()
    _check_variant(found.id, variant_id)
    if _count(found.id) >= MAX_PHOTOS:
        raise TooManyPhotos()
    picture = open_upload(data)  # raises BadImage / ImageTooLarge before anything is stored
    stored = store_image(current_app.config["MEDIA_FOLDER"], picture)
    begin_write()
    found = scoped_product(actor, product_id)
    if found is None:  # deleted or moved while the picture was stored
        db.session.rollback()
        raise DomainError()
    if _count(found.id) >= MAX_PHOTOS:
        db.session.rollback()
        raise TooManyPhotos()
    position = (db.session.scalar(select(func.max(ProductImage.position)).where(ProductImage.product_id == found.id)) or 0) + 1
    new = ProductImage(product_id=found.id, variant_id=variant_id, filename=stored.filename,
                       thumb_filename=stored.thumb_filename, width=stored.width, height=stored.height,
                       alt_th=alt_th, alt_en=alt_en, position=position, renditions=stored.renditions)
    db.session.add(new)
    db.session.flush()
    audit.record(actor, "image.add", new, centre_id=found.centre_id,
                 after={"filename": stored.filename, "variant_id": variant_id})
    db.session.commit()
    return new


def update_photo(actor: User, image_id: int, alt_th: str, alt_en: str, variant_id: int | None) -> ProductImage:
    """Describe a photo in both languages and say which option (if any) it shows."""
    _check_alt(alt_th, alt_en)
    begin_write()
    found = scoped_image(actor, image_id)
    if found is None:
        db.session.rollback()
        raise DomainError()
    try:
        _check_variant(found.product_id, variant_id)
    except DomainError:
        db.session.rollback()
        raise
    fields = ("alt_th", "alt_en", "variant_id")
    before = {f: getattr(found, f) for f in fields}
    found.alt_th, found.alt_en, found.variant_id = alt_th, alt_en, variant_id
    audit.record(actor, "image.update", found, centre_id=found.product.centre_id, before=before,
                 after={f: getattr(found, f) for f in fields})
    db.session.commit()
    return found


def move_photo(actor: User, image_id: int, direction: str) -> None:
    """One place earlier ("up") or later ("down") in the gallery; the first photo is the main one."""
    if direction not in {"up", "down"}:
        raise DomainError()
    begin_write()
    found = scoped_image(actor, image_id)
    if found is None:
        db.session.rollback()
        raise DomainError()
    photos = list(db.session.scalars(
        select(ProductImage).where(ProductImage.product_id == found.product_id)
        .order_by(ProductImage.position, ProductImage.id).with_for_update()
    ))
    index = next(i for i, photo in enumerate(photos) if photo.id == found.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(photos):
        photos[index], photos[other] = photos[other], photos[index]
        for position, photo in enumerate(photos):
            photo.position = position
        audit.record(actor, "image.move", found, centre_id=found.product.centre_id,
                     before={"position": index}, after={"position": other})
    db.session.commit()


def remove_photo(actor: User, image_id: int) -> int:
    """Take a photo out of the gallery (its files stay: other rows may share them); return its product."""
    begin_write()
    found = scoped_image(actor, image_id)
    if found is None:
        db.session.rollback()
        raise DomainError()
    product_id = found.product_id
    audit.record(actor, "image.remove", found, centre_id=found.product.centre_id, before={"filename": found.filename})
    db.session.delete(found)
    db.session.commit()
    return product_id
