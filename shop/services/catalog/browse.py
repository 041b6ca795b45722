"""Reading the catalogue: filters, search, sorting and pages, in a fixed number of queries."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, exists, func, select

from shop.extensions import db
from shop.models import REGIONS, Category, Centre, Product, Variant
from shop.services.catalog.cards import ProductCard, cards_statement, lowest_price, product_cards, read_cards
from shop.services.parsing import ascii_digits, parse_int
from shop.text import normalise_for_search

SORTS = ("newest", "price_asc", "price_desc", "name")
MAX_QUERY_LENGTH = 100
MAX_PAGE = 10_000


class BadFilter(ValueError):
    """A catalogue filter that cannot be applied; `field` says which one."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field}={value!r}")
        self.field = field
        self.value = value


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    centre: str = ""
    province: str = ""
    region: str = ""
    category: str = ""
    in_stock: bool = False
    sort: str = "newest"
    page: int = 1

    def as_args(self, **changes: object) -> dict[str, str]:
        """Query-string arguments for a link that keeps these filters, with changes."""
        merged = replace(self, **changes)  # type: ignore[arg-type]
        args = {
            "q": merged.q,
            "centre": merged.centre,
            "province": merged.province,
            "region": merged.region,
            "category": merged.category,
            "in_stock": "1" if merged.in_stock else "",
            "sort": "" if merged.sort == "newest" else merged.sort,
            "page": "" if merged.page == 1 else str(merged.page),
        }
        return {k: v for k, v in args.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.q or self.centre or self.province or self.region or self.category or self.in_stock)


@dataclass
class ProductPage:
    items: list[ProductCard]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def parse_filters(args: Mapping[str, str]) -> CatalogueFilters:
    """Turn query-string arguments into filters; raise BadFilter for what cannot be right."""
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise BadFilter("q", q[:20] + "…")
    sort = args.get("sort") or "newest"
    if sort not in SORTS:
        raise BadFilter("sort", sort)
    raw_page = args.get("page") or "1"
    page = parse_int(raw_page, 1, MAX_PAGE)
    if page is None:
        raise BadFilter("page", raw_page[:20])
    region = args.get("region") or ""
    if region and region not in REGIONS:
        raise BadFilter("region", region[:40])
    province = args.get("province") or ""
    if province and not ascii_digits(province, length=2):
        raise BadFilter("province", province[:40])
    in_stock = (args.get("in_stock") or "") in {"1", "on", "true"}
    filters = CatalogueFilters(
        q=q,
        centre=(args.get("centre") or "")[:64],
        province=province,
        region=region,
        category=(args.get("category") or "")[:64],
        in_stock=in_stock,
        sort=sort,
        page=page,
    )
    if filters.centre and not db.session.scalar(select(Centre.id).where(Centre.slug == filters.centre)):
        raise BadFilter("centre", filters.centre)
    if filters.category and not db.session.scalar(
        select(Category.id).where(Category.slug == filters.category)
    ):
        raise BadFilter("category", filters.category)
    return filters


def _sellable_variant(*conditions):
    return exists().where(Variant.product_id == Product.id, Variant.active.is_(True), *conditions)


def search_products(filters: CatalogueFilters, per_page: int) -> ProductPage:
    """Active products matching the filters, one page of their cards, in two statements (the count, the cards)."""
    words = normalise_for_search(filters.q).split(" ") if filters.q else []
    count, cards = _search_statements(_SearchShape(
        words=len(words), centre=bool(filters.centre), province=bool(filters.province), region=bool(filters.region),
        category=bool(filters.category), in_stock=filters.in_stock, sort=filters.sort))
    params: dict[str, object] = {f"word_{i}": "%" + _like_escaped(word) + "%" for i, word in enumerate(words)}
    params.update(centre=filters.centre, province=filters.province, region=filters.region, category=filters.category,
                  limit=per_page, offset=(filters.page - 1) * per_page)
    total = db.session.scalar(count, params)
    return ProductPage(items=read_cards(cards, params), total=total or 0, page=filters.page, per_page=per_page)


@dataclass(frozen=True)
class _SearchShape:
    """Which filters a search has (not their values) and its sort: what its statements look like."""

    words: int
    centre: bool
    province: bool
    region: bool
    category: bool
    in_stock: bool
    sort: str


def _like_escaped(word: str) -> str:
    """`word` for a LIKE with "/" as its escape character: %, _ and / match only themselves."""
    return word.replace("/", "//").replace("%", "/%").replace("_", "/_")


@lru_cache(maxsize=256)
def _search_statements(shape: _SearchShape) -> tuple[Select, Select]:
    """The count and the cards statements of searches of this shape, with the values as parameters.

    Built once per shape: building them and working out their cache keys anew was a tenth of an
    uncached catalogue page.
    """
    conditions = [Product.status == "active", _sellable_variant()]
    conditions += [Product.search_text.like(bindparam(f"word_{i}"), escape="/") for i in range(shape.words)]
    if shape.centre:
        conditions.append(Centre.slug == bindparam("centre"))
    if shape.province:
        conditions.append(Centre.province_code == bindparam("province"))
    if shape.region:
        conditions.append(Centre.region == bindparam("region"))
    if shape.category:
        conditions.append(Product.category.has(Category.slug == bindparam("category")))
    if shape.in_stock:
        conditions.append(_sellable_variant(Variant.stock_on_hand > 0))
    matching = select(Product.id).join(Product.centre).where(and_(*conditions))
    count = select(func.count()).select_from(matching.subquery())

    # The page's ids are found first, sorting only (key, id) pairs, a price sort with each matching
    # product's lowest price looked up by its options' index (a filtered list reads only its own
    # products' options); then the page's cards are read in one statement.
    def order(price):
        if shape.sort == "price_asc":
            return price.asc(), Product.id.asc()
        if shape.sort == "price_desc":
            return price.desc(), Product.id.desc()
        if shape.sort == "name":
            return Product.name_th.asc(), Product.id.asc()
        return Product.created_at.desc(), Product.id.desc()

    page_ids = matching.order_by(*order(lowest_price())).limit(bindparam("limit")).offset(bindparam("offset"))
    return count, cards_statement(where=[Product.id.in_(page_ids.scalar_subquery())], order_by=order(lowest_price()))


def featured_products(limit: int = 8) -> list[ProductCard]:
    return product_cards(where=[Product.status == "active", _sellable_variant()],
                         order_by=(Product.featured.desc(), Product.created_at.desc(), Product.id.desc()), limit=limit)


def all_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def centre_by_slug(slug: str) -> Centre | None:
    return db.session.scalar(select(Centre).where(Centre.slug == slug, Centre.active.is_(True)))


# One statement: a product has a few options and photos, so joining both costs fewer rows than
# the two extra round trips (and their loading) of a select-in load. Built once: making it and
# its loader options anew took a quarter of the read's Python calls on every cold product page.
# The search text (both languages' names, descriptions and stories again) is not shown.
