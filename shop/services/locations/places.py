"""A centre's locations: made and changed by its staff (or an admin), seen only by them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.extensions import begin_write, db
from shop.models import LOCATION_KINDS, Centre, Location, User
from shop.services.catalog.centres import UnknownCentre
from shop.services.errors import DomainError, NotYourCentre
from shop.services.people import audit
from shop.services.people.scope import require_centre, scoped


class UnknownLocation(DomainError):
    message = _l("We do not know that location, or it is not your centre's.")


class LocationClosed(DomainError):
    message = _l("That location is closed. Open it again to move stock there or sell there.")


class BadLocation(DomainError):
    message = _l("Please give the location a Thai name, a known kind, a commission from 0 to 100% and a last day no earlier than the first.")


@dataclass
class LocationDetails:
    kind: str
    name_th: str
    name_en: str = ""
    place: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    commission_bp: int = 0
    active: bool = True


def _check(details: LocationDetails) -> None:
    if (details.kind not in LOCATION_KINDS or not details.name_th.strip() or len(details.name_th) > 200
            or len(details.name_en) > 200 or len(details.place) > 300 or not 0 <= details.commission_bp <= 10000
            or (details.starts_on and details.ends_on and details.ends_on < details.starts_on)):
        raise BadLocation()


def create_location(actor: User, centre_id: int | None, details: LocationDetails) -> Location:
    """A new location of the actor's centre (an admin names the centre). One transaction."""
    if centre_id is None:
        centre_id = actor.centre_id
    require_centre(actor, centre_id)
    _check(details)
    begin_write()
    if centre_id is None or db.session.get(Centre, centre_id) is None:
        db.session.rollback()
        raise UnknownCentre()
    location = Location(centre_id=centre_id, kind=details.kind, name_th=details.name_th.strip(),
                        name_en=details.name_en.strip(), place=details.place.strip(), starts_on=details.starts_on,
                        ends_on=details.ends_on, commission_bp=details.commission_bp if details.kind == "consignment" else 0,
                        active=details.active)
    db.session.add(location)
    db.session.flush()
    audit.record(actor, "locations.create", location, after=_audit(location))
    db.session.commit()
    return location


def update_location(actor: User, location_id: int, details: LocationDetails) -> Location:
    """Change a location's details (its kind stays)."""
    _check(details)
    begin_write()
    location = location_of(actor, location_id)
    before = _audit(location)
    location.name_th, location.name_en, location.place = details.name_th.strip(), details.name_en.strip(), details.place.strip()
    location.starts_on, location.ends_on, location.active = details.starts_on, details.ends_on, details.active
    if location.kind == "consignment":
        location.commission_bp = details.commission_bp
    audit.record(actor, "locations.update", location, before=before, after=_audit(location))
    db.session.commit()
    return location


def _audit(location: Location) -> dict:
    return {"kind": location.kind, "name_th": location.name_th, "name_en": location.name_en, "place": location.place,
            "starts_on": location.starts_on, "ends_on": location.ends_on, "commission_bp": location.commission_bp,
            "active": location.active}


def locations(actor: User, *, active_only: bool = False) -> list[Location]:
    """The locations the actor may see: their centre's, or all for an admin."""
    stmt = scoped(select(Location), actor, Location.centre_id).order_by(Location.centre_id, Location.active.desc(), Location.id)
    if active_only:
        stmt = stmt.where(Location.active.is_(True))
    return list(db.session.scalars(stmt))


def location_of(actor: User, location_id: int) -> Location:
    """The location if the actor may see it; another centre's is UnknownLocation (as if missing)."""
    location = db.session.scalar(scoped(select(Location).where(Location.id == location_id), actor, Location.centre_id))
    if location is None:
        raise UnknownLocation()
    return location


def require_staff_of(actor: User, location: Location) -> None:
    if not actor.is_admin and actor.centre_id != location.centre_id:
        raise NotYourCentre()
