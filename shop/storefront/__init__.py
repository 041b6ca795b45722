from flask import Blueprint

bp = Blueprint("storefront", __name__)

from shop.storefront import routes  # noqa: E402,F401
