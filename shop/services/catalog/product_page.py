"""A product's page: everything it shows, read in one statement as one JSON document.

The page shows the product with its centre, category and maker group, its options (with a
workshop's sessions) and its photos. The database puts these together as one JSON value
(PostgreSQL's json_build_object and json_agg, SQLite's json_object and json_group_array), read
through the thread's own prepared connection (shop/prepared.py) on PostgreSQL. No ORM object is
made: an uncached product page cost a fifth of its time in the ORM's joined load of these rows
(79 columns over options times photos), and the pool's checkout and reset around it.

The plain copies answer what the templates and the page's preview ask of the ORM's objects
(`localised`, `available`, `sellable_variants`, `widths`...) through the same mixins.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, bindparam, case, literal_column, null, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from shop import prepared
from shop.models import Category, Centre, Product, ProductImage, Variant, WorkshopSession
from shop.models.catalog import Bilingual, InProvince, ProductFigures, Stocked, WithRenditions
from shop.models.workshops import MakerGroup
from shop.prepared import moment
from shop.services.catalog.cards import PhotoFile
from shop.services.ordering.cart import session_has_passed


@dataclass(frozen=True)
class PageCentre(Bilingual, InProvince):
    id: int
    slug: str
    name_th: str
    name_en: str
    province_th: str
    province_en: str
    story_th: str
    story_en: str


@dataclass(frozen=True)
class PageNamed(Bilingual):
    """A category or a maker group: a name and its page."""

    slug: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class PageSession(Bilingual):
    """A workshop session: when and where."""

    starts_at: datetime
    ends_at: datetime
    place_th: str
    place_en: str


@dataclass(frozen=True)
class PageOption(Bilingual, Stocked):
    id: int
    sku: str
    name_th: str
    name_en: str
    price_satang: int
    stock_on_hand: int
    stock_reserved: int | None
    active: bool
    workshop_session: PageSession | None


@dataclass(frozen=True)
class PagePhoto(PhotoFile, WithRenditions):
    renditions: dict | None
    variant: PageOption | None  # the option it shows, if any


@dataclass(frozen=True)
class ProductPage(Bilingual, ProductFigures):
    id: int
    slug: str
    name_th: str
    name_en: str
    description_th: str
    description_en: str
    maker_story_th: str
    maker_story_en: str
    otop: bool
    otop_stars: int | None
    kind: str
    created_at: datetime
    centre: PageCentre
    category: PageNamed
    maker_group: PageNamed | None
    variants: tuple[PageOption, ...]  # every option, in the staff's order (sellable_variants: those on sale)
    images: tuple[PagePhoto, ...]  # in the staff's order


# --------------------------------------------------------------------------- the statement


class json_object(FunctionElement):  # noqa: N801 - named as SQL names it
    """A JSON object of key, value, key, value... (json_build_object; SQLite: json_object)."""

    type = JSON()
    inherit_cache = True


class json_list(FunctionElement):  # noqa: N801
    """The aggregate JSON array of its argument over the rows (json_agg; SQLite: json_group_array)."""

    type = JSON()
    inherit_cache = True


def _named_per_dialect(element: type[FunctionElement], postgresql: str, elsewhere: str) -> None:
    """`element(...)` compiles to `postgresql(...)` on PostgreSQL and to `elsewhere(...)` on SQLite."""

    def compile_as(name: str):
        def compile_call(call: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
            return f"{name}({compiler.process(call.clauses, **kw)})"
        return compile_call

    compiles(element, "postgresql")(compile_as(postgresql))
    compiles(element)(compile_as(elsewhere))


_named_per_dialect(json_object, "json_build_object", "json_object")
_named_per_dialect(json_list, "json_agg", "json_group_array")


def _fields(*columns: Any) -> json_object:
    """A JSON object of these columns, each under its attribute's name."""
    pairs: list[ColumnElement[Any]] = []
    for column in columns:
        pairs += [literal_column(f"'{column.key}'"), column]
    return json_object(*pairs)


