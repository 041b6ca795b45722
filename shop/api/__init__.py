"""Read-only JSON API for the programme figures: /api/v1, Bearer tokens of association admins."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, g, jsonify, request
from flask_babel import force_locale

from shop.extensions import csrf
from shop.i18n import LANGUAGES
from shop.services.errors import DomainError
from shop.services.people import api_tokens
from shop.services.sales import reports
from shop.services.thai import to_bangkok

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

_DATE_RULES = (
    f"Days are in Bangkok time, written YYYY-MM-DD. The range must run from {reports.EARLIEST_DAY} at the earliest "
    f"to {reports.DAYS_AHEAD} days after today at the latest, `from` no later than `to`, and span at most "
    f"{reports.MAX_DAYS:,} days. A parameter that is present must have a value: leave it out for its default."
)
_DAY = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "minLength": 10, "maxLength": 10}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ERRORS = {
    "400": {"description": "bad parameters: a date not written YYYY-MM-DD or outside the allowed range, `from` after "
                           "`to`, an empty parameter, an unknown centre or language, a NUL character anywhere", "content": _ERROR},
    "401": {"description": "no token, or not a valid admin API token",
            "headers": {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}}, "content": _ERROR},
}
_RANGE = {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "Relearn Shop programme figures", "version": "1.1.0",
             "description": "Revenue of the Relearning Space centres in integer satang (1 baht = 100 satang). "
                            "Send `Authorization: Bearer <token>`; tokens are made by association admins on /reports/. "
                            + _DATE_RULES},
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        "parameters": {
            "from": {"name": "from", "in": "query", "required": False, "schema": _DAY, "example": "2025-01-01",
                     "description": "First day (default 2020-01-01). " + _DATE_RULES},
            "to": {"name": "to", "in": "query", "required": False, "schema": _DAY, "example": "2025-12-31",
                   "description": "Last day (default today). " + _DATE_RULES},
            "centre": {"name": "centre", "in": "query", "required": False,
                       "schema": {"type": "string", "minLength": 1, "maxLength": 64}, "example": "surat-thani",
                       "description": "A centre's short name (slug); the whole programme when left out. "
                                      "An unknown centre is refused (400)."},
        },
        "schemas": {
            "Row": {"type": "object", "additionalProperties": False,
                    "required": ["key", "label", "revenue_satang", "units", "shipping_satang", "orders"], "properties": {
                        "key": {"type": "string"}, "label": {"type": "string"}, "revenue_satang": {"type": "integer"},
                        "units": {"type": "integer"}, "shipping_satang": {"type": "integer"}, "orders": {"type": "integer"}}},
            "Error": {"type": "object", "required": ["error", "message"],
                      "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
    "security": [{"token": []}],
    "paths": {
        "/api/v1/totals": {"get": {
            "operationId": "totals",
            "summary": "Programme (or one centre's) totals and the same period a year before",
            "parameters": [{"$ref": "#/components/parameters/from"}, {"$ref": "#/components/parameters/to"},
                           {"$ref": "#/components/parameters/centre"}],
            "responses": {
                "200": {"description": "totals", "content": {"application/json": {"schema": {
                    "type": "object", "additionalProperties": False, "required": ["from", "to", "total", "year_before"],
                    "properties": {**_RANGE, "total": {"$ref": "#/components/schemas/Row"},
                                   "year_before": {"$ref": "#/components/schemas/Row"}}}}}},
                **_ERRORS}}},
        "/api/v1/breakdown/{group}": {"get": {
            "operationId": "breakdown",
            "summary": "Revenue by region, province, centre, channel, category, product, month or year",
            "parameters": [{"name": "group", "in": "path", "required": True, "schema": {"type": "string", "enum": list(reports.GROUPS)}},
                           {"$ref": "#/components/parameters/from"}, {"$ref": "#/components/parameters/to"},
                           {"$ref": "#/components/parameters/centre"},
                           {"name": "lang", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": list(LANGUAGES), "default": "en"},
                            "description": "the language of the labels"}],
            "responses": {
                "200": {"description": "rows", "content": {"application/json": {"schema": {
                    "type": "object", "additionalProperties": False, "required": ["group", "from", "to", "rows"],
                    "properties": {"group": {"type": "string", "enum": list(reports.GROUPS)}, **_RANGE,
                                   "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}}}}}}},
                **_ERRORS,
                "404": {"description": "unknown group", "content": _ERROR}}}},
    },
}


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    user = api_tokens.user_for_token(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    if user is None:
        return (jsonify(error="unauthorized", message="Send a valid admin API token: Authorization: Bearer <token>."),
                401, {"WWW-Authenticate": 'Bearer realm="api"'})
    g.api_user = user
    return None


def _query():
    for name in ("from", "to", "centre", "lang"):
        if name in request.args and not request.args[name]:
            abort(400, description=f"`{name}` is empty: leave it out for its default, or give a value.")
    today = to_bangkok(datetime.now(UTC)).date()
    try:
        return reports.parse_query(g.api_user, request.args.get("from"), request.args.get("to"), request.args.get("centre"), today)
    except DomainError as error:
        with force_locale("en"):  # the API speaks English, whatever the session says
            abort(400, description=str(error.message))


def _row(row: reports.Row) -> dict:
    return {"key": row.key, "label": row.label, "revenue_satang": row.revenue_satang, "units": row.units,
            "shipping_satang": row.shipping_satang, "orders": row.orders}


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


@bp.get("/totals")
def totals():
    query = _query()
    return jsonify({"from": query.start.isoformat(), "to": query.end.isoformat(),
                    "total": _row(reports.totals(query)), "year_before": _row(reports.totals(reports.year_before(query)))})


@bp.get("/breakdown/<group>")
def breakdown(group: str):
    if group not in reports.GROUPS:
        abort(404, description=f"group must be one of {', '.join(reports.GROUPS)}")
    query = _query()
    lang = request.args.get("lang", "en")
    if lang not in LANGUAGES:
        abort(400, description=f"lang must be one of {', '.join(LANGUAGES)}")
    return jsonify({"group": group, "from": query.start.isoformat(), "to": query.end.isoformat(),
                    "rows": [_row(r) for r in reports.breakdown(query, group, lang)]})
