"""What search engines and chat apps read: language addresses, robots.txt, the sitemap, the icon."""
from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from flask import Response, abort, current_app, redirect, request, send_from_directory, session, url_for

from shop.caching import cached_fragment
from shop.language_urls import LANGUAGE_PREFIXES, here_path, localised_path, url_language
from shop.services.catalog import sitemap as sitemap_pages
from shop.services.catalog.sitemap import SitemapPage
from shop.storefront import bp

# The pages people share and search engines index, each with an address per language.
LANGUAGE_PAGES = frozenset({"storefront.home", "storefront.catalogue", "storefront.centre", "storefront.product"})


@bp.before_request
def _page_in_the_chosen_language():
    """A root (Thai) address opened by someone who chose English goes to its /en/ address."""
    if (request.method in ("GET", "HEAD") and request.endpoint in LANGUAGE_PAGES
            and url_language() is None and session.get("lang") == "en"):
        return redirect(localised_path(here_path(), "en"), 302)
    return None


# --- robots.txt, the sitemap, the icon ----------------------------------------------------

# Kept out of search engines: personal and staff pages, in both languages.
PRIVATE_PATHS = ("/cart", "/checkout", "/orders/", "/account/", "/language/", "/backoffice/", "/reports/")
NEUTRAL_PRIVATE_PATHS = ("/api/", "/webhooks/", "/metrics", "/readyz")
SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
XHTML_NS = 'xmlns:xhtml="http://www.w3.org/1999/xhtml"'


@bp.get("/robots.txt")
def robots_txt():
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in PRIVATE_PATHS]
    lines += [f"Disallow: {localised_path(path, 'en')}" for path in PRIVATE_PATHS]
    lines += [f"Disallow: {path}" for path in NEUTRAL_PRIVATE_PATHS]
    lines += ["Allow: /", "", f"Sitemap: {current_app.config['PUBLIC_URL']}/sitemap.xml", ""]
    return Response("\n".join(lines), mimetype="text/plain", headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder or "", "favicon.ico", max_age=7 * 86400,
                               mimetype="image/x-icon")


def _lastmod(moment: datetime | None) -> str:
    return f"<lastmod>{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</lastmod>" if moment else ""


def _url_entries(pages: list[SitemapPage], base: str) -> list[str]:
    """One <url> per page and language, each naming its translations (and x-default, Thai)."""
    entries: list[str] = []
    for page in pages:
        urls = {lang: escape(base + localised_path(page.path, lang)) for lang in LANGUAGE_PREFIXES}
        links = "".join(f'<xhtml:link rel="alternate" hreflang="{lang}" href="{url}"/>' for lang, url in urls.items())
        links += f'<xhtml:link rel="alternate" hreflang="x-default" href="{urls["th"]}"/>'
        entries.extend(f"<url><loc>{url}</loc>{_lastmod(page.lastmod)}{links}</url>" for url in urls.values())
    return entries


def _sitemap_parts(limit: int) -> tuple[list[list[SitemapPage]], datetime | None]:
    """The pages split so that no sitemap holds more than `limit` URLs (a page has one per language)."""
    pages = sitemap_pages.sitemap_pages()
    per_part = max(1, limit // len(LANGUAGE_PREFIXES))
    parts = [pages[i:i + per_part] for i in range(0, len(pages), per_part)] or [[]]
    newest = max((p.lastmod for p in pages if p.lastmod), default=None)
    return parts, newest


def _render_sitemap(part: int | None) -> str | None:
    """The whole sitemap, an index of numbered parts when it is too long, or part `part`."""
    base = current_app.config["PUBLIC_URL"]
    parts, newest = _sitemap_parts(current_app.config["SITEMAP_MAX_URLS"])
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    if part is None and len(parts) > 1:
        items = "".join(f"<sitemap><loc>{escape(base + url_for('storefront.sitemap_part', number=n))}</loc>{_lastmod(newest)}</sitemap>"
                        for n in range(1, len(parts) + 1))
        return f"{head}<sitemapindex {SITEMAP_NS}>{items}</sitemapindex>\n"
    if part is not None and not (len(parts) > 1 and 1 <= part <= len(parts)):
        return None
    pages = parts[0] if part is None else parts[part - 1]
    return f"{head}<urlset {SITEMAP_NS} {XHTML_NS}>" + "\n".join(_url_entries(pages, base)) + "</urlset>\n"


def _sitemap_response(part: int | None):
    limit = current_app.config["SITEMAP_MAX_URLS"]
    xml = cached_fragment("sitemap", (part, limit, current_app.config["PUBLIC_URL"]), lambda: _render_sitemap(part))
    if xml is None:
        abort(404)
    return Response(xml, mimetype="application/xml")


@bp.get("/sitemap.xml")
def sitemap():
    """Every active product and centre in both languages; an index of parts beyond SITEMAP_MAX_URLS."""
    return _sitemap_response(None)


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    return _sitemap_response(number)
