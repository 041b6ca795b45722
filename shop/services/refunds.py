"""Refunds: whole order, one centre's parcel, or some lines; each baht traced to its centre."""
from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

import stripe
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.models import Order, Payment, Refund, RefundLine, User
from shop.services import audit, inventory
from shop.services.errors import DomainError
from shop.services.money import format_baht

if TYPE_CHECKING:
    from stripe.params import RefundCreateParams


class RefundTooLarge(DomainError):
    message = _l("That is more than is left to refund on this order.")


def refunded_quantities(order_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(RefundLine.order_line_id, func.sum(RefundLine.quantity))
        .join(RefundLine.refund).where(Refund.order_id == order_id).group_by(RefundLine.order_line_id)
    ).all()
    return {line_id: int(qty or 0) for line_id, qty in rows}


def refunded_total(order_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(Refund.amount_satang), 0)).where(Refund.order_id == order_id)) or 0)


def paid_total(order_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(Payment.amount_satang), 0)).where(Payment.order_id == order_id)) or 0)


def encode_selection(lines: dict[int, int], shipments: list[int]) -> str:
    """Compact text for Stripe metadata: '12x1,13x2|s4' (line x quantity | shipments whose fee)."""
    return ",".join(f"{k}x{v}" for k, v in sorted(lines.items()) if v) + "|" + ",".join(f"s{s}" for s in sorted(shipments))


def decode_selection(text: str) -> tuple[dict[int, int], list[int]]:
    """The reverse of encode_selection; raises ValueError for text it did not write."""
    lines_part, _, ship_part = (text or "").partition("|")
    lines: dict[int, int] = {}
    for part in filter(None, lines_part.split(",")):
        found = re.fullmatch(r"([0-9]{1,18})x([0-9]{1,9})", part)
        if found is None:
            raise ValueError("not a line selection")
        lines[int(found[1])] = int(found[2])
    shipments = []
    for part in filter(None, ship_part.split(",")):
        found = re.fullmatch(r"s([0-9]{1,18})", part)
        if found is None:
            raise ValueError("not a shipment selection")
        shipments.append(int(found[1]))
    return lines, shipments


def plan(order: Order, lines: dict[int, int], shipment_ids: list[int]) -> tuple[int, int]:
    """(products, shipping) in satang for this selection, checked against what is left."""
    by_id = {line.id: line for line in order.lines}
    already = refunded_quantities(order.id)
    products = 0
    for line_id, quantity in lines.items():
        line = by_id.get(line_id)
        if line is None or quantity < 0 or quantity > line.quantity - already.get(line_id, 0):
            raise RefundTooLarge()
        products += line.unit_price_satang * quantity
    shipping = 0
    for shipment in order.shipments:
        if shipment.id in shipment_ids:
            shipping += shipment.shipping_fee_satang
    if products + shipping <= 0 or products + shipping + refunded_total(order.id) > paid_total(order.id):
        raise RefundTooLarge()
    return products, shipping


def whole_shipment(order: Order, shipment_id: int) -> dict[int, int]:
    already = refunded_quantities(order.id)
    return {ln.id: ln.quantity - already.get(ln.id, 0) for ln in order.lines if ln.shipment_id == shipment_id}


def refund(actor: User, order_id: int, lines: dict[int, int], shipment_ids: list[int], *, restock: bool, reason: str = "") -> Refund:
    """An admin refunds part or all of a paid order: through Stripe, or recorded for a transfer."""
    if not actor.is_admin:
        raise DomainError()
    order = db.session.get(Order, order_id)
    if order is None or order.status != "paid":
        raise DomainError(_l("Only paid orders can be refunded."))
    lines = {k: v for k, v in lines.items() if v}
    products, shipping = plan(order, lines, shipment_ids)
    selection = encode_selection(lines, shipment_ids)
    if order.payment_method == "stripe":
        from shop.services.payments.stripe_checkout import StripeUnavailable, client, refund_key

        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.method == "stripe").order_by(Payment.id))
        if payment is None:
            raise DomainError()
        count = db.session.scalar(select(func.count(Refund.id)).where(Refund.order_id == order.id)) or 0
        params: RefundCreateParams = {
            "payment_intent": payment.reference,
            "amount": products + shipping,
            "metadata": {"order_number": order.number, "selection": selection, "restock": "1" if restock else "0"},
        }
        try:
            made = client().v1.refunds.create(
                params=params, options={"idempotency_key": refund_key(order.number, f"{count}:{selection}")}
            )
        except stripe.StripeError as error:
            current_app.logger.warning("Stripe refund for %s failed: %s", order.number, type(error).__name__)
            raise StripeUnavailable() from None
        reference, method = made["id"], "stripe"
    else:
        count = db.session.scalar(select(func.count(Refund.id)).where(Refund.order_id == order.id)) or 0
        reference, method = f"manual-{order.number}-{count + 1}", order.payment_method
    return record_refund(order.id, reference, method, lines, shipment_ids, products + shipping,
                         restock=restock, reason=reason, actor=actor)


