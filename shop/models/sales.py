"""The sales ledger behind every figure, and the daily rollup kept in the same transaction."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models._base import Model, utcnow

# Where a baht was earned. "before_shop" holds the baselines of the years before the shop.
CHANNELS = ("online_shop", "department_store", "fair", "centre_counter", "other_online", "workshop", "before_shop")
OFFLINE_CHANNELS = CHANNELS[1:6]
# store_commission: a consignment store's commission (negative), a cost kept apart from revenue
KINDS = ("sale", "refund", "offline", "baseline", "shipping", "shipping_refund", "store_commission")
REVENUE_KINDS = ("sale", "refund", "offline", "baseline")


class SalesEntry(Model):
    """One signed amount for one centre on one day; products and shipping kept apart by kind."""

    __tablename__ = "sales_entry"
    __table_args__ = (
        Index("ix_sales_entry_day_centre", "day", "centre_id"),
        Index("ix_sales_entry_order_line", "order_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # in Bangkok
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(30))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"))
    province_code: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), nullable=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), nullable=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), nullable=True, index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"), nullable=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"), nullable=True)
    offline_sale_id: Mapped[int | None] = mapped_column(ForeignKey("offline_sale.id"), nullable=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), nullable=True, index=True)
    booth_sale_id: Mapped[int | None] = mapped_column(ForeignKey("booth_sale.id"), nullable=True, index=True)
    consignment_report_id: Mapped[int | None] = mapped_column(ForeignKey("consignment_report.id"), nullable=True, index=True)
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    units: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SalesDaily(Model):
    """Sums of the ledger per day, centre and channel: what the reports read."""

    __tablename__ = "sales_daily"
    __table_args__ = (UniqueConstraint("day", "centre_id", "channel", name="uq_sales_daily_day_centre_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    revenue_satang: Mapped[int] = mapped_column(BigInteger, default=0)
    shipping_satang: Mapped[int] = mapped_column(BigInteger, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)
    orders: Mapped[int] = mapped_column(Integer, default=0)  # paid online parcels (one per order and centre)


class OfflineSale(Model):
    """A sale a centre made outside the shop: a fair, a department store, its own counter."""

    __tablename__ = "offline_sale"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(30))
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    centre = relationship("Centre")


class ApiToken(Model):
    """A read-only API token of an admin; only its hash is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked: Mapped[bool] = mapped_column(default=False)

    user = relationship("User")
