"""Stripe webhooks: CSRF-exempt, but nothing happens without a valid, fresh signature."""
from flask import Blueprint, current_app, jsonify, request

from shop.extensions import csrf
from shop.services.payments.stripe_checkout import MalformedEvent, handle_event, verify_webhook

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.post("/stripe")
@csrf.exempt
def stripe_webhook():
    payload = request.get_data(cache=False)  # the raw bytes Stripe signed, never re-serialised
    try:
        event = verify_webhook(payload, request.headers.get("Stripe-Signature", ""))
    except MalformedEvent as error:  # signed by Stripe, but not an event the shop can act on
        current_app.logger.warning("Refused a malformed Stripe event %s (%s): %s",
                                   error.event_id or "without id", error.event_type or "no type", error.reason)
        return jsonify(error="malformed event"), 400
    except ValueError as error:
        current_app.logger.warning("Refused a Stripe webhook: %s", error)
        return jsonify(error="invalid signature"), 400
    outcome = handle_event(event)  # commits before we answer
    current_app.logger.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    return jsonify(received=True, outcome=outcome), 200
