from flask import Blueprint

bp = Blueprint("storefront", __name__)

from shop.storefront import routes  # noqa: E402,F401
from shop.storefront import checkout_routes  # noqa: E402,F401


@bp.before_request
def _expire_due_reservations():
    """Lazily give back the stock of unpaid orders past their hold (the cron does it too)."""
    from flask import request

    from shop.services.checkout import expire_if_due

    if request.endpoint not in {"storefront.healthz", "storefront.media", "storefront.set_language"}:
        expire_if_due()
