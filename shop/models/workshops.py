"""Workshops (a session is a variant whose stock is its seats), who attended, the maker groups
behind the products, and the yearly baselines of people trained before the shop."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from shop.models._base import Model, utcnow
from shop.models.catalog import Bilingual, Variant, bump_catalog_version, bump_impact
from shop.models.sales import SalesEntry

MAKER_KINDS = ("learner_group", "community_enterprise")
PRODUCT_KINDS = ("goods", "workshop")


class MakerGroup(Bilingual, Model):
    """A learner group or community enterprise that makes a centre's products."""

    __tablename__ = "maker_group"
    __table_args__ = (CheckConstraint("kind IN ('learner_group', 'community_enterprise')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="learner_group")
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    story_th: Mapped[str] = mapped_column(Text, default="")
    story_en: Mapped[str] = mapped_column(Text, default="")
    # A content-hashed name in the media storage ("" without a photo), and its thumbnail.
    photo_filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    photo_thumb_filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    photo_alt_th: Mapped[str] = mapped_column(String(300), default="", server_default="")
    photo_alt_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    centre = relationship("Centre")

    def __repr__(self) -> str:
        return f"<MakerGroup {self.slug}>"


class WorkshopSession(Bilingual, Model):
    """When and where one session of a workshop product meets; its seats are its variant's stock."""

    __tablename__ = "workshop_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"), unique=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)  # UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place_th: Mapped[str] = mapped_column(String(300))
    place_en: Mapped[str] = mapped_column(String(300), default="")

    variant: Mapped[Variant] = relationship(back_populates="workshop_session")


class WorkshopAttendance(Model):
    """A participant (an order line) came: its seats count as people trained, once."""

    __tablename__ = "workshop_attendance"
    __table_args__ = (CheckConstraint("people > 0", name="people_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_session.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    people: Mapped[int] = mapped_column(Integer)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrainedBaseline(Model):
    """People a centre trained in a year before the shop counted them (imported by an admin)."""

    __tablename__ = "trained_baseline"
    __table_args__ = (
        UniqueConstraint("centre_id", "year", name="uq_trained_baseline_centre_year"),
        CheckConstraint("people >= 0", name="people_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    centre = relationship("Centre")


# The programme's published figures (home, programme and maker pages) read these: any change
# moves the figures' version in the same transaction. Maker groups also show on product cards
# and sessions on their workshop's page, so those move the lists (and the workshop's page) too.
IMPACT_MODELS = (MakerGroup, WorkshopSession, WorkshopAttendance, TrainedBaseline, SalesEntry)


@event.listens_for(Session, "before_flush")
def _bump_for_impact(session: Session, flush_context, instances) -> None:  # noqa: ARG001
    changed = [obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, IMPACT_MODELS)]
    if changed:
        bump_impact(session)
    if any(isinstance(obj, MakerGroup) for obj in changed):
        bump_catalog_version(session)
    sessions = [obj for obj in changed if isinstance(obj, WorkshopSession)]
    if sessions:
        bump_catalog_version(session, [obj.variant_id for obj in sessions if obj.variant_id is not None])


