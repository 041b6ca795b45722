"""The catalogue: centres, categories, products, their variants and images."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    event,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, scoped_session

from shop.models._base import Model, utcnow
from shop.text import normalise_for_search

if TYPE_CHECKING:
    from shop.models.workshops import MakerGroup, WorkshopSession

# The four-region scheme shown by the shop; the region is data on each centre.
REGIONS = ("north", "northeast", "central", "south")


class Bilingual:
    """Fields stored as `<name>_th` and `<name>_en`; English falls back to Thai."""

    def localised(self, field: str, lang: str) -> str:
        if lang == "en":
            value = getattr(self, f"{field}_en", None)
            if value:
                return value
        return getattr(self, f"{field}_th") or ""


class InProvince:
    """Something in a province, named in Thai and English (a centre, or a list's plain copy of one)."""

    if TYPE_CHECKING:
        province_th: str
        province_en: str

    def province_name(self, lang: str) -> str:
        return self.province_en if lang == "en" else self.province_th


class WithAltText:
    """A photo's description for those who cannot see it; English falls back to Thai."""

    if TYPE_CHECKING:
        alt_th: str
        alt_en: str

    def alt(self, lang: str) -> str:
        return (self.alt_en if lang == "en" and self.alt_en else self.alt_th) or ""


class Stocked:
    """An option's units: on the shelf, and how many of those are held for orders not yet shipped."""

    if TYPE_CHECKING:
        stock_on_hand: int
        stock_reserved: int | None

    @property
    def available(self) -> int:
        """Units that can still be sold."""
        return max(self.stock_on_hand - (self.stock_reserved or 0), 0)


class WithRenditions:
    """A photo's widths made at upload, WebP and JPEG (services/catalog/media.py)."""

    if TYPE_CHECKING:
        renditions: dict | None

    @property
    def widths(self) -> list[dict]:
        """Each width as {"width", "height", "jpeg", "webp"}, narrowest first; [] before renditions."""
        return list((self.renditions or {}).get("widths", []))

    @property
    def thumb_webp(self) -> str:
        return (self.renditions or {}).get("thumb_webp", "")


class _Option(Protocol):  # read-only members: a frozen dataclass's fields match them too
    @property
    def active(self) -> bool: ...

    @property
    def price_satang(self) -> int: ...

    @property
    def available(self) -> int: ...


OptionT = TypeVar("OptionT", bound=_Option, covariant=True)
PhotoT = TypeVar("PhotoT", covariant=True)


class _HasOptions(Protocol[OptionT, PhotoT]):
    """A product, as ProductFigures reads it: its kind, options and photos."""

    @property
    def kind(self) -> str: ...

    @property
    def variants(self) -> Sequence[OptionT]: ...

    @property
    def images(self) -> Sequence[PhotoT]: ...


class ProductFigures:
    """What a product's page and lists show of its options on sale and its photos: the ORM's
    Product and the storefront's plain copy of one (services/catalog/product_page.py) alike."""

    @property
    def is_workshop(self: _HasOptions[OptionT, PhotoT]) -> bool:
        return self.kind == "workshop"

    @property
    def sellable_variants(self: _HasOptions[OptionT, PhotoT]) -> list[OptionT]:
        return [v for v in self.variants if v.active]

    @property
    def price_from_satang(self: _HasOptions[OptionT, PhotoT]) -> int | None:
        prices = [v.price_satang for v in self.variants if v.active]
        return min(prices) if prices else None

    @property
    def has_price_range(self: _HasOptions[OptionT, PhotoT]) -> bool:
        return len({v.price_satang for v in self.variants if v.active}) > 1

    @property
    def stock_available(self: _HasOptions[OptionT, PhotoT]) -> int:
        return sum(v.available for v in self.variants if v.active)

    @property
    def main_image(self: _HasOptions[OptionT, PhotoT]) -> PhotoT | None:
        return self.images[0] if self.images else None


class Centre(Bilingual, InProvince, Model):
    __tablename__ = "centre"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    province_th: Mapped[str] = mapped_column(String(100))
    province_en: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(20), index=True)
    library_th: Mapped[str] = mapped_column(String(200), default="")
    library_en: Mapped[str] = mapped_column(String(200), default="")
    story_th: Mapped[str] = mapped_column(Text, default="")
    story_en: Mapped[str] = mapped_column(Text, default="")
    # The centre's postal address: the sender on its packing slips.
    address_th: Mapped[str] = mapped_column(String(500), default="", server_default="")
    address_en: Mapped[str] = mapped_column(String(500), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    contact_line: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Each centre ships its own parcel: a flat fee, free from a threshold (None: never free).
    shipping_fee_satang: Mapped[int] = mapped_column(Integer, default=5000, server_default="5000")
    free_shipping_from_satang: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    products: Mapped[list[Product]] = relationship(back_populates="centre")

    def __repr__(self) -> str:
        return f"<Centre {self.slug}>"


class Category(Bilingual, Model):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Product(Bilingual, ProductFigures, Model):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("otop_stars IS NULL OR (otop_stars BETWEEN 1 AND 5)", name="otop_stars_range"),
        CheckConstraint("status IN ('active', 'archived')", name="status_known"),
        CheckConstraint("kind IN ('goods', 'workshop')", name="kind_known"),
        Index("ix_product_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_th: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    maker_story_th: Mapped[str] = mapped_column(Text, default="")
    maker_story_en: Mapped[str] = mapped_column(Text, default="")
    otop: Mapped[bool] = mapped_column(Boolean, default=False)
    otop_stars: Mapped[int | None] = mapped_column(Integer, nullable=True)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="active")
    # "goods" go in a parcel; a "workshop" sells seats, one variant per session.
    kind: Mapped[str] = mapped_column(String(20), default="goods", server_default="goods")
    # The learner group or community enterprise that made it (None: not named).
    maker_group_id: Mapped[int | None] = mapped_column(ForeignKey("maker_group.id"), index=True, nullable=True)
    # Lower-cased, normalised Thai and English names and descriptions, kept by an ORM hook.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    centre: Mapped[Centre] = relationship(back_populates="products")
    category: Mapped[Category] = relationship()
    maker_group: Mapped[MakerGroup | None] = relationship()
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.position, Variant.id", cascade="all, delete-orphan"
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product",
        order_by="ProductImage.position, ProductImage.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def refresh_search_text(self) -> None:
        parts = [self.name_th, self.name_en, self.description_th, self.description_en, self.slug]
        self.search_text = normalise_for_search(" ".join(p or "" for p in parts))

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class Variant(Bilingual, Stocked, Model):
    """What is actually sold: a product with no options has exactly one variant."""

    __tablename__ = "variant"
    __table_args__ = (
        CheckConstraint("price_satang >= 0", name="price_not_negative"),
        CheckConstraint("stock_on_hand >= 0", name="stock_not_negative"),
        CheckConstraint("stock_reserved >= 0 AND stock_reserved <= stock_on_hand", name="reserved_within_stock"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    # The option values as a person reads them, e.g. "สีคราม / 2 เมตร" and "Indigo / 2 m".
    name_th: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    price_satang: Mapped[int] = mapped_column(Integer)
    # On the shelf, and how many of those are held for orders not yet shipped.
    stock_on_hand: Mapped[int] = mapped_column(Integer, default=0)
    stock_reserved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The back office lists a variant as low when what can be sold falls to this or below.
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=3, server_default="3")

    product: Mapped[Product] = relationship(back_populates="variants")
    # Set when the variant is a workshop session: its stock is the session's seats.
    workshop_session: Mapped[WorkshopSession | None] = relationship(back_populates="variant", uselist=False)

    @property
    def is_low(self) -> bool:
        return self.available <= self.low_stock_threshold

    def __repr__(self) -> str:
        return f"<Variant {self.sku}>"


class ProductImage(WithAltText, WithRenditions, Model):
    """One photo in a product's gallery, in the order staff set; it may show one variant."""

    __tablename__ = "product_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    # The option this photo shows (a colour, a size); None: the product as a whole.
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variant.id"), index=True, nullable=True)
    # Content-hashed file names in the media storage: the name changes when the bytes do.
    filename: Mapped[str] = mapped_column(String(200))
    thumb_filename: Mapped[str] = mapped_column(String(200))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt_th: Mapped[str] = mapped_column(String(300), default="")
    alt_en: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The widths made at upload, WebP and JPEG (services/catalog/media.py): {"widths": [{"width",
    # "height", "jpeg", "webp"}, ...], "thumb_webp": name}; {} for a photo stored before them.
    renditions: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    product: Mapped[Product] = relationship(back_populates="images")
    variant: Mapped[Variant | None] = relationship()


class CatalogVersion(Model):
    """Counters that move in the same transaction as a catalogue change, keying cached pages.

    Row 1 (LISTS) is the lists' version (catalogue, home page, sitemap): any change to the
    catalogue moves it, and a stock change when a count crosses zero. Row 2 (SITE) moves when a
    centre or a category changes, which every page shows. Row 3 (IMPACT) moves with the
    programme's figures (sales, attendance, baselines) that the home, programme and maker pages
    show. A committed change is therefore never served stale.
    """

    __tablename__ = "catalog_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class PageVersion(Model):
    """The version of one product's page ("product:<id>") or one centre's ("centre:<id>").

    A missing row is version 0. Moved only by `bump_versions`, as a transaction's last writes
    and in sorted order, so two bumping transactions never deadlock on these.
    """

    __tablename__ = "page_version"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


LISTS, SITE, IMPACT = 1, 2, 3
CATALOG_MODELS = (Centre, Category, Product, Variant, ProductImage)
_PENDING = "catalogue_versions_to_move"


@dataclass
class PendingBumps:
    """What this transaction changed, for the version counters moved just before it commits."""

    lists: bool = False
    site: bool = False
    impact: bool = False
    products: set[int] = field(default_factory=set)
    centres: set[int] = field(default_factory=set)
    variants: set[int] = field(default_factory=set)  # their products (and centres) found at commit
    # Stock counts changed by (on hand, reserved): their pages move; the lists only if one
    # crossed zero (a card shows "out of stock", the filter keeps products with units on hand).
    stock: dict[int, tuple[int, int]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.lists or self.site or self.impact or bool(self.products or self.centres or self.variants or self.stock)


def pending_bumps(session: Session | scoped_session) -> PendingBumps:
    return session.info.setdefault(_PENDING, PendingBumps())


@event.listens_for(Product, "before_insert")
@event.listens_for(Product, "before_update")
def _keep_search_text(mapper, connection, product: Product) -> None:  # noqa: ARG001
    product.refresh_search_text()


def _old_and_new(obj: object, attribute: str) -> set[int]:
    state = inspect(obj)
    assert state is not None
    history = state.attrs[attribute].history
    values = {*history.added, *history.unchanged, *history.deleted}
    return {v for v in values if v is not None}


@event.listens_for(Session, "after_flush")
def _note_catalogue_changes(session: Session, flush_context) -> None:  # noqa: ARG001
    """Note which pages this flush changed (the session still shows the pre-flush state)."""
    # A dirty object counts only if a column of its own changed: adding a product puts its
    # centre's `products` collection in session.dirty, but the centre itself did not change.
    dirty = [obj for obj in session.dirty if session.is_modified(obj, include_collections=False)]
    changed = [obj for obj in (*session.new, *dirty, *session.deleted) if isinstance(obj, CATALOG_MODELS)]
    if not changed:
        return
    pending = pending_bumps(session)
    pending.lists = True
    for obj in changed:
        if isinstance(obj, (Centre, Category)):
            pending.site = True
        elif isinstance(obj, Product):
            pending.products.add(obj.id)
            pending.centres |= _old_and_new(obj, "centre_id") | ({obj.centre_id} if obj.centre_id else set())
        elif isinstance(obj, (Variant, ProductImage)):
            pending.products |= _old_and_new(obj, "product_id")


@event.listens_for(Session, "before_commit")
def _move_versions(session: Session) -> None:
    session.flush()  # what is still pending is noted by _note_catalogue_changes (a no-op when clean)
    pending = session.info.pop(_PENDING, None)
    if pending:
        bump_versions(session, pending)


@event.listens_for(Session, "after_soft_rollback")
def _forget_versions(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def bump_catalog_version(session: Session | scoped_session, variant_ids: Iterable[int] = ()) -> None:
    """Stock of these variants changed in this transaction: their pages and the lists move at commit."""
    pending = pending_bumps(session)
    pending.lists = True
    pending.variants.update(variant_ids)


def bump_impact(session: Session | scoped_session) -> None:
    """The programme's figures changed in this transaction: the pages that show them move at commit."""
    pending_bumps(session).impact = True


def note_stock_change(session: Session | scoped_session, changes: Iterable[tuple[int, int, int]]) -> None:
    """(variant id, change on hand, change reserved) made in this transaction: at commit their
    product's and centre's pages move, and the lists only if a count crossed zero."""
    pending = pending_bumps(session)
    for variant_id, on_hand, reserved in changes:
        before = pending.stock.get(variant_id, (0, 0))
        pending.stock[variant_id] = (before[0] + on_hand, before[1] + reserved)


def _stock_crossed_zero(conn, stock: dict[int, tuple[int, int]]) -> bool:
    """Whether any of these variants went in or out of stock (units on hand, or units to sell)."""
    variant = cast(Table, Variant.__table__)
    rows = conn.execute(select(variant.c.id, variant.c.stock_on_hand, variant.c.stock_reserved)
                        .where(variant.c.id.in_(sorted(stock))))
    for variant_id, on_hand, reserved in rows:
        on_hand_change, reserved_change = stock[variant_id]
        was_on_hand, was_reserved = on_hand - on_hand_change, reserved - reserved_change
        if (on_hand > 0) != (was_on_hand > 0) or (on_hand - reserved > 0) != (was_on_hand - was_reserved > 0):
            return True
    return False


def bump_versions(session: Session | scoped_session, pending: PendingBumps) -> None:
    """Move the counters inside the caller's transaction, after its other row locks: the lists'
    row, then the site's, then each page's in a fixed order."""
    conn = session.connection()
    table = cast(Table, CatalogVersion.__table__)
    lists = pending.lists or (bool(pending.stock) and _stock_crossed_zero(conn, pending.stock))
    rows = ([LISTS] if lists else []) + ([SITE] if pending.site else []) + ([IMPACT] if pending.impact else [])
    if rows:
        conn.execute(update(table).where(table.c.id.in_(rows)).values(version=table.c.version + 1))
    products, centres, variants = set(pending.products), set(pending.centres), pending.variants | set(pending.stock)
    if products or variants:  # the products (of these variants) and their centres, in one query
        variant, product = cast(Table, Variant.__table__), cast(Table, Product.__table__)
        of_variants = select(variant.c.product_id).where(variant.c.id.in_(variants or [0]))
        for product_id, centre_id in conn.execute(
            select(product.c.id, product.c.centre_id).where(or_(product.c.id.in_(products or [0]), product.c.id.in_(of_variants)))
        ):
            products.add(product_id)
            centres.add(centre_id)
    scopes = sorted({f"product:{i}" for i in products} | {f"centre:{i}" for i in centres})
    if scopes:
        conn.execute(_BUMP_PAGE, [{"scope": scope} for scope in scopes])


_BUMP_PAGE = text(
    "INSERT INTO page_version (scope, version) VALUES (:scope, 1) "
    "ON CONFLICT (scope) DO UPDATE SET version = page_version.version + 1"
)
