"""Issuing receipts and credit notes, inside the transaction that paid or refunded the order."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from shop.extensions import db
from shop.models import Document, Order, Refund
from shop.services.documents.numbering import format_number, next_number
from shop.services.thai import to_bangkok

BE_OFFSET = 543
VAT_PERCENT = 7
RECEIPT, CREDIT_NOTE = "RC", "CN"
HEAD_OFFICE = "00000"


def vat_included(amount_satang: int) -> int:
    """The VAT inside a price that includes 7%: amount x 7/107, rounded half up to the satang."""
    sign = -1 if amount_satang < 0 else 1
    return sign * ((abs(amount_satang) * VAT_PERCENT * 2 + 107) // (107 * 2))


def buddhist_year(moment: datetime) -> int:
    return to_bangkok(moment).year + BE_OFFSET


def _buyer(order: Order) -> dict[str, str]:
    if order.invoice_name:
        return {"buyer_name": order.invoice_name, "buyer_address": order.invoice_address,
                "buyer_tax_id": order.invoice_tax_id, "buyer_branch": order.invoice_branch}
    address = f"{order.address_line} {order.subdistrict} {order.district} {order.province} {order.postcode}"
    return {"buyer_name": order.contact_name, "buyer_address": address, "buyer_tax_id": "", "buyer_branch": ""}


def _seller() -> dict[str, str]:
    config = current_app.config
    return {"seller_name": config["SELLER_NAME"], "seller_address": config["SELLER_ADDRESS"],
            "seller_tax_id": config["SELLER_TAX_ID"]}


def _new(doc_type: str, kind: str, order: Order, amount: int, at: datetime, **fields) -> Document:
    year = buddhist_year(at)
    sequence = next_number(doc_type, year)
    vat = vat_included(amount) if current_app.config["VAT_ENABLED"] else 0
    document = Document(doc_type=doc_type, kind=kind, number=format_number(doc_type, year, sequence), year=year,
                        sequence=sequence, order_id=order.id, issued_at=at, amount_satang=amount, vat_satang=vat,
                        **_seller(), **_buyer(order), **fields)
    db.session.add(document)
    return document


def receipt_of(order_id: int) -> Document | None:
    return db.session.scalar(select(Document).where(Document.order_id == order_id, Document.doc_type == RECEIPT))


def issue_receipt(order: Order, at: datetime) -> Document:
    """The paid order's receipt (once): with VAT on, an abbreviated tax invoice, or a full one if asked for."""
    existing = receipt_of(order.id)
    if existing is not None:
        return existing
    kind = "receipt"
    if current_app.config["VAT_ENABLED"]:
        kind = "tax_invoice" if order.invoice_tax_id else "abbreviated_tax_invoice"
    return _new(RECEIPT, kind, order, order.total_satang, at)


def issue_credit_note(refund: Refund, order: Order, at: datetime) -> Document | None:
    """The refund's credit note, naming the order's receipt; none when no receipt was ever issued."""
    receipt = receipt_of(order.id)
    if receipt is None:
        return None
    existing = db.session.scalar(select(Document).where(Document.refund_id == refund.id))
    if existing is not None:
        return existing
    return _new(CREDIT_NOTE, "credit_note", order, refund.amount_satang, at, refund_id=refund.id, receipt_id=receipt.id)


def credit_note_of(refund_id: int) -> Document | None:
    return db.session.scalar(select(Document).where(Document.refund_id == refund_id))


def documents_of(order_id: int) -> list[Document]:
    """The order's receipt and credit notes, in the order they were issued."""
    return list(db.session.scalars(select(Document).where(Document.order_id == order_id).order_by(Document.id)))


def document_of_order(order_id: int, number: str) -> Document | None:
    return db.session.scalar(select(Document).where(Document.order_id == order_id, Document.number == number[:20]))
