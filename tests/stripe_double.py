"""A local stand-in for the Stripe API and its hosted payment page, for tests only.

Its answers start from Stripe's published example objects (tests/stripe_fixtures, MIT licence)
with the fields the request decides filled in. It checks what the shop sends as Stripe's
current API would (amounts in satang as integers, THB, idempotency keys, expires_at between
30 minutes and 24 hours, no parameter the API version dropped) and serves a minimal payment
page whose pay, fail and cancel buttons send correctly signed webhooks to the shop. A paid session
gets a succeeded charge whose balance transaction holds Stripe's fee (`fee_for`, the Thai card fee
by default), served on GET /v1/payment_intents/<id> with `expand[]=latest_charge.balance_transaction`.

In-process tests plug `DoubleHTTPClient` into the real `stripe.StripeClient`; browser tests
serve the same Flask app on a loopback port.
"""
from __future__ import annotations

import copy
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe
from flask import Flask, jsonify, redirect, request

FIXTURES = Path(__file__).resolve().parent / "stripe_fixtures" / "fixtures.json"
DROPPED_PARAMETERS = {"payment_method_types"}  # replaced by allowed_payment_method_types
METHODS = {"card", "promptpay"}
MINIMUM_SATANG = 1000  # Stripe's minimum charge in THB is about ฿10


def load_fixtures() -> dict[str, Any]:
    """Stripe's published example objects, shipped beside this file (see its README and LICENSE)."""
    return json.loads(FIXTURES.read_text(encoding="utf-8"))["resources"]


def thai_card_fee(amount: int) -> int:
    """Stripe Thailand's card fee, 3.65%, plus 7% VAT on the fee, each rounded to the satang."""
    base = (amount * 365 + 5000) // 10000
    return base + (base * 7 + 50) // 100


def nested(form: list[tuple[str, str]]) -> dict[str, Any]:
    """'line_items[0][price_data][unit_amount]=45000' -> {'line_items': [{'price_data': {...}}]}."""
    root: dict[str, Any] = {}
    for key, value in form:
        parts = key.replace("]", "").split("[")
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            nxt = parts[index + 1] if not last else None
            container: Any = [] if nxt is not None and nxt.isdigit() else {}
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append(None)
                if last:
                    node[position] = value
                else:
                    node[position] = node[position] if node[position] is not None else container
                    node = node[position]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, container)
    return root


