"""On a 360 px phone without JavaScript: the help pages, the consent at checkout, and the
librarians' back office (a wrong amount at its field, packing slips with a barcode, the audit log)."""
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_backoffice_journey import sign_in
from tests.browser.test_browse_catalogue import assert_fits_the_screen
from tests.browser.test_checkout_journey import ADDRESS, add_to_cart, choose_by_postcode


@pytest.fixture
def no_js_phone(browser):
    """A 360 px phone with JavaScript switched off: everything must still work."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                      java_script_enabled=False)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def test_help_pages_from_the_footer_in_thai_and_english(live_server, no_js_phone, artifacts):
    page = no_js_phone()
    for lang, prefix, links in (
        ("th", "", {"shipping": "การจัดส่งและการคืนสินค้า", "privacy": "ประกาศความเป็นส่วนตัว", "contact": "ติดต่อเรา"}),
        ("en", "/en", {"shipping": "Shipping and returns", "privacy": "Privacy notice", "contact": "Contact us"}),
    ):
        for name, label in links.items():
            page.goto(live_server + prefix + "/")
            footer = page.get_by_role("contentinfo")
            footer.get_by_role("link", name=label, exact=True).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(label)
            assert_fits_the_screen(page)
            page.screenshot(path=str(artifacts / f"trust-{name}-{lang}.png"), full_page=True)
        line = page.get_by_role("contentinfo").get_by_role("link", name="tla2497")
        expect(line).to_have_attribute("href", "https://line.me/R/ti/p/~tla2497")


def test_checkout_needs_the_privacy_consent_without_javascript(live_server, no_js_phone, artifacts):
    page = no_js_phone()
    add_to_cart(page, live_server, "leaf-printed-cloth")
    page.goto(live_server + "/checkout")
    for selector, value in ADDRESS.items():
        page.locator(selector).fill(value)
    choose_by_postcode(page)
    page.locator("input[name=payment_method][value=promptpay_transfer]").check()
    page.get_by_role("button", name="ถัดไป: ตรวจสอบคำสั่งซื้อ").click()
    expect(page.locator("#privacy_consent-error")).to_have_text("กรุณายอมรับประกาศความเป็นส่วนตัวก่อนสั่งซื้อ")
    consent = page.get_by_role("checkbox", name=re.compile("ข้าพเจ้าได้อ่านและยอมรับ ประกาศความเป็นส่วนตัว"))
    expect(consent).to_have_attribute("aria-invalid", "true")
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / "trust-checkout-consent-th.png"), full_page=True)
    box = consent.bounding_box()
    assert box and box["width"] >= 20 and box["height"] >= 20  # big enough for a thumb
    consent.check()
    page.get_by_role("button", name="ถัดไป: ตรวจสอบคำสั่งซื้อ").click()
    expect(page).to_have_url(re.compile(r"/checkout/review$"))


def test_librarians_confirm_at_the_field_print_slips_with_a_barcode_and_read_the_log(live_server, no_js_phone, artifacts):
    customer = no_js_phone()
    add_to_cart(customer, live_server, "leaf-printed-cloth")
    customer.goto(live_server + "/checkout")
    for selector, value in ADDRESS.items():
        customer.locator(selector).fill(value)
    choose_by_postcode(customer)
    customer.locator("input[name=payment_method][value=promptpay_transfer]").check()
    customer.locator("#privacy_consent").check()
    customer.locator("#submit").click()
    customer.locator("#submit").click()
    number = re.search(r"/orders/(RL-\d{6}-\d{4})", customer.url).group(1)
    total = re.sub(r"[^\d.]", "", customer.locator(".totals dd.grand").inner_text())

    admin = no_js_phone()
    sign_in(admin, live_server, "admin@relearn.example", "relearn-admin")
    admin.goto(live_server + "/backoffice/payments")
    section = admin.locator("section", has_text=number)
    section.get_by_label("ยอดเงินที่ได้รับ (บาท)").fill("1")
    section.get_by_role("button", name="ยืนยันการชำระเงิน").click()
    section = admin.locator("section", has_text=number)
    amount = section.get_by_label("ยอดเงินที่ได้รับ (บาท)")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(section.locator(".field-error .error")).to_contain_text("ยอดเงินไม่ตรงกับยอดรวมของคำสั่งซื้อ")
    assert_fits_the_screen(admin)
    section.screenshot(path=str(artifacts / "trust-payment-amount-error-th.png"))
    amount.fill(total)
    section.get_by_role("button", name="ยืนยันการชำระเงิน").click()
    expect(admin.locator(".flash-success")).to_be_visible()

    staff = no_js_phone()
    sign_in(staff, live_server, "staff-surat-thani@relearn.example", "relearn-surat-thani")
    staff.goto(live_server + "/backoffice/shipments")
    tab = staff.get_by_role("navigation", name="พัสดุตามสถานะ").get_by_role("link", name="รอแพ็ก")
    expect(tab).to_have_attribute("aria-current", "page")
    assert_fits_the_screen(staff)
    staff.screenshot(path=str(artifacts / "trust-shipments-th.png"), full_page=True)
    staff.get_by_label(f"ใบแพ็กสินค้าของ {number}").check()
    staff.get_by_role("button", name="พิมพ์ใบแพ็กสินค้าที่ติ๊กไว้").click()
    slip = staff.locator("section.slip-page", has_text=number)
    expect(slip.locator("address.sender")).to_contain_text("อำเภอเมืองสุราษฎร์ธานี จังหวัดสุราษฎร์ธานี")
    assert_fits_the_screen(staff)
    staff.screenshot(path=str(artifacts / "trust-packing-slip-th.png"), full_page=True)
    if shutil.which("zbarimg"):  # what a scanner reads off the slip: the order number
        slip.locator(".barcode svg").screenshot(path=str(artifacts / "trust-packing-slip-barcode.png"))
        decoded = subprocess.run(["zbarimg", "--raw", "-q", str(artifacts / "trust-packing-slip-barcode.png")],
                                 capture_output=True, text=True, check=True).stdout.strip()
        assert decoded == number

    admin.goto(live_server + "/backoffice/audit")
    admin.get_by_label("ประเภท").select_option("payment")
    admin.get_by_role("button", name="แสดง").click()
    expect(admin.locator(".audit-list")).to_contain_text(f"ยืนยันการโอนเงินของคำสั่งซื้อ {number}")
    assert_fits_the_screen(admin)
    admin.screenshot(path=str(artifacts / "trust-audit-th.png"), full_page=True)

    admin.goto(live_server + "/backoffice/offline-sales")
    expect(admin.get_by_role("button", name="นำเข้ายอดขายฐาน")).to_be_visible()
    assert_fits_the_screen(admin)
    admin.screenshot(path=str(artifacts / "trust-baseline-import-th.png"), full_page=True)
