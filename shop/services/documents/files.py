"""A document's PDF: laid out from what the document froze, stored once per language, then served as is."""
from __future__ import annotations

import hashlib
from typing import cast

from flask import current_app
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.extensions import begin_write, db
from shop.models import Document, DocumentFile, Refund
from shop.services.documents.issuing import HEAD_OFFICE
from shop.services.pdf import render_pdf
from shop.services.thai import bahttext, format_date

LANGS = ("th", "en")


def _context(document: Document, lang: str, copy: bool) -> dict:
    order = document.order
    context = {"document": document, "order": order, "copy": copy, "words": bahttext(document.amount_satang),
               "issued_on": format_date(document.issued_at, lang, long=True), "head_office": HEAD_OFFICE}
    if document.doc_type == "CN":
        refund: Refund = document.refund
        by_id = {line.id: line for line in order.lines}
        context["lines"] = [(by_id[item.order_line_id], item) for item in sorted(refund.lines, key=lambda i: i.order_line_id)]
        context["refund"] = refund
    return context


def render(document: Document, lang: str, *, copy: bool = False) -> bytes:
    """A fresh PDF of the document: the original, or a reprint marked copy (สำเนา)."""
    template = "documents/credit_note.html" if document.doc_type == "CN" else "documents/receipt.html"
    return render_pdf(template, lang, **_context(document, lang, copy))


def original_pdf(document_id: int, lang: str) -> bytes:
    """The document's PDF in this language: made and stored on first need, the same bytes ever after."""
    if lang not in LANGS:
        raise ValueError(f"no documents in {lang!r}")
    stored = db.session.scalar(select(DocumentFile.pdf).where(DocumentFile.document_id == document_id, DocumentFile.lang == lang))
    if stored is not None:
        return stored
    pdf = render(db.session.get_one(Document, document_id), lang)
    begin_write()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = cast(Table, DocumentFile.__table__)
    # Two first downloads at once: the first stored wins, and both serve its bytes.
    db.session.execute(insert(table).values(document_id=document_id, lang=lang, sha256=hashlib.sha256(pdf).hexdigest(), pdf=pdf)
                       .on_conflict_do_nothing(index_elements=["document_id", "lang"]))
    db.session.commit()
    return db.session.scalars(select(DocumentFile.pdf).where(DocumentFile.document_id == document_id, DocumentFile.lang == lang)).one()


def store_after_commit(document_id: int, lang: str) -> bytes | None:
    """Make and store the PDF once the payment or refund has committed; a failure waits for the first download."""
    try:
        return original_pdf(document_id, lang if lang in LANGS else "th")
    except Exception:  # noqa: BLE001 - the money is recorded; the PDF can still be made on first download
        db.session.rollback()
        current_app.logger.exception("Could not make the PDF of document %s; it will be made on first download", document_id)
        return None


def filename(document: Document, lang: str, copy: bool = False) -> str:
    return f"{document.number}{'-copy' if copy else ''}-{lang}.pdf"
