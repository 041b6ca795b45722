from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

from shop.backoffice import maintenance_routes, photos, routes  # noqa: E402,F401
