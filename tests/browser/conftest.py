"""A live shop on a real port, with demo data, and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from shop import create_app
from shop.config import TestConfig
from shop.extensions import db
from tests.conftest import IN_CI

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def demo_app(config: TestConfig, *more: Callable[[], object]):
    """The shop on its own database with the demo catalogue, and whatever else `more` seeds."""
    from shop.services.demo.seed import seed_demo

    app = create_app(config)
    with app.app_context():
        upgrade()
        seed_demo(app.config["MEDIA_FOLDER"])
        for seed in more:
            seed()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def stripe_double():
    """The Stripe stand-in on its own loopback port (API and hosted payment page)."""
    from tests.stripe_double import StripeDouble

    double = StripeDouble("whsec_browser_tests")
    server, base = serve(double.app)
    double.base_url = base
    yield double
    server.shutdown()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, stripe_double):
    """The shop served by werkzeug in a thread, on SQLite with the demo catalogue and Stripe."""
    from tests.stripe_double import deliver_over_http

    instance = tmp_path_factory.mktemp("live")
    config = TestConfig(f"sqlite:///{instance / 'live.sqlite3'}", str(instance))
    config.STRIPE_SECRET_KEY = "sk_test_browser"
    config.STRIPE_WEBHOOK_SECRET = stripe_double.secret
    config.STRIPE_API_BASE = stripe_double.base_url
    config.STRIPE_CHECKOUT_ORIGIN = stripe_double.base_url
    from shop.services.demo.seed import seed_demo_accounts

    app = demo_app(config, seed_demo_accounts)
    server, base = serve(app)
    app.config["PUBLIC_URL"] = base
    stripe_double.deliver = deliver_over_http(base + "/webhooks/stripe")
    yield base
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install chromium fonts-thai-tlwg"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A 360 px wide phone, as most of our customers use."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def new_phone(browser):
    """Another person's phone (a separate browser profile), made on demand."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
