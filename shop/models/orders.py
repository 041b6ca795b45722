"""Carts, orders, their per-centre shipments and lines, and payments."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

if TYPE_CHECKING:
    from shop.models.payments import PaymentSlip

from shop.models._base import Model, utcnow

ORDER_STATUSES = ("awaiting_payment", "slip_received", "paid", "cancelled", "expired")
SHIPMENT_STATUSES = ("to_pack", "packed", "shipped", "delivered", "cancelled")


class Cart(Model):
    """A cart: a guest's (found through the session) or a customer's (one per account)."""

    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(Model):
    __tablename__ = "cart_item"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", name="uq_cart_item_cart_variant"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    cart: Mapped[Cart] = relationship(back_populates="items")
    variant = relationship("Variant")


class Order(Model):
    __tablename__ = "shop_order"
    __table_args__ = (
        CheckConstraint(
            "status IN ('awaiting_payment', 'slip_received', 'paid', 'cancelled', 'expired')", name="status_known"
        ),
        CheckConstraint("total_satang = subtotal_satang + shipping_satang", name="total_adds_up"),
        Index("ix_shop_order_status_reserved_until", "status", "reserved_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # The checkout form's one-time token: a replayed "place order" finds the same order.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True, index=True)
    email: Mapped[str] = mapped_column(String(254))
    contact_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    address_line: Mapped[str] = mapped_column(String(300))
    subdistrict_code: Mapped[str] = mapped_column(String(6))
    subdistrict: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(100))
    province_code: Mapped[str] = mapped_column(String(2))
    province: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(5))
    lang: Mapped[str] = mapped_column(String(5), default="th")
    status: Mapped[str] = mapped_column(String(20), default="awaiting_payment")
    payment_method: Mapped[str] = mapped_column(String(30))
    subtotal_satang: Mapped[int] = mapped_column(BigInteger)
    shipping_satang: Mapped[int] = mapped_column(BigInteger)
    total_satang: Mapped[int] = mapped_column(BigInteger)
    reserved_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Something a person must look at (a payment after expiry with the stock gone, say).
    attention: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A full tax invoice asked for at checkout (an organisation): empty when not asked.
    invoice_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    invoice_address: Mapped[str] = mapped_column(Text, default="", server_default="")
    invoice_tax_id: Mapped[str] = mapped_column(String(13), default="", server_default="")
    invoice_branch: Mapped[str] = mapped_column(String(5), default="", server_default="")  # 00000: head office
    # PDPA: when the buyer agreed to the privacy notice at checkout, and to which version of it.
    privacy_consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    privacy_notice_version: Mapped[str] = mapped_column(String(20), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    user = relationship("User")
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", order_by="Shipment.id", cascade="all, delete-orphan"
    )
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(back_populates="order", order_by="Payment.id")
    slips: Mapped[list[PaymentSlip]] = relationship(back_populates="order", order_by="PaymentSlip.id")

    @property
    def is_open(self) -> bool:
        return self.status == "awaiting_payment"


class Shipment(Model):
    """The part of an order that one centre packs and sends."""

    __tablename__ = "shipment"
    __table_args__ = (
        CheckConstraint(
            "status IN ('to_pack', 'packed', 'shipped', 'delivered', 'cancelled')", name="status_known"
        ),
        UniqueConstraint("order_id", "centre_id", name="uq_shipment_order_centre"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="to_pack")
    shipping_fee_satang: Mapped[int] = mapped_column(Integer)
    carrier: Mapped[str] = mapped_column(String(100), default="", server_default="")
    tracking_number: Mapped[str] = mapped_column(String(100), default="", server_default="")
    packed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    order: Mapped[Order] = relationship(back_populates="shipments")
    centre = relationship("Centre")
    lines: Mapped[list[OrderLine]] = relationship(back_populates="shipment", order_by="OrderLine.id")

    @property
    def subtotal_satang(self) -> int:
        return sum(line.line_total_satang for line in self.lines)


class OrderLine(Model):
    """A line with a snapshot of what was sold, at what price, by which centre and province."""

    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("line_total_satang = unit_price_satang * quantity", name="total_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    province_code: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(20))
    sku: Mapped[str] = mapped_column(String(64))
    product_name_th: Mapped[str] = mapped_column(String(200))
    product_name_en: Mapped[str] = mapped_column(String(200))
    variant_name_th: Mapped[str] = mapped_column(String(200))
    variant_name_en: Mapped[str] = mapped_column(String(200))
    unit_price_satang: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total_satang: Mapped[int] = mapped_column(BigInteger)
    # A workshop seat: nothing to pack; the seat is taken when the order is paid.
    no_parcel: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    order: Mapped[Order] = relationship(back_populates="lines")
    shipment: Mapped[Shipment] = relationship(back_populates="lines")

    def product_name(self, lang: str) -> str:
        return (self.product_name_en if lang == "en" and self.product_name_en else self.product_name_th)

    def variant_name(self, lang: str) -> str:
        return (self.variant_name_en if lang == "en" and self.variant_name_en else self.variant_name_th)


class Payment(Model):
    """Money received (or returned) for an order, by any method."""

    __tablename__ = "payment"
    __table_args__ = (UniqueConstraint("method", "reference", name="uq_payment_method_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    method: Mapped[str] = mapped_column(String(30))
    # The bank transfer's reference or the provider's id: one payment is recorded once.
    reference: Mapped[str] = mapped_column(String(200))
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    # What the method charged the association (Stripe's fee); None while not yet known.
    fee_satang: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="payments")
