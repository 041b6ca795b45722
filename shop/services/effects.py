"""What follows each step of an order's life, wired in one visible place.

The lifecycle (ordering.lifecycle) announces events; this module says who listens. Listeners
without `after_commit` run inside the transition's transaction, so the ledger and the audit
log can never disagree with the order; emails wait until the transaction has committed.

A new effect of "paid" (a metric, say) is one more `events.on(events.OrderPaid, ...)` line.
"""
from __future__ import annotations

from shop.metrics import count
from shop.services.documents import files as document_files
from shop.services.documents import issuing as documents
from shop.services.notifications import Attachment, send_email
from shop.services.ordering import events
from shop.services.ordering.checkout import order_url
from shop.services.people import audit
from shop.services.sales import ledger


def _email_placed(event: events.OrderPlaced) -> None:
    order = event.order
    send_email(order.email, "order_placed", order.lang, order=order, order_url=order_url(order))


def _email_paid(event: events.OrderPaid) -> None:
    """The payment email, with the receipt's PDF (made and stored now, once the payment has committed)."""
    order = event.order
    receipt = documents.receipt_of(order.id)
    attachments = []
    if receipt is not None:
        lang = order.lang if order.lang in document_files.LANGS else "th"
        pdf = document_files.store_after_commit(receipt.id, lang)
        if pdf is not None:
            attachments.append(Attachment(document_files.filename(receipt, lang), pdf))
    send_email(order.email, "order_paid", order.lang, attachments=attachments, order=order, order_url=order_url(order),
               receipt=receipt)


def _issue_receipt(event: events.OrderPaid) -> None:
    documents.issue_receipt(event.order, event.at)


def _issue_credit_note(event: events.RefundMade) -> None:
    documents.issue_credit_note(event.refund, event.order, event.at)


def _store_credit_note(event: events.RefundMade) -> None:
    note = documents.credit_note_of(event.refund.id)
    if note is not None:
        document_files.store_after_commit(note.id, event.order.lang)


def _email_shipment(event: events.ShipmentMoved) -> None:
    order = event.shipment.order
    send_email(order.email, "shipment_update", order.lang, order=order, shipment=event.shipment, order_url=order_url(order))


def _audit_shipment(event: events.ShipmentMoved) -> None:
    shipment = event.shipment
    audit.record(event.actor, f"shipment.{shipment.status}", shipment, before={"status": event.before},
                 after={"status": shipment.status, **event.fields})


def _audit_refund(event: events.RefundMade) -> None:
    refund = event.refund
    lines = {line.order_line_id: line.quantity for line in refund.lines if line.quantity}
    audit.record(event.actor, "refund.create", refund, centre_id=None,
                 after={"reference": refund.reference, "amount_satang": refund.amount_satang, "lines": lines,
                        "restock": event.restock})


def _count_closed(event: events.OrderClosed) -> None:
    if event.status == "expired":
        count("holds_expired")


def connect() -> None:
    """Register every listener (again): called once by create_app()."""
    events.clear()
    # in the transition's transaction
    events.on(events.OrderPaid, lambda e: ledger.record_order_paid(e.order, e.at))
    events.on(events.OrderPaid, _issue_receipt)  # its number, in the payment's transaction
    events.on(events.RefundMade, lambda e: ledger.record_refund(e.refund, e.order, e.shipment_ids, e.at))
    events.on(events.RefundMade, _audit_refund)
    events.on(events.RefundMade, _issue_credit_note)
    events.on(events.ShipmentMoved, _audit_shipment)
    # once it has committed
    events.on(events.OrderPlaced, _email_placed, after_commit=True)
    events.on(events.OrderPaid, _email_paid, after_commit=True)
    events.on(events.ShipmentMoved, _email_shipment, after_commit=True)
    events.on(events.OrderPlaced, lambda e: count("orders_placed", method=e.order.payment_method), after_commit=True)
    events.on(events.OrderPaid, lambda e: count("payments_confirmed", method=e.order.payment_method), after_commit=True)
    events.on(events.RefundMade, lambda e: count("refunds", method=e.refund.method), after_commit=True)
    events.on(events.OrderClosed, _count_closed, after_commit=True)
    events.on(events.RefundMade, _store_credit_note, after_commit=True)
