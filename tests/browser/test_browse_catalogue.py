"""A customer on a phone browses in Thai, switches to English, searches and opens a product."""
import re

from playwright.sync_api import Page, expect


def assert_fits_the_screen(page: Page) -> None:
    # A heading can be on screen before the stylesheet has loaded; unstyled, a 640 px picture overflows
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the 360px screen"


def test_browse_in_thai_switch_to_english_search_and_open_the_leaf_printed_cloth(live_server, phone, artifacts):
    page = phone
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("heading", level=1)).to_have_text("งานทำมือจากห้องสมุดประชาชนทั่วไทย")
    assert_fits_the_screen(page)

    page.get_by_role("navigation", name="เมนูหลัก").get_by_role("link", name="สินค้าทั้งหมด").click()
    expect(page.locator(".result-count")).to_have_text(re.compile(r"^\d{2,} รายการ$"))
    assert_fits_the_screen(page)

    # A Thai word inside a Thai phrase
    page.get_by_label("ค้นหา").fill("ใบไม้")
    page.get_by_role("button", name="ค้นหา").click()
    expect(page.get_by_role("link", name="ผ้าพิมพ์ใบไม้ สุราษฎร์ธานี")).to_be_visible()

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/products\?q="))

    page.get_by_label("Search").fill("leaf print")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("4 products")).to_be_visible()
    page.get_by_role("link", name="Surat Thani leaf-printed cloth").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Surat Thani leaf-printed cloth")
    expect(page.get_by_role("cell", name="Indigo / 2 m")).to_be_visible()
    expect(page.get_by_text("from ฿650")).to_be_visible()
    expect(page.get_by_role("img", name="Demo picture of the surat thani leaf-printed cloth").first).to_be_visible()
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / "product-leaf-printed-cloth-en-360.png"), full_page=True)

    # The language choice persists on the next page, and back in Thai the same page reads in Thai
    page.get_by_role("link", name="Relearning Space Surat Thani").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="ไทย").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ศูนย์เรียนรู้ Relearning Space สุราษฎร์ธานี")
    page.screenshot(path=str(artifacts / "centre-surat-thani-th-360.png"), full_page=True)


def test_filters_work_without_javascript(browser, live_server, artifacts):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + "/products")
    page.get_by_text("กรองและเรียงลำดับ").click()
    page.get_by_label("ภาค").select_option("south")
    page.get_by_label("เรียงตาม").select_option("price_asc")
    page.get_by_label("เฉพาะสินค้าที่มีของ").check()
    page.get_by_role("button", name="ใช้ตัวกรอง").click()
    expect(page).to_have_url(re.compile(r"region=south"))
    expect(page.locator(".result-count")).to_have_text(re.compile(r"^\d+ รายการ$"))
    centres = page.locator(".card-centre").all_inner_texts()
    assert centres and all(("สุราษฎร์ธานี" in c) or ("ยะลา" in c) for c in centres), centres
    prices = [int(re.sub(r"[^\d]", "", t.split(".")[0])) for t in page.locator(".card-price").all_inner_texts()]
    assert prices == sorted(prices)
    page.screenshot(path=str(artifacts / "catalogue-south-th-360.png"), full_page=True)
    context.close()
