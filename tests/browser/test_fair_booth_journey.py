"""At 360 px, Surat Thani staff take ten scarves to a fair, sell three by cash and PromptPay, close the day."""
import re

from playwright.sync_api import Page, expect

from tests.browser.test_backoffice_journey import sign_in
from tests.browser.test_browse_catalogue import assert_fits_the_screen

SCARF = "LEAF-PRINT-SCARF-IND"


def stock_row(page: Page):
    return page.locator("#location-stock tr", has=page.locator("td", has_text=re.compile(f"^{SCARF}$")))


def sell(page: Page, units: int, method_label: str) -> None:
    page.get_by_role("link", name="ขายด่วน").first.click()
    page.locator("li.card", has_text=SCARF).locator("input").fill(str(units))
    page.get_by_label(method_label, exact=True).check()
    assert_fits_the_screen(page)
    page.get_by_role("button", name="ตรวจรายการขาย").click()


def test_staff_move_scarves_to_a_fair_booth_sell_three_and_close_the_day(live_server, new_phone, artifacts):
    staff = new_phone()
    sign_in(staff, live_server, "staff-surat-thani@relearn.example", "relearn-surat-thani")

    # More scarves arrive on the home shelf first (the demo has only a few)
    staff.goto(live_server + "/backoffice/stock")
    staff.get_by_role("link", name=SCARF, exact=True).click()
    staff.locator("#receive-quantity").fill("20")
    staff.locator("#receive-note").fill("before the tourism fair")
    staff.locator("#receive-submit").click()
    expect(staff.locator(".flash-success")).to_be_visible()

    # A fair booth
    staff.locator("nav.bo-nav").get_by_role("link", name="สถานที่ขาย").click()
    staff.locator("#kind").select_option("fair")
    staff.locator("#name_th").fill("บูธงานเที่ยวเมืองไทย (ทดสอบ)")
    staff.locator("#name_en").fill("Thailand Tourism Festival booth (test)")
    staff.locator("#place").fill("ศูนย์การประชุมแห่งชาติสิริกิติ์")
    staff.locator("#starts_on").fill("2026-03-28")
    staff.locator("#ends_on").fill("2026-04-01")
    assert_fits_the_screen(staff)
    staff.get_by_role("button", name="เพิ่มสถานที่").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("บูธงานเที่ยวเมืองไทย (ทดสอบ)")

    # Ten scarves go from the home shelf to the booth
    staff.locator("#transfer-sku-1").fill(SCARF)
    staff.locator("#transfer-qty-1").fill("10")
    staff.locator("#transfer-note").fill("สำหรับงานเที่ยวเมืองไทย")
    staff.get_by_role("button", name="ย้ายสต็อก").click()
    expect(staff.locator(".flash-success")).to_be_visible()
    expect(stock_row(staff).locator("td.here")).to_have_text("10")
    home_before = stock_row(staff).locator("td.home").inner_text()
    assert_fits_the_screen(staff)
    location_url = staff.url

    # Two by cash: recorded only when staff confirm
    sell(staff, 2, "เงินสด")
    expect(staff.locator("#sale-total")).to_have_text("฿900")
    staff.get_by_role("button", name="ได้รับเงินแล้ว: บันทึกการขาย").click()
    expect(staff.locator("#receipt")).to_contain_text("เก้าร้อยบาทถ้วน")
    assert_fits_the_screen(staff)

    # One by PromptPay: the QR for the exact amount on the staff member's screen
    staff.goto(location_url)
    sell(staff, 1, "พร้อมเพย์")
    expect(staff.locator("#promptpay-qr")).to_be_visible()
    expect(staff.locator("#sale-total")).to_have_text("฿450")
    assert_fits_the_screen(staff)
    staff.screenshot(path=str(artifacts / "booth-promptpay-th.png"), full_page=True)
    staff.get_by_role("button", name="ได้รับเงินแล้ว: บันทึกการขาย").click()
    expect(staff.locator(".flash-success")).to_be_visible()

    # Close the day: cash expected ฿900, PromptPay ฿450, three units
    staff.get_by_role("link", name="สรุปยอดประจำวัน").click()
    expect(staff.locator("#cash-expected")).to_have_text("฿900")
    expect(staff.locator("#promptpay-received")).to_have_text("฿450")
    expect(staff.locator("#units-sold")).to_have_text("3")
    staff.locator("#counted").fill("900")
    staff.get_by_role("button", name="ปิดยอดประจำวัน").click()
    expect(staff.locator(".flash-success")).to_contain_text("ตรงกับยอดขาย")
    assert_fits_the_screen(staff)
    staff.screenshot(path=str(artifacts / "booth-day-summary-th.png"), full_page=True)

    # Seven left at the booth; the home shelf the web shop sells from is unchanged
    staff.goto(location_url)
    expect(stock_row(staff).locator("td.here")).to_have_text("7")
    expect(stock_row(staff).locator("td.home")).to_have_text(home_before)
    staff.goto(live_server + "/en/backoffice/locations")
    expect(staff.locator("#locations")).to_contain_text("Thailand Tourism Festival booth (test)")
