"""Issue 11's "done when": one phone, 360 × 740, from the search box to "slip received" and an admin's confirmation.

In Thai (root URLs) and in English (/en/), by role and label: search, the + button, two centres, checkout by
postcode with the privacy consent, the order summary before "place order", the saved QR picture decoded, a
generated slip received, the same slip refused on a second order, and an admin confirming the exact amount.
A screenshot of each step is saved as journey-th-*.png / journey-en-*.png; the database is checked at the end.
"""
from __future__ import annotations

import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.browser.test_backoffice_journey import sign_in
from tests.browser.test_browse_catalogue import assert_fits_the_screen
from tests.browser.test_checkout_journey import ADDRESS, POSTCODE, SUBDISTRICT_CODE, add_to_cart, check_out
from tests.browser.test_same_phone_promptpay_journey import WORDS as PAY_WORDS
from tests.browser.test_same_phone_promptpay_journey import emvco_amount_satang, send_slip, total_satang
from tests.slips import slip_picture

WORDS = {
    "th": {
        "search": "ค้นหา", "first_query": "ยาหม่อง", "first": "ยาหม่องสมุนไพร",
        "second_query": "ข้าวแต๋น", "second": "ข้าวแต๋นน้ำแตงโม",
        "quantity": "จำนวน", "add": "ใส่ตะกร้า", "cart": "ตะกร้าสินค้า", "items": "ชิ้น", "check_out": "ชำระเงิน",
        "name": "ชื่อ-นามสกุล", "email": "อีเมล", "phone": "เบอร์มือถือ", "address": "บ้านเลขที่ หมู่บ้าน อาคาร ซอย ถนน",
        "postcode": "รหัสไปรษณีย์", "subdistrict": "ตำบล/แขวง", "subdistrict_name": "คลองจั่น",
        "district_name": "เขตบางกะปิ", "province_name": "กรุงเทพมหานคร",
        "promptpay": "โอนเงินผ่านพร้อมเพย์ (สแกน QR Code ด้วยแอปธนาคาร)",
        "consent": "ข้าพเจ้าได้อ่านและยอมรับ", "continue": "ถัดไป: ตรวจสอบคำสั่งซื้อ",
        "review": "ตรวจสอบคำสั่งซื้อ", "summary": "คำสั่งซื้อของคุณ", "place": "สั่งซื้อ", "paid": "ชำระเงินแล้ว",
    },
    "en": {
        "search": "Search", "first_query": "balm", "first": "Herbal balm",
        "second_query": "rice crackers", "second": "Watermelon rice crackers",
        "quantity": "Quantity", "add": "Add to cart", "cart": "Cart", "items": "items", "check_out": "Check out",
        "name": "Full name", "email": "Email", "phone": "Mobile phone", "address": "House number, village, building, lane, road",
        "postcode": "Postcode", "subdistrict": "Subdistrict (tambon / khwaeng)", "subdistrict_name": "Khlong Chan",
        "district_name": "Bang Kapi", "province_name": "Bangkok",
        "promptpay": "PromptPay transfer (scan a QR code in your banking app)",
        "consent": "I have read and agree to the", "continue": "Continue to review",
        "review": "Review your order", "summary": "Your order", "place": "Place order", "paid": "Paid",
    },
}


@pytest.fixture
def live_database(live_server, tmp_path_factory):
    """The live shop's SQLite database (tests/browser/conftest.py makes it in a "live" folder), read-only here."""
    (path,) = tmp_path_factory.getbasetemp().glob("live[0-9]*/live.sqlite3")
    engine = create_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def shoot(page: Page, artifacts, lang: str, step: str) -> None:
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / f"journey-{lang}-{step}.png"), full_page=True)


