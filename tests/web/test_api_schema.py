"""The JSON API matches its OpenAPI document: schemathesis drives /api/v1 through the WSGI app.

Every operation in /api/v1/openapi.json gets generated requests, valid and invalid, with an
admin's Bearer token (and, from schemathesis's own checks, without it, and with methods the
document does not list). Every answer must be one the document promises, in the shape it
promises; none may be a 5xx. A fixed seed and number of examples keep the run bounded and the
same every time. The figures (requests, answers by status) are printed (`-s`) and written to
test-artifacts/api-schema-<backend>.json.
"""
from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import schemathesis
from flask.globals import _cv_app
from schemathesis.config import SchemathesisConfig

from shop.extensions import db
from shop.models import Centre, User
from shop.services.ordering import lifecycle
from shop.services.people import api_tokens
from shop.services.sales import offline, reports
from shop.services.thai import to_bangkok
from tests.conftest import examples
from tests.factories import cart_with, make_centre, make_product, place

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Per operation in the fuzzing phase (the examples and coverage phases add their own); API_EXAMPLES=1000 for a long run
# (TEST_DEPTH=deep: ten times the everyday number).
MAX_EXAMPLES = int(os.environ.get("API_EXAMPLES", examples(100)))


def documented_answer(url: str, today: date) -> int:
    """The status the OpenAPI document promises for this admin's request, by its rules for the
    parameters that JSON Schema cannot state (the date range, known centres)."""
    parts = urlsplit(url)
    pairs = parse_qs(parts.query, keep_blank_values=True)
    if any("\x00" in name or any("\x00" in value for value in values) for name, values in pairs.items()):
        return 400  # the shop refuses NUL anywhere in a request
    args = {name: values[0] for name, values in pairs.items()}
    group = unquote(parts.path.rpartition("/")[2]) if "/breakdown/" in parts.path else None
    if group is not None and group not in reports.GROUPS:
        return 404
    if any(name in args and not args[name] for name in ("from", "to", "centre", "lang")):
        return 400
    try:
        days = [date.fromisoformat(args[name]) if name in args else default
                for name, default in (("from", date(2020, 1, 1)), ("to", today))]
    except ValueError:
        return 400
    if any(name in args and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", args[name]) for name in ("from", "to")):
        return 400
    first, last = days
    if not date(2000, 1, 1) <= first <= last <= today + timedelta(days=366) or (last - first).days > 366 * 30:
        return 400
    if "centre" in args and args["centre"] not in {c.slug for c in db.session.scalars(db.select(Centre))}:
        return 400
    if group is not None and args.get("lang", "en") not in {"en", "th"}:
        return 400
    return 200


@schemathesis.check
def answers_as_the_documented_rules_say(ctx, response, case):
    """A request the document's rules allow gets its figures; one they forbid gets a 400."""
    if response.status_code not in {200, 400, 404} or response.request.method != "GET":
        return None
    expected = documented_answer(response.request.url, to_bangkok(datetime.now(UTC)).date())
    if response.status_code != expected:
        raise AssertionError(f"{response.request.url} answered {response.status_code}; the document says {expected}")
    return None


class CountingWsgi:
    """The app as a server runs it: each request in its own app context (the test holds one open),
    after the test's own transaction has ended. Counts the answers by status."""

    def __init__(self, app):
        self.app = app
        self.statuses: Counter = Counter()

    def __call__(self, environ, start_response):
        # Schemathesis's WSGI transport cannot undo brotli or zstd; compression has its own tests.
        environ.pop("HTTP_ACCEPT_ENCODING", None)
        db.session.commit()
        token = _cv_app.set(None)

        def counting_start_response(status, headers, *args):
            self.statuses[int(status.split()[0])] += 1
            return start_response(status, headers, *args)

        try:
            return self.app(environ, counting_start_response)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def figures(request):
    """Where the run's figures go; written out when the test ends."""
    found = {"backend": request.node.callspec.params.get("backend", "?"), "started": time.monotonic(),
             "cpu_started": time.process_time()}
    yield found
    wsgi = found.get("wsgi")
    statuses = dict(sorted(wsgi.statuses.items())) if wsgi else {}
    report = {
        "backend": found["backend"], "seconds": round(time.monotonic() - found["started"], 1),
        "cpu_seconds": round(time.process_time() - found["cpu_started"], 1),
        "requests": sum(statuses.values()), "responses_5xx": sum(n for s, n in statuses.items() if s >= 500),
        "statuses": statuses, "cases": found.get("cases", 0),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"api-schema-{found['backend']}.json").write_text(json.dumps(report, indent=1))
    print(f"\napi schema [{report['backend']}]: {report['requests']} requests ({report['cases']} generated cases), "
          f"{report['responses_5xx']} answered 5xx, statuses {statuses}, {report['seconds']} s ({report['cpu_seconds']} s CPU)")


@pytest.fixture
def api_schema(app, figures):
    """/api/v1 as schemathesis sees it, with an admin's token and figures to report."""
    surat = make_centre("surat-thani", province_code="84", region="south")
    yala = make_centre("yala", province_code="95", province_en="Yala", region="south")
    cloth = make_product(surat, slug="cloth", prices=(65000,), stock=10)
    order = place(cart_with((cloth.variants[0].id, 2)))
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang)
    admin = User(email="admin@tla.example", name="Admin", role="admin")
    admin.set_password("admin password 1")
    db.session.add(admin)
    db.session.commit()
    offline.record_offline_sale(admin, yala.id, date(2025, 3, 1), "fair", 120000, [])
    token = api_tokens.create_token(admin, "schemathesis")
    wsgi = figures["wsgi"] = CountingWsgi(app)
    config = SchemathesisConfig.from_dict({
        "seed": 20260101,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
        # Valid by the schema yet refused: a range the schema cannot bound (`from` after `to`, too far
        # ahead) or an unknown centre. answers_as_the_documented_rules_say holds those 400s to the rules.
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "404"]}},
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_the_api_answers_as_its_openapi_document_says(case, figures):
    figures["cases"] = figures.get("cases", 0) + 1
    case.call_and_validate()
