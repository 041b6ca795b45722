"""Where a centre's goods are besides its home shelf: department-store counters (consignment),
fair booths and partner shops; the stock at each, and what was sold there.

The home shelf is Variant.stock_on_hand/stock_reserved, which the web shop sells from; stock at
a location is a LocationStock row. StockMovement rows name their location (none: the home shelf).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models._base import Model, utcnow
from shop.models.catalog import Bilingual

# consignment: a department-store counter that pays the centre less its commission
LOCATION_KINDS = ("consignment", "fair", "partner_shop")
BOOTH_PAYMENT_METHODS = ("cash", "promptpay")


class Location(Bilingual, Model):
    """A place away from the home shelf where a centre keeps and sells stock."""

    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint("kind IN ('consignment', 'fair', 'partner_shop')", name="kind_known"),
        CheckConstraint("commission_bp >= 0 AND commission_bp <= 10000", name="commission_in_range"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # a fair's first and last day
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    commission_bp: Mapped[int] = mapped_column(Integer, default=0)  # the store's commission, 2500 = 25%
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    centre = relationship("Centre")

    @property
    def channel(self) -> str:
        """The sales-ledger channel of what is sold here."""
        return "fair" if self.kind == "fair" else "department_store"


class LocationStock(Model):
    """Units of one variant at one location; changed only by guarded updates with a ledger row."""

    __tablename__ = "location_stock"
    __table_args__ = (
        UniqueConstraint("location_id", "variant_id", name="uq_location_stock_location_variant"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)

    location = relationship("Location")
    variant = relationship("Variant")


class BoothSale(Model):
    """A sale at a location, paid in cash or by PromptPay; recorded once per idempotency key."""

    __tablename__ = "booth_sale"
    __table_args__ = (CheckConstraint("payment_method IN ('cash', 'promptpay')", name="payment_method_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    day: Mapped[date] = mapped_column(Date)  # in Bangkok
    payment_method: Mapped[str] = mapped_column(String(20))
    total_satang: Mapped[int] = mapped_column(BigInteger)
    units: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_number: Mapped[str] = mapped_column(String(20), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    location = relationship("Location")
    centre = relationship("Centre")
    lines: Mapped[list[BoothSaleLine]] = relationship(order_by="BoothSaleLine.id", cascade="all, delete-orphan")


class BoothSaleLine(Model):
    """One variant of a booth sale, at the price the database had then."""

    __tablename__ = "booth_sale_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("booth_sale.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    sku: Mapped[str] = mapped_column(String(64))
    name_th: Mapped[str] = mapped_column(String(400))
    name_en: Mapped[str] = mapped_column(String(400), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_satang: Mapped[int] = mapped_column(Integer)
    line_total_satang: Mapped[int] = mapped_column(BigInteger)


class ConsignmentReport(Model):
    """A store's sales report for a period: retail value, the store's commission, what it owes."""

    __tablename__ = "consignment_report"
    __table_args__ = (
        UniqueConstraint("location_id", "period_start", "period_end", name="uq_consignment_report_location_period"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # the ledger dates the sales on this day
    units: Mapped[int] = mapped_column(Integer)
    gross_satang: Mapped[int] = mapped_column(BigInteger)
    commission_bp: Mapped[int] = mapped_column(Integer)
    commission_satang: Mapped[int] = mapped_column(BigInteger)
    owed_satang: Mapped[int] = mapped_column(BigInteger)  # gross - commission: what the store owes the centre
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    location = relationship("Location")
    lines: Mapped[list[ConsignmentLine]] = relationship(order_by="ConsignmentLine.id", cascade="all, delete-orphan")


class ConsignmentLine(Model):
    __tablename__ = "consignment_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("consignment_report.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_satang: Mapped[int] = mapped_column(Integer)
    line_total_satang: Mapped[int] = mapped_column(BigInteger)
