"""Built for thumbs: a 360 × 740 phone in Thai, tap targets, the add-to-cart bar, postcode first."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_backoffice_journey import sign_in
from tests.browser.test_browse_catalogue import assert_fits_the_screen
from tests.browser.test_checkout_journey import choose_by_postcode

SCREEN_HEIGHT = 740
CONTACT = {"#contact_name": "สมศรี รักษ์ผ้า", "#email": "somsri-thumbs@example.com", "#phone": "089 893 9397",
           "#address_line": "1346 ถนนอัครเทศ"}


def box(page: Page, selector: str) -> dict:
    page.wait_for_load_state("load")  # measured once styled
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not on the page"
    return found


def small_targets(page: Page, selector: str) -> list[str]:
    """The targets (or, for radios and checkboxes, their labels) less than 44 px either way."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector)).filter(el => el.offsetParent !== null)
             .map(el => {
               let target = el;
               if (el.type === 'radio' || el.type === 'checkbox') {
                 const label = el.labels && el.labels[0];
                 const a = el.getBoundingClientRect(), b = label ? label.getBoundingClientRect() : a;
                 const w = Math.max(a.width, b.width), h = Math.max(a.height, b.height);
                 return [el.outerHTML.slice(0, 80), w, h];
               }
               const r = target.getBoundingClientRect();
               return [el.outerHTML.slice(0, 80), r.width, r.height];
             })
             .filter(([, w, h]) => w < 44 || h < 44).map(([html, w, h]) => `${html} ${w}x${h}`)""",
        selector,
    )


def shoot(page: Page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"thumbs-{name}-360.png"), full_page=True)


def assert_targets_fit_a_thumb(page: Page, selector: str) -> None:
    assert small_targets(page, selector) == [], f"tap targets under 44 px on {page.url}"


def test_menu_links_radios_and_checkboxes_are_at_least_44_px(live_server, phone, artifacts):
    page = phone
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    assert_targets_fit_a_thumb(page, ".main-nav a, .main-nav button, .lang-switch a, .lang-current")
    page.goto(live_server + "/products")
    page.get_by_text("กรองและเรียง").click()
    assert_targets_fit_a_thumb(page, ".filters input[type=checkbox], .filters summary")
    add_one(page, live_server, "lampang-herbal-balm")
    page.goto(live_server + "/checkout")
    assert_targets_fit_a_thumb(page, "input[type=radio], input[type=checkbox], .stepper .step, #find_postcode")
    page.goto(live_server + "/cart")
    assert_targets_fit_a_thumb(page, ".stepper .step, .main-nav a")


def add_one(page: Page, base: str, slug: str) -> None:
    page.goto(f"{base}/products/{slug}")
    page.locator("form.add-to-cart button.add-button").click()
    expect(page).to_have_url(re.compile(r"/cart$"))


def test_the_add_to_cart_bar_is_in_the_first_screen_and_stays_in_reach(live_server, phone, artifacts):
    page = phone
    page.goto(live_server + "/products/leaf-printed-cloth")
    button = page.get_by_role("button", name="ใส่ตะกร้า")
    found = button.bounding_box()
    assert found["y"] >= 0 and found["y"] + found["height"] <= SCREEN_HEIGHT, found
    shoot(page, artifacts, "product-th")
    page.mouse.wheel(0, 900)
    expect(page.locator(".product-more h2").first).to_be_in_viewport()
    found = button.bounding_box()
    assert 0 <= found["y"] and found["y"] + found["height"] <= SCREEN_HEIGHT, found
    page.screenshot(path=str(artifacts / "thumbs-product-scrolled-th-360.png"))
    # + changes the number in place with JavaScript, and the bar adds that many
    page.get_by_role("button", name="+").click()
    page.get_by_role("button", name="+").click()
    expect(page.get_by_label("จำนวน")).to_have_value("3")
    assert_fits_the_screen(page)


def test_search_results_come_before_the_closed_filter_panel(live_server, phone, browser, artifacts):
    page = phone
    page.goto(live_server + "/")
    page.get_by_label("ค้นหา").fill("ผ้า")
    page.get_by_role("button", name="ค้นหา").click()
    expect(page.locator("details.filters")).not_to_have_attribute("open", "")
    expect(page.get_by_label("หมวดหมู่")).to_be_hidden()
    page.wait_for_load_state("load")
    first = page.locator(".card").first.bounding_box()
    assert first["y"] < SCREEN_HEIGHT - 100, first
    assert_fits_the_screen(page)
    shoot(page, artifacts, "search-th")
    wide = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        desk = wide.new_page()
        desk.goto(live_server + "/products?q=ผ้า")
        expect(desk.get_by_label("หมวดหมู่")).to_be_visible()  # open on a wide screen
    finally:
        wide.close()


def test_the_review_shows_the_order_summary_before_the_place_order_button(live_server, phone, artifacts):
    page = phone
    add_one(page, live_server, "lampang-herbal-balm")
    expect(page.locator(".cart-link .cart-count")).to_have_text("1")
    page.locator("a[href$='/checkout']").last.click()
    fill_contact(page)
    choose_by_postcode(page)
    page.locator("#privacy_consent").check()
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/checkout/review$"))
    summary = box(page, "section.summary")
    place = page.get_by_role("button", name="สั่งซื้อ")
    assert summary["y"] + summary["height"] <= place.bounding_box()["y"]
    assert_fits_the_screen(page)
    shoot(page, artifacts, "review-th")
    # The button says it is working and a second press is not sent. (The test stops the navigation
    # after thumbs.js's handler has run, to look at the button; the server absorbs a repeat anyway.)
    page.evaluate("""() => { window.submits = [];
        window.addEventListener('submit', e => { window.submits.push(e.defaultPrevented); e.preventDefault(); }); }""")
    place.click()
    button = page.locator(".place-order #submit")
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_have_value("กำลังส่งคำสั่งซื้อ…")
    button.click(force=True)
    assert page.evaluate("window.submits") == [False, True]


def fill_contact(page: Page) -> None:
    for selector, value in CONTACT.items():
        page.locator(selector).fill(value)
    page.locator("input[name=payment_method][value=promptpay_transfer]").check()


def test_checkout_by_postcode_with_javascript_fills_district_and_province(live_server, phone, artifacts):
    page = phone
    add_one(page, live_server, "lampang-herbal-balm")
    page.goto(live_server + "/checkout")
    fill_contact(page)
    expect(page.locator("#find_postcode")).to_be_hidden()  # the script looks the postcode up itself
    page.get_by_label("รหัสไปรษณีย์").fill("10240")
    subdistrict = page.get_by_label("ตำบล", exact=False).and_(page.locator("select"))
    expect(subdistrict.locator("option", has_text="คลองจั่น")).to_be_attached()
    assert "/checkout" in page.url and page.url.endswith("/checkout")  # no page load
    subdistrict.select_option("100601")  # คลองจั่น (เขตบางกะปิ)
    expect(page.locator("#district-filled")).to_have_text("เขตบางกะปิ")
    expect(page.locator("#province-filled")).to_have_text("กรุงเทพมหานคร")
    assert_fits_the_screen(page)
    shoot(page, artifacts, "checkout-postcode-js-th")
    page.locator("#privacy_consent").check()
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/checkout/review$"))
    expect(page.locator("address")).to_contain_text("คลองจั่น")
    page.get_by_role("button", name="สั่งซื้อ").click()
    expect(page).to_have_url(re.compile(r"/orders/RL-"))


@pytest.fixture
def phone_without_javascript(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_whole_checkout_by_postcode_and_plus_buttons_without_javascript(live_server, phone_without_javascript, artifacts):
    page = phone_without_javascript
    page.goto(live_server + "/products/lampang-herbal-balm")
    page.get_by_role("button", name="+").click()  # the server shows the page again with 2
    expect(page.get_by_label("จำนวน")).to_have_value("2")
    page.get_by_role("button", name="ใส่ตะกร้า").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.locator(".cart-link .cart-count")).to_have_text("2")
    page.get_by_role("button", name="+").click()
    expect(page.get_by_label("จำนวน")).to_have_value("3")
    expect(page.locator(".cart-link .cart-count")).to_have_text("3")
    page.get_by_role("button", name="−").click()
    expect(page.get_by_label("จำนวน")).to_have_value("2")
    assert_fits_the_screen(page)
    shoot(page, artifacts, "cart-steppers-nojs-th")
    page.locator("a[href$='/checkout']").last.click()
    fill_contact(page)
    page.get_by_label("รหัสไปรษณีย์").fill("10240")
    page.get_by_role("button", name="ค้นหาตำบลของฉัน").click()  # the second step, on the server
    expect(page.locator("#contact_name")).to_have_value(CONTACT["#contact_name"])
    page.locator("#subdistrict_code").select_option("100601")  # คลองจั่น (เขตบางกะปิ)
    assert_fits_the_screen(page)
    shoot(page, artifacts, "checkout-postcode-nojs-th")
    page.locator("#privacy_consent").check()
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/checkout/review$"))
    expect(page.locator("address")).to_contain_text("เขตบางกะปิ")
    expect(page.locator("address")).to_contain_text("กรุงเทพมหานคร")
    page.get_by_role("button", name="สั่งซื้อ").click()
    expect(page).to_have_url(re.compile(r"/orders/RL-"))


ADMIN_PAGES = ["/backoffice/", "/backoffice/products", "/backoffice/stock", "/backoffice/shipments", "/backoffice/payments",
               "/backoffice/offline-sales", "/backoffice/settlements", "/backoffice/centres", "/backoffice/audit", "/reports/"]


def test_no_page_is_wider_than_a_360_px_screen(live_server, phone, new_phone, artifacts):
    page = phone
    for path in ["/", "/products", "/products/leaf-printed-cloth", "/centres/surat-thani", "/cart", "/en/products"]:
        page.goto(live_server + path)
        assert_fits_the_screen(page)
    shoot(page, artifacts, "catalogue-en")
    add_one(page, live_server, "lampang-herbal-balm")
    page.goto(live_server + "/checkout")
    assert_fits_the_screen(page)
    admin = new_phone()
    sign_in(admin, live_server, "admin@relearn.example", "relearn-admin")
    for path in ADMIN_PAGES:
        admin.goto(live_server + path)
        assert admin.locator("#site-search").count() == 0, path
        assert admin.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert_targets_fit_a_thumb(admin, ".bo-nav a")
    shoot(admin, artifacts, "reports-th")
    admin.goto(live_server + "/backoffice/stock")
    shoot(admin, artifacts, "backoffice-stock-th")
