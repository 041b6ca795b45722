"""The shop's own switches, shared by every worker and server: one row (id 1)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from shop.models._base import Model


class SiteStatus(Model):
    __tablename__ = "site_status"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    maintenance: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
