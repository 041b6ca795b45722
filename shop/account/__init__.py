from flask import Blueprint

from shop.caching import no_store

bp = Blueprint("account", __name__, url_prefix="/account")
bp.after_request(no_store)  # private pages: never kept by a browser or a proxy

from shop.account import routes  # noqa: E402,F401