class StripeDouble:
    def __init__(self, webhook_secret: str, base_url: str = "http://stripe.test") -> None:
        self.fixtures = load_fixtures()
        self.secret = webhook_secret
        self.base_url = base_url
        self.mode = "up"  # "up", "down" (connection refused), "error" (HTTP 500), "slow"
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}  # by payment intent: the succeeded charge, with its balance transaction
        self.fee_for: Callable[[int], int] = thai_card_fee
        self.idempotency: dict[str, tuple[str, int, str]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.events: list[dict] = []  # every event sent, for replay tests
        self.deliver: Callable[[bytes, str], int] | None = None
        self.lock = threading.Lock()
        self.app = self._make_app()

    # --- helpers ----------------------------------------------------------------------
    def _error(self, status: int, kind: str, message: str, param: str = ""):
        return jsonify(error={"type": kind, "message": message, "param": param}), status

    def _event(self, kind: str, obj: dict) -> dict:
        event = copy.deepcopy(self.fixtures["event"])
        event.update(id="evt_" + secrets.token_hex(12), type=kind, created=int(time.time()),
                     data={"object": copy.deepcopy(obj)}, api_version="2026-10-28.endive")
        return event

    def send(self, kind: str, obj: dict) -> int:
        event = self._event(kind, obj)
        self.events.append(event)
        return self.post_event(event)

    def post_event(self, event: dict, timestamp: int | None = None, secret: str | None = None) -> int:
        payload = json.dumps(event)
        signature = stripe.WebhookSignature.generate_signature_header(payload, secret or self.secret, timestamp=timestamp)
        if self.deliver is None:
            raise RuntimeError("the double does not know where to deliver webhooks")
        return self.deliver(payload.encode(), signature)

    def _idempotent(self, handler):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return self._error(400, "invalid_request_error", "This double insists on an Idempotency-Key for every POST.")
        if len(key) > 255:
            return self._error(400, "invalid_request_error", "Idempotency keys are at most 255 characters.")
        body = request.get_data(as_text=True)
        with self.lock:
            if key in self.idempotency:
                seen_body, status, answer = self.idempotency[key]
                if seen_body != body:
                    return self._error(400, "idempotency_error",
                                       "Keys for idempotent requests can only be used with the same parameters they were first used with.")
                return answer, status, {"Content-Type": "application/json", "Idempotent-Replayed": "true"}
            response, status = handler(nested(parse_qsl(body, keep_blank_values=True)))
            answer = json.dumps(response)
            if status < 500:
                self.idempotency[key] = (body, status, answer)
        return answer, status, {"Content-Type": "application/json"}

    # --- the API ------------------------------------------------------------------------
    def create_session(self, params: dict) -> tuple[dict, int]:
        dropped = DROPPED_PARAMETERS & params.keys()
        if dropped:
            return {"error": {"type": "invalid_request_error", "message": f"Received unknown parameter: {dropped.pop()}"}}, 400
        problems = []
        if params.get("mode") != "payment":
            problems.append("mode must be payment")
        if params.get("currency") != "thb":
            problems.append("currency must be thb")
        methods = set(params.get("allowed_payment_method_types") or [])
        if not methods or not methods <= METHODS:
            problems.append(f"allowed_payment_method_types must be within {sorted(METHODS)}")
        total = 0
        for item in params.get("line_items") or []:
            price = item.get("price_data", {})
            amount, quantity = str(price.get("unit_amount", "")), str(item.get("quantity", ""))
            if price.get("currency") != "thb" or not amount.isdigit() or not quantity.isdigit() or int(quantity) < 1:
                problems.append(f"bad line item {item}")
                continue
            if not price.get("product_data", {}).get("name"):
                problems.append("a line item has no name")
            total += int(amount) * int(quantity)
        if not params.get("line_items"):
            problems.append("line_items are required")
        if total < MINIMUM_SATANG:
            problems.append("amount_total is below the minimum charge")
        expires = str(params.get("expires_at", ""))
        now = int(time.time())
        if not expires.isdigit() or not now + 30 * 60 - 5 <= int(expires) <= now + 24 * 3600:
            problems.append("expires_at must be 30 minutes to 24 hours from now")
        for name in ("success_url", "cancel_url", "client_reference_id", "customer_email"):
            if not params.get(name):
                problems.append(f"{name} is required")
        if params.get("locale") not in {"th", "en", "auto"}:
            problems.append("locale")
        if problems:
            return {"error": {"type": "invalid_request_error", "message": "; ".join(problems)}}, 400
        session = copy.deepcopy(self.fixtures["checkout.session"])
        session_id = "cs_test_" + secrets.token_hex(16)
        session.update(
            id=session_id, object="checkout.session", mode="payment", currency="thb", amount_total=total,
            amount_subtotal=total, status="open", payment_status="unpaid", payment_intent=None,
            client_reference_id=params["client_reference_id"], customer_email=params["customer_email"],
            metadata=params.get("metadata", {}), locale=params["locale"], expires_at=int(expires),
            success_url=params["success_url"], cancel_url=params["cancel_url"], created=now,
            payment_method_types=sorted(methods), url=f"{self.base_url}/pay/{session_id}",
        )
        self.sessions[session_id] = session
        return session, 200

    def create_refund(self, params: dict) -> tuple[dict, int]:
        intent, amount = params.get("payment_intent"), str(params.get("amount", ""))
        session = next((s for s in self.sessions.values() if s.get("payment_intent") == intent), None)
        if session is None or not amount.isdigit():
            return {"error": {"type": "invalid_request_error", "message": "No such payment_intent or bad amount"}}, 400
        already = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent)
        if already + int(amount) > session["amount_total"]:
            return {"error": {"type": "invalid_request_error", "message": "Refund is greater than unrefunded charge"}}, 400
        refund = copy.deepcopy(self.fixtures["refund"])
        refund.update(id="re_" + secrets.token_hex(12), amount=int(amount), currency="thb", payment_intent=intent,
                      metadata=params.get("metadata", {}), status="succeeded", created=int(time.time()))
        self.refunds[refund["id"]] = refund
        return refund, 200

    def _make_app(self) -> Flask:
        app = Flask("stripe-double")

        @app.before_request
        def record_and_fail():
            self.requests.append((request.method, request.path, dict(request.headers)))
            if request.path.startswith("/v1/"):
                if self.mode == "error":
                    return self._error(500, "api_error", "Something went wrong on Stripe's end.")
                if not request.headers.get("Authorization", "").startswith("Bearer sk_test_"):
                    return self._error(401, "invalid_request_error", "Invalid API Key provided")
            return None

        @app.post("/v1/checkout/sessions")
        def sessions_create():
            return self._idempotent(self.create_session)

        @app.get("/v1/checkout/sessions/<session_id>")
        def sessions_retrieve(session_id):
            session = self.sessions.get(session_id)
            return (jsonify(session), 200) if session else self._error(404, "invalid_request_error", "No such checkout.session")

        @app.post("/v1/checkout/sessions/<session_id>/expire")
        def sessions_expire(session_id):
            return jsonify(self.expire(session_id))

        @app.get("/v1/payment_intents/<intent_id>")
        def payment_intents_retrieve(intent_id):
            session = next((s for s in self.sessions.values() if s.get("payment_intent") == intent_id), None)
            if session is None:
                return self._error(404, "invalid_request_error", "No such payment_intent")
            intent = copy.deepcopy(self.fixtures["payment_intent"])
            charge = copy.deepcopy(self.charges.get(intent_id))
            expand = {value for key, value in request.args.items(multi=True) if key.startswith("expand")}
            if charge is not None and "latest_charge.balance_transaction" not in expand:
                charge["balance_transaction"] = charge["balance_transaction"]["id"]
            if charge is not None and not expand & {"latest_charge", "latest_charge.balance_transaction"}:
                charge = charge["id"]
            intent.update(id=intent_id, amount=session["amount_total"], currency="thb", latest_charge=charge,
                          status="succeeded" if charge else "requires_payment_method", metadata={})
            return jsonify(intent)

        @app.post("/v1/refunds")
        def refunds_create():
            return self._idempotent(self.create_refund)

        @app.get("/pay/<session_id>")
        def pay_page(session_id):
            session = self.sessions.get(session_id)
            if session is None:
                return "No such session", 404
            return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Stripe test payment</title></head><body><h1>Stripe test payment</h1>
