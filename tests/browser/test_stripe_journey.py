"""Paying through Stripe's hosted page (the local stand-in): card, PromptPay later, and expiry."""
import re

from playwright.sync_api import Page, expect

from tests.browser.test_browse_catalogue import assert_fits_the_screen
from tests.browser.test_checkout_journey import add_to_cart, check_out


def order_for_two_centres(page: Page, base: str) -> str:
    add_to_cart(page, base, "kanchanaburi-herbal-inhaler", 2, option="1")
    add_to_cart(page, base, "samut-songkhram-coconut-sugar", 1)
    number = check_out(page, method="stripe")
    expect(page.locator("section.shipment")).to_have_count(2)
    return number


def go_to_stripe(page: Page, double) -> str:
    page.locator(".pay-button").click()
    expect(page).to_have_url(re.compile(re.escape(double.base_url) + r"/pay/cs_test_\w+"))
    return page.url.rsplit("/", 1)[1]


def test_paying_an_order_from_two_centres_by_card(live_server, stripe_double, new_phone, artifacts):
    page = new_phone()
    page.goto(live_server + "/language/en?next=/")
    number = order_for_two_centres(page, live_server)
    go_to_stripe(page, stripe_double)
    page.get_by_role("button", name="Pay by card").click()
    expect(page).to_have_url(re.compile(rf"/orders/{number}\?key="))
    expect(page.locator(".order-status")).to_contain_text("Paid")
    expect(page.locator("section.shipment").first).to_contain_text("To pack")
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / "order-paid-by-card-en.png"), full_page=True)


def test_paying_by_promptpay_moves_from_awaiting_to_paid(live_server, stripe_double, new_phone):
    page = new_phone()
    number = order_for_two_centres(page, live_server)
    session_id = go_to_stripe(page, stripe_double)
    page.get_by_role("button", name="Pay by PromptPay").click()
    expect(page).to_have_url(re.compile(rf"/orders/{number}\?key="))
    expect(page.locator(".order-status")).to_contain_text("รอชำระเงิน")
    stripe_double.promptpay_settles(session_id)  # the bank confirms a few minutes later
    page.reload()
    expect(page.locator(".order-status")).to_contain_text("ชำระเงินแล้ว")


def test_an_expired_session_gives_the_stock_back(live_server, stripe_double, new_phone):
    page = new_phone()
    page.goto(live_server + "/products/samut-songkhram-coconut-sugar")
    before = page.locator("table.variants tbody tr").first.inner_text()
    number = order_for_two_centres(page, live_server)
    order_url = page.url
    session_id = go_to_stripe(page, stripe_double)
    page.get_by_role("button", name="Cancel and go back").click()
    expect(page).to_have_url(re.compile(rf"/orders/{number}\?key="))
    stripe_double.expire(session_id)
    page.goto(order_url)
    expect(page.locator(".order-status")).to_contain_text("หมดเวลาชำระเงิน")
    page.goto(live_server + "/products/samut-songkhram-coconut-sugar")
    assert page.locator("table.variants tbody tr").first.inner_text() == before
