"""What the sitemap lists: every page search engines should know, with when it last changed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from shop.extensions import db
from shop.models import Centre, Product, Variant
from shop.services.thai import as_utc


@dataclass(frozen=True)
class SitemapPage:
    """A page that exists in every language: its path without a language prefix."""

    path: str
    lastmod: datetime | None


def _listed_products():
    sellable = select(Variant.id).where(Variant.product_id == Product.id, Variant.active.is_(True)).exists()
    return select(Product.slug, Product.updated_at, Product.centre_id).where(Product.status == "active", sellable)


def sitemap_pages() -> list[SitemapPage]:
    """The home page, the catalogue, each active centre and each listed product, in two queries."""
    products = db.session.execute(_listed_products().order_by(Product.id)).all()
    latest_by_centre: dict[int, datetime] = {}
    for _slug, updated, centre_id in products:
        moment = as_utc(updated)
        if centre_id not in latest_by_centre or moment > latest_by_centre[centre_id]:
            latest_by_centre[centre_id] = moment
    centres = db.session.execute(
        select(Centre.id, Centre.slug, Centre.created_at).where(Centre.active.is_(True)).order_by(Centre.id)
    ).all()
    newest = max(latest_by_centre.values(), default=None)
    pages = [SitemapPage("/", newest), SitemapPage("/products", newest)]
    for centre_id, slug, created in centres:
        moments = [as_utc(created), *([latest_by_centre[centre_id]] if centre_id in latest_by_centre else [])]
        pages.append(SitemapPage(f"/centres/{slug}", max(moments)))
    pages.extend(SitemapPage(f"/products/{slug}", as_utc(updated)) for slug, updated, _centre in products)
    return pages
