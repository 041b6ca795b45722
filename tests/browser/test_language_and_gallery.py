"""Someone opens a product link shared in English, with no session: English. Switching to Thai
lands on the same product. The gallery works without JavaScript; "Copy link" copies with it."""
import re

from playwright.sync_api import expect

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True}


def test_an_english_product_link_opened_with_no_session_is_english_and_switches_to_the_same_thai_product(browser, live_server, artifacts):
    context = browser.new_context(**PHONE)  # a fresh profile: no cookie, no session
    page = context.new_page()
    page.goto(live_server + "/en/products/leaf-printed-cloth")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Surat Thani leaf-printed cloth")
    expect(page.get_by_role("button", name="Add to cart")).to_be_visible()
    assert page.locator('link[rel="canonical"]').get_attribute("href") == live_server + "/en/products/leaf-printed-cloth"
    page.screenshot(path=str(artifacts / "product-en-from-a-shared-link-360.png"), full_page=True)

    page.get_by_role("navigation", name="Language").get_by_role("link", name="ไทย").click()
    expect(page).to_have_url(live_server + "/products/leaf-printed-cloth")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("heading", level=1)).to_have_text("ผ้าพิมพ์ใบไม้ สุราษฎร์ธานี")
    # the choice is remembered, and English is one tap away again, on the same product
    page.get_by_role("navigation", name="ภาษา").get_by_role("link", name="English").click()
    expect(page).to_have_url(live_server + "/en/products/leaf-printed-cloth")
    page.goto(live_server + "/products")  # an old Thai link, for someone who chose English
    expect(page).to_have_url(live_server + "/en/products")
    context.close()


def test_the_gallery_works_without_javascript(browser, live_server, artifacts):
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(live_server + "/products/leaf-printed-cloth")
    photos = page.locator(".gallery-photo")
    assert photos.count() >= 3
    expect(photos.nth(0)).to_be_visible()
    expect(photos.nth(2)).to_be_hidden()
    page.locator('label[for="photo-3"]').click()
    expect(photos.nth(2)).to_be_visible()
    expect(photos.nth(0)).to_be_hidden()
    shown = photos.nth(2).locator("img")
    expect(shown).to_have_attribute("alt", re.compile("ภาพตัวอย่างของผ้าพิมพ์ใบไม้"))
    assert shown.evaluate("img => img.complete && img.naturalWidth > 0")
    assert shown.evaluate("img => img.currentSrc").endswith(".webp")  # WebP where the browser takes it
    page.screenshot(path=str(artifacts / "gallery-third-photo-no-js-360.png"), full_page=False)
    full = photos.nth(2).get_by_role("link", name="ดูภาพขนาดเต็ม")
    response = page.request.get(live_server + full.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "image/jpeg"
    context.close()


def test_copy_link_copies_the_product_address(browser, live_server):
    context = browser.new_context(**PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    page.goto(live_server + "/en/products/leaf-printed-cloth")
    page.get_by_role("link", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Link copied")).to_be_visible()
    expect(page).to_have_url(live_server + "/en/products/leaf-printed-cloth")
    assert page.evaluate("navigator.clipboard.readText()") == live_server + "/en/products/leaf-printed-cloth"
    context.close()
