"""What a catalogue page tells search engines and chat apps: its own description, a preview
(OpenGraph and Twitter tags: title, description, photo, price) and structured data (JSON-LD).

Each builder runs inside the page's cached render, from rows it already loaded: no query of its
own. base.html writes the result into the page's <head>.
"""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _

from shop.models import Centre, ProductImage
from shop.services.catalog.browse import CatalogueFilters
from shop.services.catalog.cards import PhotoFile, ProductCard
from shop.services.catalog.directory import CategoryEntry, CentreEntry
from shop.services.catalog.product_page import ProductPage
from shop.services.money import format_baht

SCHEMA = "https://schema.org"
DESCRIPTION_LENGTH = 160
# The association, as the footer names it: who runs the shop (the home page's Organization).
PHONE = "+66-89-893-9397"
STREET = "1346 Khlong Chan"
LOCALITY = "Bang Kapi, Bangkok"
POSTCODE = "10240"


def absolute(path: str) -> str:
    return current_app.config["PUBLIC_URL"] + path


def summary(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """One line of at most `limit` characters, cut at a space when there is one near the end."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:  # Thai runs words together: cut mid-phrase rather than lose half
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def decimal_baht(satang: int) -> str:
    """Satang as schema.org and OpenGraph want a price: "650.00"."""
    return f"{satang // 100}.{satang % 100:02d}"


def image_preview(image: ProductImage | PhotoFile, alt: str) -> dict:
    """The full-size JPEG (at most 1200 px): a size and format LINE, Facebook and X all take."""
    return {"url": absolute(url_for("storefront.media", filename=image.filename)),
            "width": image.width, "height": image.height, "alt": alt}


def breadcrumbs(trail: list[tuple[str, str]]) -> dict:
    return {
        "@context": SCHEMA, "@type": "BreadcrumbList",
        "itemListElement": [{"@type": "ListItem", "position": n, "name": name, "item": url}
                            for n, (name, url) in enumerate(trail, start=1)],
    }


def _home_crumb() -> tuple[str, str]:
    return _("Relearn Shop"), absolute(url_for("storefront.home"))


def _catalogue_crumb() -> tuple[str, str]:
    return _("All products"), absolute(url_for("storefront.catalogue"))


def product_meta(product: ProductPage, lang: str) -> dict:
    """A product page: Product with one Offer per option (THB, availability from stock, sold by
    the centre), the breadcrumb trail, and a preview with the first photo and the price."""
    name = product.localised("name", lang)
    centre_name = product.centre.localised("name", lang)
    url = absolute(url_for("storefront.product", slug=product.slug))
    centre_url = absolute(url_for("storefront.centre", slug=product.centre.slug))
    description = summary(product.localised("description", lang)) or _(
        "%(product)s, handmade by %(centre)s.", product=name, centre=centre_name)
    seller = {"@type": "Organization", "name": centre_name, "url": centre_url}
    offers = [
        {"@type": "Offer", "sku": variant.sku, "name": variant.localised("name", lang) or name,
         "price": decimal_baht(variant.price_satang), "priceCurrency": "THB",
         "availability": f"{SCHEMA}/{'InStock' if variant.available > 0 else 'OutOfStock'}",
         "itemCondition": f"{SCHEMA}/NewCondition", "url": url, "seller": seller}
        for variant in product.sellable_variants
    ]
    photos = [absolute(url_for("storefront.media", filename=image.filename)) for image in product.images]
    structured = {
        "@context": SCHEMA, "@type": "Product", "name": name, "url": url,
        "description": " ".join(product.localised("description", lang).split())[:5000] or description,
        "category": product.category.localised("name", lang),
        "sku": offers[0]["sku"] if offers else product.slug,
        "offers": offers[0] if len(offers) == 1 else offers,
        **({"image": photos} if photos else {}),
    }
    category_url = absolute(url_for("storefront.catalogue", category=product.category.slug))
    trail = [_home_crumb(), _catalogue_crumb(), (product.category.localised("name", lang), category_url), (name, url)]
    meta: dict = {"title": name, "description": description, "og_type": "product",
                  "structured_data": [structured, breadcrumbs(trail)]}
    image = product.main_image
    if image:
        meta["image"] = image_preview(image, image.alt(lang) or name)
    if product.price_from_satang is not None:
        meta["price"] = {"amount": decimal_baht(product.price_from_satang), "label": format_baht(product.price_from_satang),
                         "in_stock": product.stock_available > 0}
    return meta


def centre_meta(centre: Centre, products: list[ProductCard], lang: str) -> dict:
    """A centre's page: its story as the description, a photo of one of its products."""
    name = centre.localised("name", lang)
    description = summary(centre.localised("story", lang)) or _(
        "Handmade products from %(centre)s, %(province)s.", centre=name, province=centre.province_name(lang))
    trail = [_home_crumb(), (name, absolute(url_for("storefront.centre", slug=centre.slug)))]
    meta: dict = {"title": name, "description": description, "structured_data": [breadcrumbs(trail)]}
    image = next((p.main_image for p in products if p.main_image), None)
    if image:
        meta["image"] = image_preview(image, image.alt(lang) or name)
    return meta


def catalogue_meta(filters: CatalogueFilters, total: int, categories: list[CategoryEntry],
                   centres: list[CentreEntry], lang: str) -> dict:
    """The catalogue: what this list holds, in a sentence."""
    category = next((c for c in categories if c.slug == filters.category), None)
    centre = next((c for c in centres if c.slug == filters.centre), None)
    if filters.q:
        description = _("%(count)d handmade products found for “%(q)s” in the Relearn Shop.", count=total, q=filters.q)
    elif category and centre:
        description = _("%(category)s handmade by %(centre)s: %(count)d products, every baht back to the centre.",
                        category=category.localised("name", lang), centre=centre.localised("name", lang), count=total)
    elif category:
        description = _("%(category)s handmade by learners in Thai public libraries: %(count)d products, every baht "
                        "back to the centre that made them.", category=category.localised("name", lang), count=total)
    else:
        description = _("%(count)d handmade products from the Relearning Space learning centres in Thai public "
                        "libraries: cloth, bags, baskets, herbal goods, food and woodcraft.", count=total)
    trail = [_home_crumb(), _catalogue_crumb()]
    if category:
        trail.append((category.localised("name", lang), absolute(url_for("storefront.catalogue", category=category.slug))))
    return {"description": summary(description, 200), "structured_data": [breadcrumbs(trail)]}


def home_meta(featured: list[ProductCard], lang: str) -> dict:
    """The home page: the Organization behind the shop and a search box for search engines."""
    home = absolute(url_for("storefront.home"))
    organization = {
        "@context": SCHEMA, "@type": "Organization", "name": _("Relearn Shop"),
        "alternateName": "Relearning Space @ Library", "url": home,
        "logo": absolute(url_for("static", filename="img/icon-512.png", v=None)),
        "description": _("Relearning Space @ Library is run by the Thai Library Association with the support of the "
                         "SET Foundation. Every purchase goes back to the learning centre that made it."),
        "telephone": PHONE,
        "address": {"@type": "PostalAddress", "streetAddress": STREET, "addressLocality": LOCALITY,
                    "postalCode": POSTCODE, "addressCountry": "TH"},
        "parentOrganization": {"@type": "Organization", "name": _("Thai Library Association")},
    }
    site = {
        "@context": SCHEMA, "@type": "WebSite", "name": _("Relearn Shop"), "url": home, "inLanguage": lang,
        "potentialAction": {"@type": "SearchAction",
                            "target": absolute(url_for("storefront.catalogue")) + "?q={search_term_string}",
                            "query-input": "required name=search_term_string"},
    }
    meta: dict = {
        "description": _("Handmade cloth, bags, baskets, herbal goods and food from nine Relearning Space learning "
                         "centres in Thai public libraries. Every baht goes back to the centre that made it."),
        "structured_data": [organization, site],
    }
    image = next((p.main_image for p in featured if p.main_image), None)
    if image:
        meta["image"] = image_preview(image, image.alt(lang) or _("Relearn Shop"))
    return meta
