from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

from shop.backoffice import routes, settlements  # noqa: E402,F401
