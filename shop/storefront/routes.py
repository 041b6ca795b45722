"""Customer-facing catalogue pages: thin views over services.catalog."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_from_directory, session, url_for
from flask_babel import gettext as _

from shop.caching import CSRF_PLACEHOLDER, cached_fragment, per_site
from shop.i18n import LANGUAGES, current_language
from shop.language_urls import localised_path, neutral_path
from shop.models import REGIONS
from shop.routing import is_safe_path
from shop.services.catalog import browse as catalog
from shop.services.catalog.directory import read_directory
from shop.services.catalog.product_page import product_page, workshop_sessions
from shop.services.errors import DomainError
from shop.services.ordering import cart as carts
from shop.services.parsing import parse_id, parse_int
from shop.services.workshops import impact, makers
from shop.storefront import bp, seo


@bp.get("/")
def home():
    lang = current_language()

    def render() -> tuple[str, dict]:
        centres = per_site("directory", read_directory).centres_in(lang)
        featured = catalog.featured_products()
        html = render_template("storefront/_home_body.html", centres=centres, regions=REGIONS, featured=featured,
                               impact=impact.figures())
        return html, seo.home_meta(featured, lang)

    body, meta = cached_fragment("home", (lang,), render)
    return render_template("storefront/home.html", body=body, meta=meta)


@bp.get("/products")
def catalogue():
    try:
        filters = catalog.parse_filters(request.args)
    except catalog.BadFilter as bad:
        return render_template("storefront/bad_filter.html", message=bad_filter_message(bad)), 400
    return _product_list_page("storefront/catalogue.html", filters, centre=None)


@bp.get("/centres/<slug>")
def centre(slug: str):
    found = catalog.centre_by_slug(slug)
    if found is None:
        abort(404)
    args = request.args.to_dict()
    args["centre"] = found.slug
    try:
        filters = catalog.parse_filters(args)
    except catalog.BadFilter as bad:
        return render_template("storefront/bad_filter.html", message=bad_filter_message(bad)), 400
    return _product_list_page("storefront/centre.html", filters, centre=found)


def _product_list_page(template: str, filters: catalog.CatalogueFilters, centre):
    lang = current_language()
    per_page = current_app.config["CATALOGUE_PAGE_SIZE"]

    def render() -> tuple[str, dict] | None:
        result = catalog.search_products(filters, per_page)
        if filters.page > result.pages:
            return None
        directory = per_site("directory", read_directory)
        centres = directory.centres_in(lang)
        categories = list(directory.categories)
        if centre is None:
            meta = seo.catalogue_meta(filters, result.total, categories, centres, lang)
        else:
            meta = seo.centre_meta(centre, result.items, lang)
        html = render_template(
            "storefront/_product_list_body.html",
            result=result,
            filters=filters,
            centre=centre,
            centres=centres,
            provinces=directory.provinces_in(lang),
            regions=REGIONS,
            categories=categories,
            endpoint=request.endpoint,
            view_args=request.view_args or {},
        )
        return html, meta

    page = cached_fragment(template, (lang, filters, per_page), render)
    if page is None:  # a page past the last one
        abort(404)
    body, meta = page
    return render_template(template, body=body, meta=meta, filters=filters, centre=centre)


@bp.get("/products/<slug>")
def product(slug: str):
    lang = current_language()
    # Where the − / + buttons left the quantity and option (no JavaScript): bounded, else ignored.
    quantity = parse_int(request.args.get("quantity", ""), 1, carts.MAX_QUANTITY) or 1
    option = parse_id(request.args.get("option"))

    def render() -> tuple[str, str, dict] | None:
        found = product_page(slug)
        if found is None:
            return None
        meta = seo.product_meta(found, lang)
        html = render_template(
            "storefront/_product_body.html", product=found, csrf_placeholder=CSRF_PLACEHOLDER,
            share_url=meta["structured_data"][0]["url"], chosen_quantity=quantity, chosen_option=option,
            sessions=workshop_sessions(found) if found.is_workshop else [],
        )
        return found.localised("name", lang), html, meta

    # Only the plain page is kept: a stepped quantity is one visitor's, and ids in a link are unbounded.
    page = cached_fragment("product", (lang, slug), render, orm_reads=False) if (quantity, option) == (1, None) else render()
    if page is None:
        abort(404)
    title, body, meta = page  # the visitor's own CSRF token replaces the placeholder on the way out
    return render_template("storefront/product.html", title=title, body=body, meta=meta)


@bp.post("/products/<slug>/quantity")
def product_quantity(slug: str):
    """The − / + buttons without JavaScript: the product page again, the quantity moved by one."""
    if product_page(slug) is None:
        abort(404)
    try:
        quantity = carts.step_quantity(request.form.get("quantity"), request.form.get("step"))
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("storefront.product", slug=slug)), 303
    option = parse_id(request.form.get("variant_id"))
    target = url_for("storefront.product", slug=slug, quantity=str(quantity), option=str(option) if option else None)
    return redirect(target + "#quantity"), 303


@bp.get("/programme")
def programme():
    """The programme's impact, live from the data: people trained, income, OTOP, centres."""
    lang = current_language()

    def render() -> str:
        return render_template("storefront/_programme_body.html", impact=impact.figures(), centres=impact.by_centre(),
                               makers=makers.public_makers())

    return render_template("storefront/programme.html", body=cached_fragment("programme", (lang,), render))


@bp.get("/makers/<slug>")
def maker(slug: str):
    lang = current_language()

    def render() -> tuple[str, str] | None:
        group = makers.public_maker(slug)
        if group is None:
            return None
        return group.localised("name", lang), render_template("storefront/_maker_body.html", group=group,
                                                              products=makers.products_of(group))

    page = cached_fragment("maker", (lang, slug), render)
    if page is None:
        abort(404)
    title, body = page
    return render_template("storefront/maker.html", title=title, body=body)


@bp.get("/language/<code>")
def set_language(code: str):
    """The visible language switch; works as a plain link, without JavaScript."""
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    session.permanent = True
    # Only same-site paths, so the switch cannot be used as an open redirect.
    target = request.args.get("next", "")
    return redirect(localised_path(neutral_path(target if is_safe_path(target) else "/"), code))


@bp.get("/media/<path:filename>")
def media(filename: str):
    # Content-hashed names: the bytes behind a name never change, so cache for a year.
    return send_from_directory(current_app.config["MEDIA_FOLDER"], filename, max_age=31_536_000)


@bp.get("/healthz")
def healthz():
    """The bare endpoint: no database, no template. Load balancers and the benchmark use it."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def bad_filter_message(bad: catalog.BadFilter) -> str:
    messages = {
        "q": _("Your search is too long. Please use at most %(n)d characters.", n=catalog.MAX_QUERY_LENGTH),
        "sort": _("We cannot sort that way. Choose newest, price or name."),
        "page": _("That page number is not valid. Pages are whole numbers from 1."),
        "region": _("We do not know that region."),
        "province": _("We do not know that province."),
        "centre": _("We do not know that centre."),
        "category": _("We do not know that category."),
    }
    return messages.get(bad.field, _("That filter is not valid."))
