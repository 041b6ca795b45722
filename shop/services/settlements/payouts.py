"""Payouts: what the association sent a centre against a closed statement, with an optional proof picture."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.extensions import begin_write, db
from shop.models import Payout, Statement, User
from shop.services.catalog import media, uploads
from shop.services.errors import DomainError
from shop.services.people import audit


class BadPayout(DomainError):
    message = _l("Please give the date, an amount above ฿0 and the bank's reference.")


class PayoutTooLarge(DomainError):
    message = _l("That is more than is still owed on this statement.")


def proof_folder() -> Path:
    return Path(current_app.config["PAYOUT_PROOF_FOLDER"])


def record_payout(actor: User, statement_id: int, paid_on: date, amount_satang: int, bank_reference: str,
                  proof: bytes | None = None) -> Payout:
    """An admin records money sent to a centre; a proof picture is checked like a product photo."""
    if not actor.is_admin:
        raise DomainError()
    bank_reference = (bank_reference or "").strip()[:100]
    if not isinstance(amount_satang, int) or amount_satang <= 0 or not bank_reference or paid_on is None:
        raise BadPayout()
    filename = ""
    if proof:
        image = uploads.open_upload(proof)  # BadImage / ImageTooLarge, nothing stored
        filename = media.store_image(proof_folder(), image).filename
    begin_write()
    statement = db.session.scalar(select(Statement).where(Statement.id == statement_id).with_for_update())
    if statement is None:
        db.session.rollback()
        raise DomainError()
    paid = int(db.session.scalar(select(func.coalesce(func.sum(Payout.amount_satang), 0)).where(Payout.statement_id == statement.id)) or 0)
    if paid + amount_satang > statement.payable_satang:
        db.session.rollback()
        raise PayoutTooLarge()
    payout = Payout(statement_id=statement.id, paid_on=paid_on, amount_satang=amount_satang, bank_reference=bank_reference,
                    proof_filename=filename, recorded_by_id=actor.id)
    db.session.add(payout)
    db.session.flush()
    audit.record(actor, "settlement.payout", payout, centre_id=statement.centre_id,
                 after={"amount_satang": amount_satang, "reference": bank_reference, "paid_on": paid_on.isoformat()})
    db.session.commit()
    return payout


def proof_path(actor: User, payout_id: int) -> Path | None:
    """The proof picture's file, if the actor may see that payout (admins, and the centre's staff)."""
    payout = db.session.get(Payout, payout_id)
    if payout is None or not payout.proof_filename:
        return None
    centre_id = payout.statement.centre_id
    if not (actor.is_admin or (actor.role == "staff" and actor.centre_id == centre_id)):
        return None
    path = proof_folder() / payout.proof_filename
    return path if path.is_file() else None
