from flask import Blueprint

from shop.caching import no_store

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")
bp.after_request(no_store)  # private pages: never kept by a browser or a proxy

from shop.backoffice import maintenance_routes, routes  # noqa: E402,F401
