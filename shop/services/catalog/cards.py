"""Product cards: what a list of products shows of each, read in one statement as plain rows.

A card is a product's name, its centre and province, its lowest price (and whether its options
differ in price), the units that can still be sold and its first photo. The database works
those out for the page's products only; no product, option or photo object is loaded, so a
list page costs one statement for its cards whatever their options and photos.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from shop.extensions import db
from shop.models import Centre, Product, ProductImage, Variant
from shop.models.catalog import Bilingual, WithAltText
from shop.services.catalog.directory import CentreEntry


@dataclass(frozen=True)
class PhotoFile(WithAltText):
    """A photo as the storefront shows it: its file, its thumbnail's, its size and its description."""

    filename: str
    thumb_filename: str
    width: int
    height: int
    alt_th: str
    alt_en: str


@dataclass(frozen=True)
class CardImage(PhotoFile):
    """A product's first photo, with what its thumbnail and a link preview need."""

    thumb_webp: str


@dataclass(frozen=True)
class ProductCard(Bilingual):
    id: int
    slug: str
    name_th: str
    name_en: str
    otop: bool
    otop_stars: int | None
    centre: CentreEntry
    main_image: CardImage | None
    price_from_satang: int | None  # the lowest price of its options on sale; None with none on sale
    has_price_range: bool
    stock_available: int  # units of its options on sale that can still be sold


def _over_options_on_sale(expression: Any) -> Any:
    """`expression` over the product's options on sale, for each product of the outer statement."""
    return (select(expression).where(Variant.product_id == Product.id, Variant.active.is_(True))
            .correlate(Product).scalar_subquery())


def lowest_price() -> Any:
    """The lowest price of each product's options on sale (None with none), for the outer statement."""
    return _over_options_on_sale(func.min(Variant.price_satang))


_unheld = Variant.stock_on_hand - func.coalesce(Variant.stock_reserved, 0)
_FIRST_PHOTO = (select(ProductImage.id).where(ProductImage.product_id == Product.id)
                .order_by(ProductImage.position, ProductImage.id).limit(1).correlate(Product).scalar_subquery())
_CARDS = (
    select(
        Product.id, Product.slug, Product.name_th, Product.name_en, Product.otop, Product.otop_stars,
        Centre.id, Centre.slug, Centre.name_th, Centre.name_en, Centre.province_code, Centre.province_th,
        Centre.province_en, Centre.region,
        lowest_price(),
        _over_options_on_sale(func.count(func.distinct(Variant.price_satang))),
        _over_options_on_sale(func.coalesce(func.sum(_unheld), 0)),  # never below 0 per option (a check)
        ProductImage.filename, ProductImage.thumb_filename, ProductImage.width, ProductImage.height,
        ProductImage.alt_th, ProductImage.alt_en, ProductImage.renditions,
    )
    .join(Centre, Centre.id == Product.centre_id)
    .outerjoin(ProductImage, ProductImage.id == _FIRST_PHOTO)
)


def cards_statement(where: Iterable[ColumnElement[bool]], order_by: Iterable[Any]) -> Select:
    """The statement reading the cards of the products `where` selects, in `order_by`'s order."""
    return _CARDS.where(*where).order_by(*order_by)


def read_cards(statement: Select, params: Mapping[str, Any] | None = None) -> list[ProductCard]:
    return [_card(row) for row in db.session.execute(statement, params or {})]


def product_cards(where: Iterable[ColumnElement[bool]], order_by: Iterable[Any], limit: int | None = None,
                  ) -> list[ProductCard]:
    """The cards of the products `where` selects, in `order_by`'s order."""
    statement = cards_statement(where, order_by)
    return read_cards(statement if limit is None else statement.limit(limit))


def _card(row: Any) -> ProductCard:
    (product_id, slug, name_th, name_en, otop, otop_stars, *centre, price_from, prices, available,
     filename, thumb, width, height, alt_th, alt_en, renditions) = row
    image = None
    if filename is not None:
        image = CardImage(filename, thumb, width, height, alt_th or "", alt_en or "",
                          (renditions or {}).get("thumb_webp", ""))
    return ProductCard(
        id=product_id, slug=slug, name_th=name_th, name_en=name_en, otop=bool(otop), otop_stars=otop_stars,
        centre=CentreEntry(*centre),
        main_image=image, price_from_satang=price_from, has_price_range=(prices or 0) > 1,
        stock_available=int(available or 0),
    )
