"""Refunds: whole order, one centre's parcel, or some lines; each baht traced to its centre."""
from __future__ import annotations

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
from shop.services.parsing import MAX_ID, parse_id, parse_int

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
    """The reverse of encode_selection; ValueError for a line that is not `id x quantity`."""
    lines_part, _, ship_part = (text or "").partition("|")
    lines = {}
    for part in (p for p in lines_part.split(",") if "x" in p):
        line_id, _, quantity = part.partition("x")
        parsed_id, parsed_quantity = parse_id(line_id), parse_int(quantity, 0, MAX_ID)
        if parsed_id is None or parsed_quantity is None:
            raise ValueError(f"not a refund selection: {part[:40]!r}")
        lines[parsed_id] = parsed_quantity
    shipments = [found for p in ship_part.split(",") if p.startswith("s") and (found := parse_id(p[1:])) is not None]
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
                 after={"reference": reference, "amount_satang": amount_satang, "lines": lines, "restock": restock})
    try:
        db.session.commit()
    except IntegrityError:  # recorded meanwhile by the webhook for the same refund
        db.session.rollback()
        recorded = db.session.scalar(select(Refund).where(Refund.reference == reference))
        if recorded is None:
            raise
        return recorded
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
    """A refund made or changed at Stripe (charge.refunded / refund.*): record what is new."""
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    refunds = data.get("refunds", {}).get("data", []) if data.get("object") == "charge" else [data]
    recorded = 0
    for item in refunds:
        if item.get("status") not in {"succeeded", "pending"}:
            continue
        metadata = item.get("metadata") or {}
        number = metadata.get("order_number")
        order = None
        if number:
            order = db.session.scalar(select(Order).where(Order.number == number))
        if order is None and item.get("payment_intent"):
            payment = db.session.scalar(select(Payment).where(Payment.method == "stripe", Payment.reference == item["payment_intent"]))
            order = db.session.get(Order, payment.order_id) if payment else None
        if order is None:
            continue
        lines, shipments = decode_selection(metadata.get("selection", ""))
        if db.session.scalar(select(Refund.id).where(Refund.reference == item["id"])):
            continue
        record_refund(order.id, item["id"], "stripe", lines, shipments, int(item["amount"]),
                      restock=metadata.get("restock") == "1", reason="made at Stripe" if not lines else "")
        recorded += 1
    return f"refunds recorded: {recorded}"
