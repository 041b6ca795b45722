"""People who sign in: customers, centre staff and association admins."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from shop.models._base import Model, utcnow

ROLES = ("customer", "staff", "admin")


class User(UserMixin, Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('customer', 'staff', 'admin')", name="role_known"),
        CheckConstraint("role != 'staff' OR centre_id IS NOT NULL", name="staff_have_a_centre"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    role: Mapped[str] = mapped_column(String(20), default="customer")
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"), nullable=True, index=True)
    lang: Mapped[str] = mapped_column(String(5), default="th")
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Every session cookie carries the generation it was signed in under; moving it on
    # (sign-out, a new password, a disabled account) ends all of that person's sessions at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Failed sign-ins in a row, and the lock-out they earned: kept here, not in one server's
    # memory, so the limit holds however many app servers there are.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    centre = relationship("Centre")

    def set_password(self, password: str) -> None:
        # werkzeug's default is scrypt with a random salt
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The session's user id, "id:generation": a cookie from an earlier generation finds nobody."""
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        """Sign out every session of this person, at the next flush (an atomic increment)."""
        self.session_generation = type(self).session_generation + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    @property
    def is_staff(self) -> bool:
        return self.role in {"staff", "admin"}

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
