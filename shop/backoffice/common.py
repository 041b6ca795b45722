"""Small helpers every back-office area uses: 404 for what the actor may not see, a domain
error or a refused form's field errors as flashed messages, and reading an uploaded CSV file."""
from __future__ import annotations

import csv
import io
from typing import TypeVar

from flask import abort, flash
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from shop.backoffice.forms import ImportForm
from shop.services.errors import DomainError, OutOfStock

Found = TypeVar("Found")

CSV_MAX_BYTES = 2_000_000


def or_404(found: Found | None) -> Found:
    if found is None:
        abort(404)
    return found


def fail(error: DomainError) -> None:
    message = str(error.message)
    if isinstance(error, OutOfStock):
        message = _("Stock cannot go below what is held for orders.")
    flash(message, "error")


def refuse(form: FlaskForm) -> None:
    """A form that did not validate: 400 for a missing or stale CSRF token (the post did not
    come from our page), otherwise each refused field flashed, named by its label, with why."""
    if form.meta.csrf and form.csrf_token.errors:
        abort(400)
    for field in form:
        for error in field.errors:
            if error:
                flash(_("%(field)s: %(error)s", field=field.label.text, error=str(error)), "error")


def csv_rows(form: ImportForm) -> list[dict[str, str]] | None:
    """The uploaded CSV's rows (UTF-8, BOM allowed, 2 MB at most), or None with a message."""
    try:
        return list(csv.DictReader(io.StringIO(form.file.data.read(CSV_MAX_BYTES).decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        flash(_("That file is not a UTF-8 CSV file."), "error")
        return None
