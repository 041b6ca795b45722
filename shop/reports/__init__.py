"""The association's dashboard of programme totals (staff: their own centre), with CSV."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.caching import no_store
from shop.forms import ActionForm
from shop.i18n import current_language
from shop.models import CHANNELS
from shop.services.catalog.centres import centres as centre_list
from shop.services.errors import DomainError, NotYourCentre
from shop.services.people import api_tokens
from shop.services.sales import reports
from shop.services.thai import to_bangkok

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.after_request(no_store)  # private figures: never kept by a browser or a proxy


@bp.before_request
@login_required
def require_staff():
    if not current_user.is_staff:
        abort(403)


def _today():
    return to_bangkok(datetime.now(UTC)).date()


def _query():
    try:
        return reports.parse_query(current_user, request.args.get("from"), request.args.get("to"),
                                   request.args.get("centre"), _today())
    except NotYourCentre:
        abort(403)
    except DomainError as error:
        abort(400, description=str(error.message))


@bp.get("/")
def dashboard():
    query = _query()
    lang = current_language()
    previous = reports.year_before(query)
    groups = ("region", "province", "centre", "channel", "category", "maker", "month")
    return render_template(
        "reports/dashboard.html", query=query, total=reports.totals(query), previous=reports.totals(previous),
        orders=reports.online_orders(query), tables={g: reports.breakdown(query, g, lang) for g in groups},
        centres=centre_list(lang),
        channels=CHANNELS, args=request.args,
    )


@bp.get("/<group>.csv")
def export(group: str):
    if group not in reports.GROUPS:
        abort(404)
    query = _query()
    body = reports.to_csv(reports.breakdown(query, group, current_language()), group, current_language())
    name = f"relearn-{group}-{query.start}-{query.end}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.post("/tokens")
def new_token():
    if not current_user.is_admin:
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    token = api_tokens.create_token(current_user, request.form.get("name", ""))
    flash(_("Your new API token (shown once; keep it safe): %(token)s", token=token), "success")
    return redirect(url_for("reports.dashboard")), 303