def record_refund(order_id: int, reference: str, method: str, lines: dict[int, int], shipment_ids: list[int],
                  amount_satang: int, *, restock: bool, reason: str = "", actor: User | None = None) -> Refund:
    """Write the refund once per reference, with its lines per centre; return stock if asked."""
    begin_write()
    existing = db.session.scalar(select(Refund).where(Refund.reference == reference))
    if existing is not None:
        db.session.rollback()
        return existing
    order = db.session.get(Order, order_id)
    if order is None:
        db.session.rollback()
        raise DomainError()
    refund = _book(order, reference, method, lines, shipment_ids, amount_satang, restock=restock, reason=reason, actor=actor)
    return _commit(refund)


def _book(order: Order, reference: str, method: str, lines: dict[int, int], shipment_ids: list[int],
          amount_satang: int, *, restock: bool, reason: str, actor: User | None) -> Refund:
    """The refund, its lines, its ledger entries and returned stock, in the caller's transaction."""
    by_id = {line.id: line for line in order.lines}
    shipping = sum(s.shipping_fee_satang for s in order.shipments if s.id in shipment_ids)
    refund = Refund(order_id=order.id, reference=reference, method=method, amount_satang=amount_satang,
                    shipping_satang=shipping, reason=reason[:1000], created_by_id=actor.id if actor else None)
    products = amount_satang - shipping
    if lines:
        for line_id, quantity in lines.items():
            line = by_id[line_id]
            refund.lines.append(RefundLine(order_line_id=line.id, centre_id=line.centre_id, quantity=quantity,
                                           amount_satang=line.unit_price_satang * quantity))
    elif products > 0:
        _spread(refund, order, products)
    db.session.add(refund)
    db.session.flush()
    from shop.models._base import utcnow
    from shop.services import ledger

    ledger.record_refund(refund, order, shipment_ids, utcnow())  # negative, on the day refunded
    if restock:
        _return_to_stock(order, lines, actor)
    audit.record(actor, "refund.create", refund, centre_id=None,
                 after={"reference": refund.reference, "amount_satang": amount_satang, "lines": lines, "restock": restock})
    return refund


def _commit(refund: Refund) -> Refund:
    reference = refund.reference
    try:
        db.session.commit()
    except IntegrityError:  # recorded meanwhile by the webhook (or the admin) for the same refund
        db.session.rollback()
        recorded = db.session.scalar(select(Refund).where(Refund.reference == reference))
        if recorded is None:
            raise
        return recorded
    from shop.metrics import count

    count("refunds", method=refund.method)
    return refund


