"""Surat Thani staff add a product with a photo, receive stock, and pack and ship its order."""
import re

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.test_browse_catalogue import assert_fits_the_screen
from tests.browser.test_checkout_journey import add_to_cart, check_out


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    from shop.extensions import limiter

    # Every journey's people come from 127.0.0.1, so the per-address sign-in limit (10 a minute)
    # would count the whole browser suite as one visitor: each sign-in starts with it cleared.
    # The limits themselves are tested over HTTP (tests/web/test_sign_in_lock.py).
    limiter.reset()
    page.goto(base + "/account/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/backoffice/$"))


def test_staff_add_a_product_receive_stock_and_ship_an_order_with_tracking(live_server, new_phone, artifacts, tmp_path):
    staff = new_phone()
    sign_in(staff, live_server, "staff-surat-thani@relearn.example", "relearn-surat-thani")
    assert_fits_the_screen(staff)

    # A new product with a photo
    staff.locator("nav.bo-nav a[href='/backoffice/products']").click()
    staff.locator("a[href='/backoffice/products/new']").click()
    staff.locator("#name_th").fill("ผ้าพันคอบาติกทดสอบ")
    staff.locator("#name_en").fill("Browser test batik scarf")
    staff.locator("#category_id").select_option(index=0)
    staff.locator("#description_th").fill("ผ้าพันคอทดสอบจากการทดสอบเบราว์เซอร์")
    staff.locator("#sku").fill("BT-SCARF-1")
    staff.locator("#price").fill("490")
    staff.locator("#stock_on_hand").fill("0")
    staff.locator("#submit").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("ผ้าพันคอบาติกทดสอบ")
    photo = tmp_path / "scarf.jpg"
    Image.new("RGB", (900, 700), (170, 60, 40)).save(photo, "JPEG")
    staff.locator("#photo").set_input_files(str(photo))
    staff.locator("#alt_th").fill("ผ้าพันคอสีแดง")
    staff.locator("form[enctype='multipart/form-data'] [type=submit]").click()
    expect(staff.locator("ul.grid img")).to_have_count(1)

    # Receive stock
    staff.locator("a[href*='/stock']").filter(has_text=re.compile(".")).last.click()
    staff.locator("#receive-quantity").fill("5")
    staff.locator("#receive-note").fill("from the Tuesday workshop")
    staff.locator("#receive-submit").click()
    expect(staff.get_by_text("from the Tuesday workshop")).to_be_visible()
    staff.screenshot(path=str(artifacts / "backoffice-stock-th.png"), full_page=True)

    # A customer buys it, and the association confirms the PromptPay transfer
    customer = new_phone()
    customer.goto(live_server + "/products/browser-test-batik-scarf")
    expect(customer.get_by_role("img", name="ผ้าพันคอสีแดง")).to_be_visible()
    add_to_cart(customer, live_server, "browser-test-batik-scarf", 2)
    number = check_out(customer)
    order_url = customer.url
    total = customer.locator(".totals dd.grand").inner_text()

    admin = new_phone()
    sign_in(admin, live_server, "admin@relearn.example", "relearn-admin")
    admin.goto(live_server + "/backoffice/payments")
    section = admin.locator("section", has_text=number)
    section.locator("input[name=amount]").fill(re.sub(r"[^\d.]", "", total))
    section.locator("form", has=admin.locator("input[name=amount]")).locator("button").click()
    expect(admin.locator(".flash-success")).to_be_visible()

    # The staff see the order, pack it and ship it with a tracking number
    staff.goto(live_server + "/backoffice/shipments?status=to_pack")
    staff.get_by_role("link", name=number).click()
    staff.locator("form[action$='/pack'] button").click()
    staff.locator("#carrier").fill("Thailand Post")
    staff.locator("#tracking_number").fill("EF582956145TH")
    staff.locator("#submit").click()
    expect(staff.get_by_text("EF582956145TH")).to_be_visible()
    staff.screenshot(path=str(artifacts / "backoffice-shipment-th.png"), full_page=True)

    customer.goto(order_url)
    expect(customer.locator(".tracking")).to_contain_text("EF582956145TH")
    assert_fits_the_screen(customer)
    customer.screenshot(path=str(artifacts / "order-with-tracking-th.png"), full_page=True)
