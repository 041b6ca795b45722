"""Receipts and credit notes a customer downloads, and a month settled with the centres."""
import re

from playwright.sync_api import Page, expect

from tests.browser.test_backoffice_journey import sign_in
from tests.browser.test_checkout_journey import add_to_cart, check_out
from tests.browser.test_stripe_journey import go_to_stripe, order_for_two_centres
from tests.pdftext import assert_says


def download(page: Page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    return open(info.value.path(), "rb").read()


def test_a_customer_pays_downloads_the_receipt_and_after_a_refund_the_credit_note(live_server, stripe_double, new_phone):
    customer = new_phone()
    number = order_for_two_centres(customer, live_server)
    go_to_stripe(customer, stripe_double)
    customer.get_by_role("button", name="Pay by card").click()
    expect(customer.locator(".order-status")).to_contain_text("ชำระเงินแล้ว")
    receipt = download(customer, customer.locator("ul.documents a.document-th").first)
    receipt_number = re.search(r"RC\d{4}-\d{6}", customer.locator("ul.documents").inner_text()).group(0)
    assert_says(receipt, "ใบเสร็จรับเงิน", receipt_number, number, "ยาดมสมุนไพร", "บาทถ้วน")

    admin = new_phone()
    sign_in(admin, live_server, "admin@relearn.example", "relearn-admin")
    admin.goto(live_server + "/backoffice/shipments?status=to_pack")
    admin.locator("table a", has_text=number).first.click()
    admin.locator("a", has_text=re.compile("คำสั่งซื้อและการคืนเงิน|Order and refunds")).click()
    admin.locator("input[name^=qty-]").first.fill("1")
    admin.locator("form button[type=submit]", has_text=re.compile("คืนเงิน|Refund")).click()
    expect(admin.locator(".flash-success")).to_be_visible()

    customer.reload()
    expect(customer.locator("ul.documents li")).to_have_count(2)
    note = download(customer, customer.locator("ul.documents li").nth(1).locator("a.document-th"))
    assert_says(note, "ใบลดหนี้", receipt_number, "ยาดมสมุนไพร")


def test_an_admin_closes_the_month_pays_a_centre_and_only_that_centres_staff_see_it(live_server, new_phone):
    customer = new_phone()
    add_to_cart(customer, live_server, "kanchanaburi-bamboo-lamp", 1)
    number = check_out(customer)

    admin = new_phone()
    sign_in(admin, live_server, "admin@relearn.example", "relearn-admin")
    admin.goto(live_server + "/language/en?next=/backoffice/payments")
    section = admin.locator("section", has_text=number)
    total = re.search(r"฿([\d,]+(?:\.\d\d)?)", section.locator("h2").inner_text()).group(1)
    section.locator("input[name=amount]").fill(total)
    section.get_by_role("button").first.click()
    expect(admin.locator(".flash-success")).to_be_visible()

    admin.locator("nav.bo-nav a", has_text="Settlements").click()
    admin.locator("table a").first.click()
    expect(admin.locator(".flash-success")).to_contain_text("tie to the ledger")
    admin.get_by_role("button", name="Close this period").click()
    expect(admin.locator(".flash-success").first).to_contain_text("Period closed")
    admin.locator("table.summary a", has_text="Kanchanaburi").click()
    statement_url = admin.url
    payable = admin.locator("dd.payable").inner_text().replace("฿", "")
    admin.locator("#paid_on").fill("2026-12-05")
    admin.locator("#amount").fill(payable)
    admin.locator("#bank_reference").fill("KTB-2569-1205")
    admin.get_by_role("button", name="Record payout").click()
    expect(admin.locator(".statement-status")).to_have_text("Paid")

    staff = new_phone()
    sign_in(staff, live_server, "staff-kanchanaburi@relearn.example", "relearn-kanchanaburi")
    staff.goto(statement_url)
    expect(staff.locator("ul.payouts")).to_contain_text("KTB-2569-1205")
    expect(staff.locator("table.lines")).to_contain_text(number)

    other = new_phone()
    sign_in(other, live_server, "staff-surat-thani@relearn.example", "relearn-surat-thani")
    response = other.goto(statement_url)
    assert response.status == 404
    other.goto(live_server + "/backoffice/settlements")
    other.locator("table a").first.click()
    expect(other.locator("h1")).not_to_contain_text("กาญจนบุรี")
    expect(other.locator("body")).not_to_contain_text("KTB-2569-1205")
