"""Payment attempts with a provider, the provider's events (each kept once), and refunds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models._base import Model, utcnow


class PaymentAttempt(Model):
    """One Stripe Checkout Session made for an order; a second click reuses an open one."""

    __tablename__ = "payment_attempt"
    __table_args__ = (UniqueConstraint("order_id", "attempt_no", name="uq_payment_attempt_order_attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    attempt_no: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(20), default="stripe")
    session_id: Mapped[str] = mapped_column(String(255), unique=True)
    url: Mapped[str] = mapped_column(Text, default="")
    # open, awaiting_async (PromptPay pending), complete, failed, expired
    status: Mapped[str] = mapped_column(String(20), default="open")
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order = relationship("Order")


class ProviderEvent(Model):
    """Each webhook event id is stored once: a replay or a duplicate changes nothing."""

    __tablename__ = "provider_event"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Refund(Model):
    """Money returned to a customer, split into lines per order line so centres' figures follow."""

    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    # Stripe's refund id, or a staff reference for a refunded bank transfer: recorded once.
    reference: Mapped[str] = mapped_column(String(255), unique=True)
    method: Mapped[str] = mapped_column(String(30))
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    shipping_satang: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default="succeeded")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    lines: Mapped[list[RefundLine]] = relationship(back_populates="refund", cascade="all, delete-orphan")
    order = relationship("Order")


class RefundLine(Model):
    __tablename__ = "refund_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refund.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    amount_satang: Mapped[int] = mapped_column(BigInteger)

    refund: Mapped[Refund] = relationship(back_populates="lines")


class PaymentSlip(Model):
    """A transfer slip a customer sent for an order: the picture and what its mini-QR says.

    A bank's transaction reference pays one order only: the unique constraint is what makes two
    uploads of the same slip (at the same moment, on two orders) end with one refused.
    """

    __tablename__ = "payment_slip"
    __table_args__ = (UniqueConstraint("sending_bank", "transaction_ref", name="uq_payment_slip_bank_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    sending_bank: Mapped[str] = mapped_column(String(3))
    transaction_ref: Mapped[str] = mapped_column(String(64))
    # what the slip verifier said (the default only decodes: "decoded"; a bank API: "verified")
    verification: Mapped[str] = mapped_column(String(20), default="decoded")
    filename: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order = relationship("Order", back_populates="slips")
