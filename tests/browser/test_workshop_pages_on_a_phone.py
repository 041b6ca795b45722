"""Workshops, maker groups and the programme's figures on a 360 x 740 phone, in Thai and English.

Each page fits the screen and axe-core finds nothing on it; a seat is booked with JavaScript
turned off (the session chosen from the list, two seats with the + button) and the cart shows
the session's date and place.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from shop.config import TestConfig
from tests.browser.conftest import demo_app, serve
from tests.browser.test_accessibility import violations
from tests.browser.test_browse_catalogue import assert_fits_the_screen

WORKSHOP = "leaf-print-workshop"
MAKER = "leaf-print-group-surat-thani"
WORDS = {
    "th": {"prefix": "", "sessions": "รอบ", "seats": "ที่นั่ง", "book": "จองที่นั่ง", "trained": "ผู้ผ่านการอบรม",
           "maker": "กลุ่มผ้าพิมพ์ใบไม้ Relearn สุราษฎร์ธานี (ตัวอย่าง)", "more": "เพิ่ม"},
    "en": {"prefix": "/en", "sessions": "Sessions", "seats": "Seats", "book": "Book seats", "trained": "People trained",
           "maker": "Relearn leaf-print group, Surat Thani (demo)", "more": "More"},
}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A shop of its own with the demo's programme figures, maker group and dated sessions too
    (seed-demo loads them; the shared live shop has the catalogue only)."""
    from shop.services.demo.impact import seed_demo_impact

    instance = tmp_path_factory.mktemp("workshops")
    server, base = serve(demo_app(TestConfig(f"sqlite:///{instance / 'live.sqlite3'}", str(instance)), seed_demo_impact))
    yield base
    server.shutdown()


@pytest.fixture
def phone_without_javascript(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True,
                                  java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_programme_maker_and_workshop_pages_fit_a_phone_and_pass_axe(live_server, browser, lang):
    words = WORDS[lang]
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True,
                                  bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        base = live_server + words["prefix"]
        found = {}
        page.goto(base + "/programme")
        expect(page.locator("[data-figure=people-trained]").first).to_have_text(re.compile(r"^\d{2,3},\d{3}$"))
        expect(page.get_by_text(words["trained"]).first).to_be_visible()
        assert_fits_the_screen(page)
        found["/programme"] = violations(page)

        page.goto(f"{base}/makers/{MAKER}")
        expect(page.get_by_role("heading", level=1)).to_have_text(words["maker"])
        assert_fits_the_screen(page)
        found["/makers"] = violations(page)

        page.goto(f"{base}/products/{WORKSHOP}")
        table = page.locator("table.sessions")
        expect(table.locator("caption")).to_have_text(words["sessions"])
        assert table.locator("tbody tr").count() >= 2
        expect(page.get_by_role("button", name=words["book"])).to_be_visible()
        assert_fits_the_screen(page)
        found["/products/" + WORKSHOP] = violations(page)
    finally:
        context.close()
    problems = {url: p for url, p in found.items() if p}
    assert not problems, "axe-core violations:\n" + "\n".join(f"{url}\n  " + "\n  ".join(p) for url, p in problems.items())


def test_a_seat_is_booked_without_javascript_on_a_phone(live_server, phone_without_javascript):
    page, words = phone_without_javascript, WORDS["th"]
    page.goto(f"{live_server}/products/{WORKSHOP}")
    form = page.locator("form.add-to-cart")
    second = form.locator("select#variant option").nth(1)
    session_name = second.inner_text().split(" — ")[0]
    form.locator("select#variant").select_option(second.get_attribute("value"))
    form.get_by_role("button", name=words["more"]).click()  # + without JavaScript: the page comes back with 2
    form = page.locator("form.add-to-cart")
    expect(form.locator("input[name=quantity]")).to_have_value("2")
    assert form.locator("select#variant option:checked").inner_text().startswith(session_name)
    form.get_by_role("button", name=words["book"]).click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    cart = page.locator("main").inner_text()
    assert session_name in cart and "2" in cart
    assert_fits_the_screen(page)
