"""A fair sale, an online sale and a part refund at Surat Thani move the totals by exactly that."""
import csv
import io
import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.browser.test_backoffice_journey import sign_in
from tests.browser.test_checkout_journey import add_to_cart, check_out

SURAT = "ศูนย์เรียนรู้ Relearning Space สุราษฎร์ธานี"


def satang(rows) -> int:
    return int(rows.first.get_attribute("data-satang")) if rows.count() else 0


def figures(page: Page, base: str, token: str) -> dict[str, int]:
    """The same three figures read from the dashboard, the CSV and the API."""
    page.goto(base + "/reports/")
    total = int(re.sub(r"[^\d]", "", page.locator("#total-revenue").inner_text())) * 100
    centre = satang(page.locator("#by-centre tbody tr", has_text=SURAT))  # no row yet: no sales yet
    region = satang(page.locator("#by-region tbody tr", has_text="ภาคใต้"))
    # the CSV is a person's: headings in their language, then code, name, revenue in baht, ...
    rows = list(csv.reader(io.StringIO(page.request.get(base + "/reports/centre.csv").text().lstrip("\ufeff"))))[1:]
    csv_centre = sum(int(r[2].replace(".", "")) for r in rows if r[0] == "surat-thani")
    api = page.request.get(base + "/api/v1/breakdown/region", headers={"Authorization": f"Bearer {token}"}).json()
    api_total = page.request.get(base + "/api/v1/totals", headers={"Authorization": f"Bearer {token}"}).json()
    api_region = sum(r["revenue_satang"] for r in api["rows"] if r["key"] == "south")
    assert csv_centre == centre and api_region == region and api_total["total"]["revenue_satang"] == total
    return {"programme": total, "surat": centre, "south": region}


def test_fair_sale_online_sale_and_refund_move_the_totals_exactly(live_server, new_phone, artifacts):
    admin = new_phone()
    sign_in(admin, live_server, "admin@relearn.example", "relearn-admin")
    admin.goto(live_server + "/reports/")
    admin.locator("#token-name").fill("association spreadsheet")
    admin.get_by_role("button", name="สร้างโทเค็น").click()
    token = re.search(r"(rl_[\w-]{20,})", admin.locator(".flash-success").inner_text()).group(1)
    before = figures(admin, live_server, token)

    # 1. Surat Thani staff record a fair sale of ฿3,500
    staff = new_phone()
    sign_in(staff, live_server, "staff-surat-thani@relearn.example", "relearn-surat-thani")
    staff.goto(live_server + "/backoffice/offline-sales")
    today = (datetime.now(UTC) + timedelta(hours=7)).date().isoformat()
    staff.locator("#day").fill(today)
    staff.locator("#channel").select_option("fair")
    staff.locator("#amount").fill("3500")
    staff.locator("#note").fill("Thailand Tourism Festival")
    staff.get_by_role("button", name="บันทึกยอดขาย").click()
    expect(staff.locator(".flash-success")).to_be_visible()

    # 2. A customer buys two leaf-print totes (฿390 each) and pays by card
    customer = new_phone()
    add_to_cart(customer, live_server, "leaf-print-tote", 2)
    number = check_out(customer, method="stripe")
    customer.locator(".pay-button").click()
    customer.get_by_role("button", name="Pay by card").click()
    expect(customer.locator(".order-status")).to_contain_text("ชำระเงินแล้ว")

    # 3. The association refunds one tote
    admin.goto(live_server + "/backoffice/shipments?status=to_pack")
    admin.get_by_role("link", name=number).click()
    admin.locator("a", has_text="คำสั่งซื้อและการคืนเงิน").click()
    admin.locator("input[name^=qty-]").first.fill("1")
    admin.locator("#reason").fill("one tote arrived torn")
    admin.get_by_role("button", name="คืนเงิน").click()
    expect(admin.locator(".flash-success")).to_be_visible()

    after = figures(admin, live_server, token)
    moved = 350000 + 2 * 39000 - 39000
    assert {k: after[k] - before[k] for k in after} == {"programme": moved, "surat": moved, "south": moved}
    admin.goto(live_server + "/reports/")
    admin.screenshot(path=str(artifacts / "reports-dashboard-th.png"), full_page=True)