def _spread(refund: Refund, order: Order, amount: int) -> None:
    """A refund made in the Stripe dashboard names no lines: split it over them by value."""
    total = sum(ln.line_total_satang for ln in order.lines) or 1
    shares = [(ln, amount * ln.line_total_satang // total) for ln in order.lines]
    left = amount - sum(s for _, s in shares)
    for index, (line, share) in enumerate(shares):
        extra = 1 if index < left else 0
        if share + extra:
            refund.lines.append(RefundLine(order_line_id=line.id, centre_id=line.centre_id, quantity=0, amount_satang=share + extra))


def _return_to_stock(order: Order, lines: dict[int, int], actor: User | None) -> None:
    shipments = {s.id: s for s in order.shipments}
    for line in order.lines:
        quantity = lines.get(line.id, 0)
        if not quantity:
            continue
        status = shipments[line.shipment_id].status
        if status in {"shipped", "delivered"}:
            inventory.change_on_hand(line.variant_id, quantity, "return", user_id=actor.id if actor else None,
                                     note=f"refund of order {order.number}")
        elif status in {"to_pack", "packed"}:
            inventory.release([(line.variant_id, quantity)], order.id, note="refunded before shipping")


def record_provider_refunds(obj: Any) -> str:
    """A refund made or changed at Stripe (charge.refunded / refund.*): record what is new and fits.

    A refund is booked only against a Stripe payment the shop recorded for a paid order, and only
    up to what was paid and not yet refunded; anything else is flagged on the order, not booked.
    """
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    if data.get("object") == "charge":
        items, charge_intent = (data.get("refunds") or {}).get("data") or [], data.get("payment_intent")
    else:
        items, charge_intent = [data], None
    outcomes = Counter(_record_provider_refund(item, charge_intent) for item in items if item.get("status") in {"succeeded", "pending"})
    summary = f"refunds recorded: {outcomes['recorded']}"
    return summary + (f", flagged: {outcomes['flagged']}" if outcomes["flagged"] else "")


def _record_provider_refund(item: dict, charge_intent: str | None) -> str:
    from shop.services.payments.stripe_checkout import flag_for_admin

    reference, amount, metadata = item["id"], int(item["amount"]), item.get("metadata") or {}
    intent = item.get("payment_intent") or charge_intent
    begin_write()
    if db.session.scalar(select(Refund.id).where(Refund.reference == reference)) is not None:
        db.session.rollback()
        return "known"
    number = metadata.get("order_number")
    named_id = db.session.scalar(select(Order.id).where(Order.number == number)) if number else None
    payment = db.session.scalar(select(Payment).where(Payment.method == "stripe", Payment.reference == intent)) if intent else None
    ids = sorted({i for i in (named_id, payment.order_id if payment else None) if i is not None})
    orders = {o.id: o for o in db.session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id).with_for_update())}
    named = orders.get(named_id) if named_id else None
    order = orders.get(payment.order_id) if payment else None
    if payment is None or order is None or (named is not None and named.id != order.id):
        current_app.logger.error("Stripe refund %s (payment %s) names order %s; the shop recorded that payment for %s",
                                 reference, intent, number, order.number if order else "no order")
        if named is None:
            db.session.rollback()
            return "unknown"
        flag_for_admin(named, _l("Stripe reported a refund of %(amount)s for order %(number)s, but the shop has no record of that "
                                 "payment for this order. Nothing was booked; please check it in the Stripe dashboard.",
                                 amount=format_baht(amount), number=named.number))
        db.session.commit()
        return "flagged"
    if order.status != "paid":
        flag_for_admin(order, _l("Stripe reported a refund of %(amount)s for order %(number)s, which the shop has not counted as "
                                 "paid. Nothing was booked; please check it in the Stripe dashboard.",
                                 amount=format_baht(amount), number=order.number))
        db.session.commit()
        return "flagged"
    left = min(payment.amount_satang, paid_total(order.id) - refunded_total(order.id))
    if amount > left:
        flag_for_admin(order, _l("Stripe reported a refund of %(amount)s for order %(number)s, more than the %(left)s paid and not "
                                 "yet refunded. Nothing was booked; please check it in the Stripe dashboard.",
                                 amount=format_baht(amount), number=order.number, left=format_baht(max(left, 0))))
        db.session.commit()
        return "flagged"
    lines, shipments = _selection_that_fits(order, metadata.get("selection", ""), amount)
    _commit(_book(order, reference, "stripe", lines, shipments, amount, restock=bool(lines) and metadata.get("restock") == "1",
                  reason="" if lines else "made at Stripe", actor=None))
    return "recorded"


def _selection_that_fits(order: Order, text: str, amount: int) -> tuple[dict[int, int], list[int]]:
    """The lines (and shipping) the shop asked Stripe to refund, if they still fit this order and amount."""
    if not text:
        return {}, []
    try:
        lines, shipments = decode_selection(text)
        lines = {k: v for k, v in lines.items() if v}
        if not set(shipments) <= {s.id for s in order.shipments}:
            raise RefundTooLarge()
        products, shipping = plan(order, lines, shipments)
    except (ValueError, DomainError):
        products, shipping = -1, -1
    if products + shipping != amount:
        current_app.logger.warning("Stripe refund for order %s names lines that do not fit it; spread by value", order.number)
        return {}, []
    return lines, shipments
