"""Paying on the same phone: save the QR picture, send the slip, a reused slip is refused, an admin confirms.

At 360 × 740, in Thai (root URLs) and in English (/en/), by role and label.
"""
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from shop.services.payments.slips import parse_tlv
from tests.browser.test_backoffice_journey import sign_in
from tests.browser.test_browse_catalogue import assert_fits_the_screen
from tests.browser.test_checkout_journey import add_to_cart, check_out
from tests.slips import slip_picture

WORDS = {
    "th": {
        "save": "บันทึกรูป QR", "slip": "สลิปโอนเงิน (รูปที่แอปธนาคารบันทึกไว้)", "send": "ส่งสลิป",
        "received": "ได้รับสลิปแล้ว", "refused": "สลิปนี้ถูกส่งมาแล้วสำหรับคำสั่งซื้ออื่น",
        "amount": "ยอดเงินที่ได้รับ (บาท)", "confirm": "ยืนยันการชำระเงิน", "paid": "ยืนยันการชำระเงินแล้ว",
        "steps": "เปิดแอปธนาคารแล้วเลือก",
    },
    "en": {
        "save": "Save QR picture", "slip": "Transfer slip (the picture your bank app saved)", "send": "Send the slip",
        "received": "Slip received", "refused": "This slip was already sent for another order",
        "amount": "Amount received (baht)", "confirm": "Confirm payment", "paid": "Payment confirmed",
        "steps": "Open your bank app and choose Scan.",
    },
}


def total_satang(page: Page) -> int:
    text = page.locator("dd.grand").inner_text()
    baht, _, satang = re.sub(r"[^\d.]", "", text).partition(".")
    return int(baht) * 100 + int(satang or 0)


def emvco_amount_satang(payload: str) -> int:
    baht, _, satang = dict(parse_tlv(payload))["54"].partition(".")
    return int(baht) * 100 + int(satang.ljust(2, "0"))


def send_slip(page: Page, words: dict, picture_path) -> None:
    page.get_by_label(words["slip"]).set_input_files(str(picture_path))
    page.get_by_role("button", name=words["send"]).click()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_customer_pays_on_one_phone_and_a_reused_slip_is_refused(live_server, new_phone, artifacts, tmp_path, lang):
    words = WORDS[lang]
    base = live_server if lang == "th" else live_server + "/en"
    page = new_phone()
    add_to_cart(page, base, "lampang-herbal-balm", 1)
    number = check_out(page)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_text(words["steps"])).to_be_visible()
    expect(page.locator(".account-name")).to_be_visible()
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / f"same-phone-order-{lang}.png"), full_page=True)

    # "Save QR picture": the PNG a bank app reads holds the order's exact total
    with page.expect_download() as download_info:
        page.get_by_role("link", name=words["save"]).click()
    download = download_info.value
    assert download.suggested_filename == f"{number}.png"
    saved = artifacts / f"same-phone-qr-{lang}.png"
    download.save_as(str(saved))
    (found,) = zxingcpp.read_barcodes(Image.open(saved))
    first_total = total_satang(page)
    assert emvco_amount_satang(found.text) == first_total

    # The slip: the order waits for the admin, its items held
    slip = tmp_path / "slip.jpg"
    slip.write_bytes(slip_picture(f"BROWSER{lang.upper()}0001", "014", fmt="JPEG"))
    send_slip(page, words, slip)
    expect(page.get_by_role("status")).to_contain_text(words["received"])
    expect(page.locator(".order-status")).to_contain_text(words["received"])
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / f"same-phone-slip-received-{lang}.png"), full_page=True)

    # A second order with the same slip is refused
    add_to_cart(page, base, "khon-kaen-rice-crackers", 1)
    second = check_out(page)
    send_slip(page, words, slip)
    expect(page.locator(".flash-error")).to_contain_text(words["refused"])
    expect(page.get_by_role("heading", level=1)).to_contain_text(second)
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / f"same-phone-slip-refused-{lang}.png"), full_page=True)

    # The admin sees the slip beside the first order and confirms it at the exact amount
    admin = new_phone()
    sign_in(admin, live_server, "admin@relearn.example", "relearn-admin")
    admin.goto(base + "/backoffice/payments")
    section = admin.locator("section", has=admin.get_by_role("link", name=number, exact=True))
    expect(section.get_by_role("img")).to_be_visible()
    admin.screenshot(path=str(artifacts / f"same-phone-admin-payments-{lang}.png"), full_page=True)
    section.get_by_label(words["amount"]).fill(f"{first_total // 100}.{first_total % 100:02d}")
    section.get_by_role("button", name=words["confirm"]).click()
    expect(admin.locator(".flash-success")).to_contain_text(words["paid"])
    expect(admin.get_by_role("link", name=number, exact=True)).to_have_count(0)
    expect(admin.get_by_role("link", name=second, exact=True)).to_be_visible()  # still waiting, flagged
    assert_fits_the_screen(admin)