_OPTIONS = (
    select(json_list(_fields(
        Variant.id, Variant.sku, Variant.name_th, Variant.name_en, Variant.price_satang, Variant.stock_on_hand,
        Variant.stock_reserved, Variant.active, Variant.position,
        WorkshopSession.starts_at, WorkshopSession.ends_at, WorkshopSession.place_th, WorkshopSession.place_en,
        WorkshopSession.id.label("session_id"),
    )))
    .select_from(Variant).outerjoin(WorkshopSession, WorkshopSession.variant_id == Variant.id)
    .where(Variant.product_id == Product.id).correlate(Product).scalar_subquery()
)
_PHOTOS = (
    select(json_list(_fields(
        ProductImage.id, ProductImage.variant_id, ProductImage.filename, ProductImage.thumb_filename,
        ProductImage.width, ProductImage.height, ProductImage.alt_th, ProductImage.alt_en, ProductImage.position,
        ProductImage.renditions,
    )))
    .where(ProductImage.product_id == Product.id).correlate(Product).scalar_subquery()
)
_PAGE = (
    select(json_object(
        *_fields(
            Product.id, Product.slug, Product.name_th, Product.name_en, Product.description_th, Product.description_en,
            Product.maker_story_th, Product.maker_story_en, Product.otop, Product.otop_stars, Product.kind,
            Product.created_at,
        ).clauses,
        literal_column("'centre'"), _fields(Centre.id, Centre.slug, Centre.name_th, Centre.name_en, Centre.province_th,
                                            Centre.province_en, Centre.story_th, Centre.story_en),
        literal_column("'category'"), _fields(Category.slug, Category.name_th, Category.name_en),
        literal_column("'maker'"), case((MakerGroup.id.is_(None), null()),
                                        else_=_fields(MakerGroup.slug, MakerGroup.name_th, MakerGroup.name_en)),
        literal_column("'options'"), _OPTIONS,
        literal_column("'photos'"), _PHOTOS,
    ))
    .select_from(Product)
    .join(Centre, Centre.id == Product.centre_id)
    .join(Category, Category.id == Product.category_id)
    .outerjoin(MakerGroup, MakerGroup.id == Product.maker_group_id)
    .where(Product.slug == bindparam("slug"), Product.status == "active")
)
PAGE = prepared.PreparedRead("shop_product_page", _PAGE, [json.loads])


@dataclass(frozen=True)
class SessionRow:
    variant: PageOption
    session: PageSession
    passed: bool


def workshop_sessions(product: ProductPage, now: datetime | None = None) -> list[SessionRow]:
    """A workshop's sessions on sale, soonest first; those that have started are marked passed."""
    rows = [SessionRow(v, v.workshop_session, session_has_passed(v, now))
            for v in product.sellable_variants if v.workshop_session is not None]
    return sorted(rows, key=lambda r: r.session.starts_at)


# --------------------------------------------------------------------------- reading it


def product_page(slug: str) -> ProductPage | None:
    """An active product's page, or None (no such product, an archived one, a slug naming nothing)."""
    row = PAGE.first({"slug": slug})
    return None if row is None or row[0] is None else _page(_json(row[0]))


def _json(value: Any) -> Any:
    """A nested value: SQLite hands a subquery's JSON (and a JSON column) over as text."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _in_order(rows: list[dict] | None) -> list[dict]:
    """Options and photos in the staff's order (position, then id): SQLite's aggregates take no ORDER BY."""
    return sorted(rows or [], key=lambda row: (row["position"], row["id"]))


def _option(row: dict) -> PageOption:
    session = None
    if row["session_id"] is not None:
        session = PageSession(moment(row["starts_at"]), moment(row["ends_at"]),  # type: ignore[arg-type]
                              row["place_th"], row["place_en"] or "")
    return PageOption(row["id"], row["sku"], row["name_th"] or "", row["name_en"] or "", row["price_satang"],
                      row["stock_on_hand"], row["stock_reserved"], bool(row["active"]), session)


def _page(doc: dict) -> ProductPage:
    options = [_option(row) for row in _in_order(_json(doc["options"]))]
    by_id = {option.id: option for option in options}
    photos = tuple(
        PagePhoto(row["filename"], row["thumb_filename"], row["width"], row["height"], row["alt_th"] or "",
                  row["alt_en"] or "", _json(row["renditions"]), by_id.get(row["variant_id"]))
        for row in _in_order(_json(doc["photos"]))
    )
    centre, category, maker = _json(doc["centre"]), _json(doc["category"]), _json(doc["maker"])
    return ProductPage(
        id=doc["id"], slug=doc["slug"], name_th=doc["name_th"], name_en=doc["name_en"] or "",
        description_th=doc["description_th"] or "", description_en=doc["description_en"] or "",
        maker_story_th=doc["maker_story_th"] or "", maker_story_en=doc["maker_story_en"] or "",
        otop=bool(doc["otop"]), otop_stars=doc["otop_stars"], kind=doc["kind"],
        created_at=moment(doc["created_at"]),  # type: ignore[arg-type]
        centre=PageCentre(**centre),
        category=PageNamed(**category),
        maker_group=PageNamed(**maker) if maker else None,
        variants=tuple(options), images=photos,
    )

