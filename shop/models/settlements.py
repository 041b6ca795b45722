"""What the association owes each centre: periods, frozen statements and their lines, payouts, commission."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models._base import Model, utcnow


class CommissionRate(Model):
    """The association's commission on a centre's goods from a day on, in basis points (500 = 5%).

    Rows are only added: the rate of any past day stays as it was.
    """

    __tablename__ = "commission_rate"
    __table_args__ = (
        UniqueConstraint("centre_id", "effective_from", name="uq_commission_rate_centre_from"),
        CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="rate_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    rate_bp: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SettlementPeriod(Model):
    """A closed period (open ones need no row): from starts_on up to, not including, ends_on."""

    __tablename__ = "settlement_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date, unique=True)
    ends_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    statements: Mapped[list[Statement]] = relationship(back_populates="period", order_by="Statement.centre_id")


class Statement(Model):
    """One centre's statement for a closed period: its sums and lines never change after closing."""

    __tablename__ = "settlement_statement"
    __table_args__ = (UniqueConstraint("period_id", "centre_id", name="uq_settlement_statement_period_centre"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("settlement_period.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    centre_name_th: Mapped[str] = mapped_column(String(200))
    centre_name_en: Mapped[str] = mapped_column(String(200))
    gross_satang: Mapped[int] = mapped_column(BigInteger)
    refunds_satang: Mapped[int] = mapped_column(BigInteger)
    fees_satang: Mapped[int] = mapped_column(BigInteger)
    commission_satang: Mapped[int] = mapped_column(BigInteger)
    shipping_satang: Mapped[int] = mapped_column(BigInteger)
    payable_satang: Mapped[int] = mapped_column(BigInteger)
    offline_satang: Mapped[int] = mapped_column(BigInteger)  # information only: the centre holds that money
    baseline_satang: Mapped[int] = mapped_column(BigInteger)

    period: Mapped[SettlementPeriod] = relationship(back_populates="statements")
    centre = relationship("Centre")
    lines: Mapped[list[StatementLine]] = relationship(back_populates="statement", order_by="StatementLine.id")
    payouts: Mapped[list[Payout]] = relationship(back_populates="statement", order_by="Payout.id")


class StatementLine(Model):
    """One sales-ledger row counted in a closed statement; a ledger row is counted once, ever."""

    __tablename__ = "settlement_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statement.id"), index=True)
    sales_entry_id: Mapped[int] = mapped_column(ForeignKey("sales_entry.id"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    order_number: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    fee_satang: Mapped[int] = mapped_column(BigInteger)
    commission_rate_bp: Mapped[int] = mapped_column(Integer)
    commission_satang: Mapped[int] = mapped_column(BigInteger)
    # A row dated in an earlier, already closed period (recorded after it closed).
    adjustment: Mapped[bool] = mapped_column(Boolean, default=False)

    statement: Mapped[Statement] = relationship(back_populates="lines")


class Payout(Model):
    """Money the association sent a centre against a closed statement."""

    __tablename__ = "settlement_payout"
    __table_args__ = (CheckConstraint("amount_satang > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statement.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_satang: Mapped[int] = mapped_column(BigInteger)
    bank_reference: Mapped[str] = mapped_column(String(100))
    proof_filename: Mapped[str] = mapped_column(String(100), default="", server_default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    statement: Mapped[Statement] = relationship(back_populates="payouts")
