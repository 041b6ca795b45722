"""The stock-movement ledger: every change of a variant's stock, with who, when, why and which order."""
from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import DateTime, ForeignKey, Integer, String, Table, Text, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from shop.models._base import Model, utcnow
from shop.models.catalog import Variant

# receive, adjust: staff; reserve, release, ship: orders; initial: first stock of a new variant;
# transfer, booth_sale, consignment_sale, count: stock at the centre's other locations
MOVEMENT_REASONS = ("initial", "receive", "adjust", "reserve", "release", "ship", "return",
                    "transfer", "booth_sale", "consignment_sale", "count")


class StockMovement(Model):
    """Sums over a variant's rows with no location equal its stock_on_hand and stock_reserved
    (the home shelf); sums per location equal that location's LocationStock.on_hand."""

    __tablename__ = "stock_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), nullable=True, index=True)  # None: home shelf
    on_hand_delta: Mapped[int] = mapped_column(Integer, default=0)
    reserved_delta: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), nullable=True, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@event.listens_for(Variant, "after_insert")
def _initial_stock(mapper, connection, variant: Variant) -> None:  # noqa: ARG001
    """A new variant's first stock is the ledger's first row, whoever made the variant."""
    if variant.stock_on_hand or variant.stock_reserved:
        connection.execute(
            insert(cast(Table, StockMovement.__table__)).values(
                variant_id=variant.id,
                on_hand_delta=variant.stock_on_hand,
                reserved_delta=variant.stock_reserved or 0,
                reason="initial",
                note="",
                created_at=utcnow(),
            )
        )
