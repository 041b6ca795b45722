"""The back office: centre staff run their own centre; association admins run the network.

One blueprint, one module per area, each with its forms beside it (products.py and
product_forms.py, ...). Who may enter is decided in access.py; shared helpers are in common.py
and shared form fields in forms.py.
"""
from flask import Blueprint

from shop.caching import no_store

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")
bp.after_request(no_store)  # private pages: never kept by a browser or a proxy

from shop.backoffice import (  # noqa: E402,F401  (each area registers its views on bp)
    access,
    centres,
    locations,
    maintenance_routes,
    overview,
    parcels,
    payments,
    photos,
    products,
    sales,
    settlements,
    stock,
    workshops,
)