<p>Pay THB {session['amount_total'] / 100:,.2f} to Relearn Shop ({session['client_reference_id']})</p>
<form method="post" action="/pay/{session_id}/card"><button>Pay by card</button></form>
<form method="post" action="/pay/{session_id}/promptpay"><button>Pay by PromptPay</button></form>
<form method="post" action="/pay/{session_id}/fail"><button>Card declined</button></form>
<form method="post" action="/pay/{session_id}/cancel"><button>Cancel and go back</button></form>
</body></html>"""

        @app.post("/pay/<session_id>/<action>")
        def pay_action(session_id, action):
            session = self.sessions.get(session_id)
            if session is None or session["status"] == "expired":
                return "This session has expired", 410
            back = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
            if action == "card":
                self.complete(session_id, paid=True)
            elif action == "promptpay":
                self.complete(session_id, paid=False)
            elif action == "fail":
                return f'<p>Your card was declined.</p><p><a href="/pay/{session_id}">Try again</a></p>', 402
            elif action == "cancel":
                return redirect(session["cancel_url"])
            else:
                return "unknown action", 404
            return redirect(back)

        return app

    # --- what happens at Stripe, driven by tests ------------------------------------------
    def _charge(self, session: dict) -> None:
        """The succeeded charge behind a paid session, with the balance transaction that holds Stripe's fee."""
        amount, fee = session["amount_total"], self.fee_for(session["amount_total"])
        balance = copy.deepcopy(self.fixtures["balance_transaction"])
        charge = copy.deepcopy(self.fixtures["charge"])
        charge_id = "ch_" + secrets.token_hex(12)
        balance.update(id="txn_" + secrets.token_hex(12), amount=amount, currency="thb", fee=fee, net=amount - fee,
                       source=charge_id, fee_details=[{"amount": fee, "currency": "thb", "type": "stripe_fee",
                                                       "description": "Stripe processing fees", "application": None}])
        charge.update(id=charge_id, amount=amount, currency="thb", payment_intent=session["payment_intent"],
                      paid=True, status="succeeded", balance_transaction=balance)
        self.charges[session["payment_intent"]] = charge

    def complete(self, session_id: str, paid: bool) -> int:
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid" if paid else "unpaid",
                       payment_intent="pi_" + secrets.token_hex(12))
        if paid:
            self._charge(session)
        return self.send("checkout.session.completed", session)

    def promptpay_settles(self, session_id: str, succeeded: bool = True) -> int:
        session = self.sessions[session_id]
        session["payment_status"] = "paid" if succeeded else "unpaid"
        if succeeded:
            self._charge(session)
        kind = "checkout.session.async_payment_succeeded" if succeeded else "checkout.session.async_payment_failed"
        return self.send(kind, session)

    def expire(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        if session["status"] == "open":
            session.update(status="expired")
            self.send("checkout.session.expired", session)
        return session

    def dashboard_refund(self, session_id: str, amount: int) -> int:
        """A refund made by hand in the Stripe dashboard: only a charge.refunded event tells us."""
        session = self.sessions[session_id]
        refund, _status = self.create_refund({"payment_intent": session["payment_intent"], "amount": str(amount)})
        charge = copy.deepcopy(self.fixtures["charge"])
        charge.update(id="ch_" + secrets.token_hex(12), amount=session["amount_total"], currency="thb",
                      payment_intent=session["payment_intent"], refunded=False, amount_refunded=amount,
                      refunds={"object": "list", "data": [refund], "has_more": False})
        return self.send("charge.refunded", charge)


class DoubleHTTPClient(stripe.HTTPClient):
    """The stripe SDK's transport, answered in-process by the double (no sockets)."""

    name = "stripe-double"

    def __init__(self, double: StripeDouble) -> None:
        super().__init__()
        self.double = double

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        if self.double.mode == "down":
            raise stripe.APIConnectionError("Could not connect to Stripe (the double is down)")
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = self.double.app.test_client().open(path, method=method.upper(), data=post_data,
                                                      headers=dict(headers or {}))
        return response.get_data(as_text=True), response.status_code, dict(response.headers)

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError

    def close(self):
        pass


def deliver_over_http(url: str) -> Callable[[bytes, str], int]:
    def deliver(payload: bytes, signature: str) -> int:
        req = urllib.request.Request(url, data=payload, method="POST",
                                     headers={"Content-Type": "application/json", "Stripe-Signature": signature})
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    return deliver
