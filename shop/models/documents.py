"""Receipts and credit notes: numbered without gaps per type and year, stored once as PDF."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models._base import Model, utcnow

DOCUMENT_TYPES = ("RC", "CN")  # receipt, credit note: each its own run of numbers
DOCUMENT_KINDS = ("receipt", "abbreviated_tax_invoice", "tax_invoice", "credit_note")


class DocumentCounter(Model):
    """The last number given per document type and Buddhist Era year; moved in the payment's transaction."""

    __tablename__ = "document_counter"

    doc_type: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Document(Model):
    """A receipt for a paid order, or a credit note for a refund, with what it says frozen at issue."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("doc_type", "year", "sequence", name="uq_document_type_year_sequence"),
        CheckConstraint("doc_type IN ('RC', 'CN')", name="type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)  # Buddhist Era
    sequence: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"), nullable=True, unique=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    vat_satang: Mapped[int] = mapped_column(BigInteger, default=0)
    seller_name: Mapped[str] = mapped_column(String(300))
    seller_address: Mapped[str] = mapped_column(Text)
    seller_tax_id: Mapped[str] = mapped_column(String(13))
    buyer_name: Mapped[str] = mapped_column(String(300))
    buyer_address: Mapped[str] = mapped_column(Text)
    buyer_tax_id: Mapped[str] = mapped_column(String(13), default="", server_default="")
    buyer_branch: Mapped[str] = mapped_column(String(5), default="", server_default="")

    order = relationship("Order")
    refund = relationship("Refund")
    receipt: Mapped[Document | None] = relationship(remote_side="Document.id")


class DocumentFile(Model):
    """The PDF of a document in one language, made once and served the same bytes ever after."""

    __tablename__ = "document_file"
    __table_args__ = (UniqueConstraint("document_id", "lang", name="uq_document_file_document_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    lang: Mapped[str] = mapped_column(String(5))
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