def search_and_open(page: Page, words: dict, query: str, product: str, shot=None) -> None:
    page.get_by_role("search").get_by_label(words["search"]).fill(query)
    page.get_by_role("search").get_by_role("button", name=words["search"]).click()
    expect(page).to_have_url(re.compile(r"/products\?q="))
    if shot:
        shot()
    page.get_by_role("link", name=product).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(product)


def cart_link(page: Page, words: dict):
    return page.get_by_role("banner").get_by_role("link", name=re.compile(re.escape(words["cart"])))


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_customer_on_a_phone_goes_from_search_to_slip_received_and_an_admin_confirms(
        live_server, live_database, new_phone, artifacts, tmp_path, lang):
    words, pay = WORDS[lang], PAY_WORDS[lang]
    base = live_server if lang == "th" else live_server + "/en"
    page = new_phone()
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", lang)

    # Search, open the balm, + makes it 2, add it
    search_and_open(page, words, words["first_query"], words["first"],
                    shot=lambda: shoot(page, artifacts, lang, "00-search"))
    shoot(page, artifacts, lang, "01-product")
    page.get_by_role("button", name="+").click()
    expect(page.get_by_label(words["quantity"])).to_have_value("2")
    page.get_by_role("button", name=words["add"]).click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(cart_link(page, words)).to_contain_text(f"2 {words['items']}")

    # A product from a second centre
    search_and_open(page, words, words["second_query"], words["second"])
    page.get_by_role("button", name=words["add"]).click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(cart_link(page, words)).to_contain_text(f"3 {words['items']}")
    expect(page.locator("section.cart-group")).to_have_count(2)
    shoot(page, artifacts, lang, "02-cart")

    # Checkout by postcode: type it, pick the subdistrict; district and province fill themselves in
    page.get_by_role("main").get_by_role("link", name=words["check_out"]).click()
    page.get_by_label(words["name"]).fill(ADDRESS["#contact_name"])
    page.get_by_label(words["email"]).fill(f"journey-{lang}@example.com")
    page.get_by_label(words["phone"]).fill(ADDRESS["#phone"])
    page.get_by_label(words["postcode"]).fill(POSTCODE)
    subdistrict = page.get_by_label(words["subdistrict"]).and_(page.locator("select"))
    option = subdistrict.locator("option", has_text=words["subdistrict_name"])
    expect(option).to_have_attribute("value", SUBDISTRICT_CODE)
    subdistrict.select_option(label=option.inner_text().strip())
    expect(page.locator("#district-filled")).to_contain_text(words["district_name"])
    expect(page.locator("#province-filled")).to_contain_text(words["province_name"])
    page.get_by_label(words["address"]).fill(ADDRESS["#address_line"])
    page.get_by_label(words["promptpay"]).check()
    page.get_by_label(words["consent"]).check()
    shoot(page, artifacts, lang, "03-checkout")
    page.get_by_role("button", name=words["continue"]).click()

    # The review: what is bought comes before "place order"
    expect(page.get_by_role("heading", level=1)).to_have_text(words["review"])
    summary = page.get_by_role("region", name=words["summary"])
    expect(summary).to_contain_text(words["first"])
    expect(summary).to_contain_text(words["second"])
    expect(summary).to_contain_text("2 ×")
    place = page.get_by_role("button", name=words["place"])
    page.wait_for_load_state("load")  # measured once styled
    summary_box = summary.bounding_box()
    assert summary_box["y"] + summary_box["height"] <= place.bounding_box()["y"]
    expect(page.locator("address")).to_contain_text("คลองจั่น เขตบางกะปิ")  # kept in Thai, as the parcel is addressed
    shoot(page, artifacts, lang, "04-review")
    place.click()
    expect(page).to_have_url(re.compile(r"/orders/RL-\d{6}-\d{4}"))
    number = re.search(r"/orders/(RL-\d{6}-\d{4})", page.url).group(1)
    first_order_page = page.url  # a guest's link, with its signed key
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.get_by_text(pay["steps"])).to_be_visible()
    shoot(page, artifacts, lang, "05-order")

    # Save the QR picture; the saved PNG's EMVCo amount (tag 54) is the order's total in the database
    with page.expect_download() as download_info:
        page.get_by_role("link", name=pay["save"]).click()
    saved = tmp_path / "qr.png"
    download_info.value.save_as(str(saved))
    (found,) = zxingcpp.read_barcodes(Image.open(saved))
    with live_database.connect() as connection:
        first_total = connection.execute(
            text("SELECT total_satang FROM shop_order WHERE number = :n"), {"n": number}).scalar_one()
    assert emvco_amount_satang(found.text) == first_total == total_satang(page)
    Image.open(saved).save(artifacts / f"journey-{lang}-06-saved-qr.png")

    # A generated slip: "slip received"
    transaction_ref = f"JOURNEY{lang.upper()}00000001"
    slip = tmp_path / "slip.jpg"
    slip.write_bytes(slip_picture(transaction_ref, "014", fmt="JPEG"))
    send_slip(page, pay, slip)
    expect(page.get_by_role("status")).to_contain_text(pay["received"])
    expect(page.locator(".order-status")).to_contain_text(pay["received"])
    shoot(page, artifacts, lang, "07-slip-received")

    # A second order: the same slip is refused with the shop's message
    add_to_cart(page, base, "khon-kaen-rice-crackers", 1)
    second = check_out(page)
    send_slip(page, pay, slip)
    expect(page.locator(".flash-error")).to_contain_text(pay["refused"])
    expect(page.get_by_role("heading", level=1)).to_contain_text(second)
    shoot(page, artifacts, lang, "08-slip-refused")

    # An admin confirms the first order's payment at the exact amount
    admin = new_phone()
    sign_in(admin, live_server, "admin@relearn.example", "relearn-admin")
    admin.goto(base + "/backoffice/payments")
    expect(admin.locator("html")).to_have_attribute("lang", lang)
    section = admin.locator("section", has=admin.get_by_role("link", name=number, exact=True))
    expect(section.get_by_role("img")).to_be_visible()
    shoot(admin, artifacts, lang, "09-admin-payments")
    section.get_by_label(pay["amount"]).fill(f"{first_total // 100}.{first_total % 100:02d}")
    section.get_by_role("button", name=pay["confirm"]).click()
    expect(admin.locator(".flash-success")).to_contain_text(pay["paid"])
    expect(admin.get_by_role("link", name=number, exact=True)).to_have_count(0)
    shoot(admin, artifacts, lang, "10-admin-confirmed")

    # The customer's order page says so, and the database agrees
    page.goto(first_order_page)
    expect(page.locator(".order-status")).to_contain_text(words["paid"])
    with live_database.connect() as connection:
        statuses = dict(connection.execute(
            text("SELECT number, status FROM shop_order WHERE number IN (:a, :b)"), {"a": number, "b": second}).all())
        slips = connection.execute(
            text("SELECT o.number FROM payment_slip s JOIN shop_order o ON o.id = s.order_id"
                 " WHERE s.sending_bank = '014' AND s.transaction_ref = :ref"), {"ref": transaction_ref}).scalars().all()
        payments = connection.execute(
            text("SELECT p.amount_satang FROM payment p JOIN shop_order o ON o.id = p.order_id WHERE o.number = :n"),
            {"n": number}).scalars().all()
        lines = dict(connection.execute(
            text("SELECT p.slug, l.quantity FROM order_line l JOIN shop_order o ON o.id = l.order_id"
                 " JOIN product p ON p.id = l.product_id"
                 " WHERE o.number = :n"), {"n": number}).all())
    assert statuses == {number: "paid", second: "awaiting_payment"}
    assert slips == [number]
    assert payments == [first_total]
    assert lines == {"lampang-herbal-balm": 2, "khon-kaen-rice-crackers": 1}
    shoot(page, artifacts, lang, "11-order-paid")
