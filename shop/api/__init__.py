"""Read-only JSON API for the programme figures: /api/v1, Bearer tokens of association admins."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, g, jsonify, request

from shop.extensions import csrf
from shop.services.errors import DomainError
from shop.services.people import api_tokens
from shop.services.sales import reports
from shop.services.thai import to_bangkok

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "Relearn Shop programme figures", "version": "1.0.0",
             "description": "Revenue of the Relearning Space centres in integer satang (1 baht = 100 satang). "
                            "Send `Authorization: Bearer <token>`; tokens are made by association admins on /reports/."},
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        "parameters": {
            "from": {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "first day, Bangkok (default 2020-01-01)"},
            "to": {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "last day, Bangkok (default today)"},
            "centre": {"name": "centre", "in": "query", "schema": {"type": "string"}, "description": "a centre's slug"},
        },
        "schemas": {
            "Row": {"type": "object", "required": ["key", "label", "revenue_satang", "units"], "properties": {
                "key": {"type": "string"}, "label": {"type": "string"}, "revenue_satang": {"type": "integer"},
                "units": {"type": "integer"}, "shipping_satang": {"type": "integer"}, "orders": {"type": "integer"}}},
            "Error": {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
    "security": [{"token": []}],
    "paths": {
        "/api/v1/totals": {"get": {
            "summary": "Programme (or one centre's) totals and the same period a year before",
            "parameters": [{"$ref": "#/components/parameters/from"}, {"$ref": "#/components/parameters/to"}, {"$ref": "#/components/parameters/centre"}],
            "responses": {"200": {"description": "totals", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                "total": {"$ref": "#/components/schemas/Row"}, "year_before": {"$ref": "#/components/schemas/Row"}}}}}},
                "400": {"description": "bad parameters", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "no or bad token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
        "/api/v1/breakdown/{group}": {"get": {
            "summary": "Revenue by region, province, centre, channel, category, product, month or year",
            "parameters": [{"name": "group", "in": "path", "required": True, "schema": {"type": "string", "enum": list(reports.GROUPS)}},
                           {"$ref": "#/components/parameters/from"}, {"$ref": "#/components/parameters/to"}, {"$ref": "#/components/parameters/centre"}],
            "responses": {"200": {"description": "rows", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "group": {"type": "string"}, "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}}}}}}},
                "400": {"description": "bad parameters", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "no or bad token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "unknown group", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
    },
}


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    user = api_tokens.user_for_token(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    if user is None:
        return jsonify(error="unauthorized", message="Send a valid admin API token: Authorization: Bearer <token>."), 401
    g.api_user = user
    return None


def _query():
    today = to_bangkok(datetime.now(UTC)).date()
    try:
        return reports.parse_query(g.api_user, request.args.get("from"), request.args.get("to"), request.args.get("centre"), today)
    except DomainError as error:
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
    return jsonify({"group": group, "from": query.start.isoformat(), "to": query.end.isoformat(),
                    "rows": [_row(r) for r in reports.breakdown(query, group, request.args.get("lang", "en"))]})
