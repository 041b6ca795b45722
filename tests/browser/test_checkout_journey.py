"""A customer on a phone buys from two centres: as a guest in Thai, signed in in English."""
import re
import shutil
import subprocess

from playwright.sync_api import Page, expect

from tests.browser.test_browse_catalogue import assert_fits_the_screen

ADDRESS = {
    "#contact_name": "สมศรี รักษ์ผ้า",
    "#email": "somsri@example.com",
    "#phone": "089 893 9397",
    "#address_line": "1346 ถนนอัครเทศ",
}
POSTCODE, SUBDISTRICT_CODE = "10240", "100601"  # Khlong Chan, Bang Kapi, Bangkok


def choose_by_postcode(page: Page, postcode: str = POSTCODE, subdistrict_code: str = SUBDISTRICT_CODE) -> None:
    """Postcode first: the page offers the postcode's subdistricts (as the 5th digit is typed, or after Find)."""
    page.locator("#postcode").fill(postcode)
    if page.locator("#find_postcode").is_visible():  # without JavaScript: the server's step
        page.locator("#find_postcode").click()
    expect(page.locator(f"#subdistrict_code option[value='{subdistrict_code}']")).to_be_attached()
    page.locator("#subdistrict_code").select_option(subdistrict_code)


def add_to_cart(page: Page, base: str, slug: str, quantity: int = 1, option: str | None = None) -> None:
    page.goto(f"{base}/products/{slug}")
    form = page.locator("form.add-to-cart")
    if option:
        value = form.locator("select option", has_text=option).first.get_attribute("value")
        form.locator("select").select_option(value)
    form.locator("input[name=quantity]").fill(str(quantity))
    form.locator("button.add-button").click()
    if "/cart/add" in page.url:  # say why the shop refused, instead of only "wrong URL"
        raise AssertionError(page.locator("main").inner_text()[:500])
    expect(page).to_have_url(re.compile(r"/cart$"))


def check_out(page: Page, method: str = "promptpay_transfer") -> str:
    page.locator(".checkout-button, a[href$='/checkout']").last.click()
    for selector, value in ADDRESS.items():
        page.locator(selector).fill(value)
    choose_by_postcode(page)
    page.locator(f"input[name=payment_method][value={method}]").check()
    page.locator("#privacy_consent").check()  # PDPA: the required consent to the privacy notice
    assert_fits_the_screen(page)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/checkout/review$"))
    assert_fits_the_screen(page)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/orders/RL-\d{6}-\d{4}"))
    return re.search(r"/orders/(RL-\d{6}-\d{4})", page.url).group(1)


def assert_two_shipments_and_a_promptpay_qr(page: Page, artifacts, name: str) -> None:
    expect(page.locator("section.shipment")).to_have_count(2)
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    if shutil.which("zbarimg"):
        # What a banking app would read: the QR drawn on the page decodes to a PromptPay payload.
        qr.screenshot(path=str(artifacts / f"{name}-qr.png"))
        decoded = subprocess.run(["zbarimg", "--raw", "-q", str(artifacts / f"{name}-qr.png")],
                                 capture_output=True, text=True, check=True).stdout.strip()
        assert decoded.startswith("000201010212") and "A000000677010111" in decoded and "5802TH" in decoded


def test_a_guest_buys_from_two_centres_in_thai(live_server, phone, artifacts):
    page = phone
    add_to_cart(page, live_server, "leaf-printed-cloth", 1, option="สีคราม / 1 เมตร")
    add_to_cart(page, live_server, "lampang-herbal-balm", 3)
    expect(page.locator("section.cart-group")).to_have_count(2)
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / "cart-two-centres-th.png"), full_page=True)
    number = check_out(page)
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator(".reference")).to_have_text(number)
    assert_two_shipments_and_a_promptpay_qr(page, artifacts, "order-guest-th")


def test_a_signed_in_customer_buys_from_two_centres_in_english(live_server, phone, artifacts):
    page = phone
    page.goto(live_server + "/language/en?next=/account/register")
    page.locator("#name").fill("Somsri")
    page.locator("#email").fill("somsri.en@example.com")
    page.locator("#password").fill("a long enough password")
    page.locator("#confirm").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    add_to_cart(page, live_server, "yala-batik-sarong", 1, option="Scarf")
    add_to_cart(page, live_server, "khon-kaen-rice-crackers", 2)
    number = check_out(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".order-status")).to_contain_text("Awaiting payment")
    assert_two_shipments_and_a_promptpay_qr(page, artifacts, "order-signed-in-en")

    page.get_by_role("link", name="My orders").click()
    expect(page.get_by_role("link", name=number)).to_be_visible()
