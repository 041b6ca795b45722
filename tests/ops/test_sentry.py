"""Unexpected errors go to Sentry when SENTRY_DSN is set, and nowhere otherwise (no network here)."""
from __future__ import annotations

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from shop import create_app
from shop.config import TestConfig


class RecordingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


@pytest.fixture(autouse=True)
def no_sentry_afterwards():
    yield
    sentry_sdk.get_global_scope().set_client(None)


def failing_app(backend, tmp_path, **settings):
    config = TestConfig(backend, str(tmp_path))
    for name, value in settings.items():
        setattr(config, name, value)
    app = create_app(config)

    @app.get("/boom-for-sentry")
    def boom():
        raise ZeroDivisionError("boom")

    return app


def test_without_a_dsn_sentry_stays_off(backend, tmp_path):
    sentry_sdk.get_global_scope().set_client(None)
    app = failing_app(backend, tmp_path)
    assert app.test_client().get("/boom-for-sentry").status_code == 500
    assert not sentry_sdk.get_client().is_active()


def test_with_a_dsn_an_unexpected_error_is_sent_to_sentry(backend, tmp_path):
    transport = RecordingTransport()
    app = failing_app(backend, tmp_path, SENTRY_DSN="http://public@127.0.0.1:9/1", SENTRY_TRANSPORT=transport)
    assert sentry_sdk.get_client().is_active()
    assert not sentry_sdk.get_client().should_send_default_pii()  # no cookies, form fields or IP addresses
    response = app.test_client().get("/boom-for-sentry")
    assert response.status_code == 500
    sentry_sdk.flush()
    events = [item.payload.json for envelope in transport.envelopes for item in envelope.items if item.type == "event"]
    assert len(events) == 1
    assert events[0]["exception"]["values"][-1]["type"] == "ZeroDivisionError"
