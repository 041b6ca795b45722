from flask import Blueprint, request, session

from shop.caching import PAGE_ENDPOINTS, no_store, serve_cached_page, store_and_personalise
from shop.i18n import current_language

bp = Blueprint("storefront", __name__)

# The route modules register their views on bp when imported.
# seo_routes first: its language redirect runs before the cached page is served.
from shop.storefront import seo_routes  # noqa: E402,F401,I001
from shop.storefront import checkout_routes, info_routes, routes  # noqa: E402,F401

UNCACHED_ENDPOINTS = {"storefront.healthz", "storefront.media", "storefront.set_language",
                      "storefront.robots_txt", "storefront.favicon", "storefront.postcode_lookup",
                      "storefront.web_manifest"}
# Everything else here is one visitor's own (cart, checkout, orders) and answers Cache-Control: no-store.
PUBLIC_ENDPOINTS = {"storefront.home", "storefront.catalogue", "storefront.centre", "storefront.product",
                    "storefront.programme", "storefront.maker",
                    "storefront.healthz", "storefront.media", "storefront.robots_txt", "storefront.favicon",
                    "storefront.sitemap", "storefront.sitemap_part", "storefront.postcode_lookup",
                    "storefront.web_manifest"}


@bp.before_request
def _catalogue_state():
    """Read the catalogue version (expiring overdue stock holds lazily) and serve cached pages."""
    if request.endpoint not in UNCACHED_ENDPOINTS:
        return serve_cached_page(current_language())
    return None


@bp.after_request
def _cache_page(response):
    if request.endpoint not in PUBLIC_ENDPOINTS or (request.endpoint in PAGE_ENDPOINTS and "_user_id" in session):
        no_store(response)
    response = store_and_personalise(response)
    if session.modified and response.headers.get("Cache-Control", "").startswith("public"):
        # This answer sets the visitor's session cookie (a new CSRF token): a shared cache must
        # never keep it, or it would hand one visitor's session to the next.
        response.headers["Cache-Control"] = "private, no-cache"
    return response
