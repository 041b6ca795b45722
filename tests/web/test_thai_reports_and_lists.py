"""Reports and lists read as a Thai reader expects: Thai month names with the Buddhist Era year,
every month shown (฿0 when nothing sold), CSV in the reader's language with money in baht, date
ranges labelled as dates (not sender and recipient), and provinces and centres in Thai dictionary
order."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from shop.services.sales import offline, reports
from shop.services.thai import format_month, provinces
from shop.storefront.forms import CheckoutForm
from shop.text import sort_by_name
from tests.factories import make_centre
from tests.web.test_reports_web import signed_in, user

RANGE = "from=2026-09-01&to=2026-11-30"


@pytest.fixture
def sales(app):
    chiang_mai = make_centre("chiang-mai", name_th="ศูนย์เรียนรู้เชียงใหม่", name_en="Chiang Mai centre", province_code="50",
                             province_th="เชียงใหม่", province_en="Chiang Mai", region="north")
    ang_thong = make_centre("ang-thong", name_th="ศูนย์เรียนรู้อ่างทอง", name_en="Ang Thong centre", province_code="15",
                            province_th="อ่างทอง", province_en="Ang Thong", region="central")
    admin = user("admin@tla.example", "admin")
    offline.record_offline_sale(admin, ang_thong.id, date(2026, 9, 10), "fair", 350000, [])
    offline.record_offline_sale(admin, chiang_mai.id, date(2026, 11, 2), "department_store", 120050, [])
    return admin  # October: nothing sold


def rows_of(table_id: str, page: str) -> list[tuple[str, str]]:
    table = re.search(rf'<table class="lines" id="{table_id}">(.*?)</table>', page, re.S).group(1)
    return [(re.sub(r"\s+", " ", a).strip(), b) for a, b in re.findall(r"<tr data-satang[^>]*><td>(.*?)</td>\s*<td>([^<]*)</td>", table, re.S)]


def test_months_read_in_thai_with_the_buddhist_era_year_and_a_month_without_sales_shows_0(app, sales):
    page = signed_in(app, "admin@tla.example").get(f"/reports/?{RANGE}").get_data(as_text=True)
    assert rows_of("by-month", page) == [("ก.ย. 2569", "฿3,500"), ("ต.ค. 2569", "฿0"), ("พ.ย. 2569", "฿1,200.50")]
    english = signed_in(app, "admin@tla.example").get(f"/en/reports/?{RANGE}").get_data(as_text=True)
    assert [label for label, _ in rows_of("by-month", english)] == ["Sep 2026", "Oct 2026", "Nov 2026"]


def test_a_month_is_named_in_thai_with_the_buddhist_era_year():
    assert format_month(2026, 11, "th") == "พ.ย. 2569"
    assert format_month(2026, 11, "en") == "Nov 2026"


def test_an_empty_money_cell_shows_0_baht(app, sales):
    page = signed_in(app, "admin@tla.example").get(f"/reports/?{RANGE}").get_data(as_text=True)
    table = re.search(r'<table class="lines" id="by-region">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", table)
    assert cells and "" not in cells
    assert "฿0" in cells  # no shipping fees on offline sales


def test_the_report_date_range_reads_from_and_to_not_sender_and_recipient(app, sales):
    page = signed_in(app, "admin@tla.example").get("/reports/").get_data(as_text=True)
    assert '<label for="from">ตั้งแต่</label>' in page and '<label for="to">ถึง</label>' in page
    assert "ผู้ส่ง" not in page and "ผู้รับ" not in page
    english = signed_in(app, "admin@tla.example").get("/en/reports/").get_data(as_text=True)
    assert '<label for="from">From</label>' in english and '<label for="to">To</label>' in english


def read_csv(client, url):
    body = client.get(url).get_data(as_text=True)
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_csv_headings_and_labels_are_in_the_readers_language_with_money_in_baht(app, sales):
    admin = signed_in(app, "admin@tla.example")
    month = read_csv(admin, f"/reports/month.csv?{RANGE}")
    assert month[0] == ["รหัส", "เดือน", "รายได้ (บาท)", "จำนวนชิ้น", "ค่าจัดส่ง (บาท)", "คำสั่งซื้อ"]
    assert [row[:3] for row in month[1:]] == [["2026-09", "ก.ย. 2569", "3500.00"], ["2026-10", "ต.ค. 2569", "0.00"],
                                              ["2026-11", "พ.ย. 2569", "1200.50"]]
    region = read_csv(admin, f"/reports/region.csv?{RANGE}")
    assert region[0][1] == "ภาค" and {row[1] for row in region[1:]} == {"ภาคกลาง", "ภาคเหนือ"}
    channel = read_csv(admin, f"/reports/channel.csv?{RANGE}")
    assert {row[1] for row in channel[1:]} == {"งานแสดงสินค้าหรือนิทรรศการ", "ห้างสรรพสินค้า"}
    english = read_csv(admin, f"/en/reports/channel.csv?{RANGE}")
    assert english[0] == ["Code", "Channel", "Revenue (baht)", "Units", "Shipping fees (baht)", "Orders"]
    assert {row[1] for row in english[1:]} == {"Fair or exhibition", "Department store"}
    assert not any("satang" in cell for row in month + english for cell in row)


def test_csv_money_keeps_refunds_negative_and_satang_exact():
    rows = [reports.Row("2026-01", "ม.ค. 2569", -1250, 1, 5, 0)]
    body = reports.to_csv(rows, "month", "th").lstrip("\ufeff").splitlines()
    assert body[1] == "2026-01,ม.ค. 2569,-12.50,1,0.05,0"


# --- Thai dictionary order ----------------------------------------------------------------------

def test_thai_names_sort_in_dictionary_order_not_code_point_order():
    names = ["อ่างทอง", "เชียงใหม่", "ลำปาง", "กรุงเทพมหานคร", "ยะลา"]
    assert sorted(names).index("เชียงใหม่") > sorted(names).index("อ่างทอง")  # what code points do
    assert sort_by_name(names, str) == ["กรุงเทพมหานคร", "เชียงใหม่", "ยะลา", "ลำปาง", "อ่างทอง"]
    assert sort_by_name(["lampang", "Ang Thong", "chiang mai"], str, "en") == ["Ang Thong", "chiang mai", "lampang"]


def test_the_77_provinces_are_listed_in_thai_dictionary_order():
    thai = [p.name_th for p in provinces()]
    assert len(thai) == 77 and thai.index("เชียงใหม่") < thai.index("อ่างทอง")
    assert thai[0] == "กระบี่" and thai[-1] == "อุบลราชธานี"
    english = [p.name_en for p in provinces("en")]
    assert english == sorted(english, key=str.casefold)


def test_the_checkout_lists_provinces_in_the_readers_dictionary_order(app):
    with app.test_request_context("/"):
        form = CheckoutForm(meta={"csrf": False})
        form.set_choices("th", {})
        names = [label for code, label in form.province.choices if code]
    assert names.index("เชียงใหม่") < names.index("อ่างทอง")


def test_centres_are_listed_in_thai_dictionary_order_on_the_shop_and_in_the_reports(app, sales):
    home = app.test_client().get("/").get_data(as_text=True)
    assert home.index("ศูนย์เรียนรู้เชียงใหม่") < home.index("ศูนย์เรียนรู้อ่างทอง")
    page = signed_in(app, "admin@tla.example").get(f"/reports/?{RANGE}").get_data(as_text=True)
    assert [label for label, _ in rows_of("by-province", page)] == ["เชียงใหม่", "อ่างทอง"]
    assert [label for label, _ in rows_of("by-centre", page)] == ["ศูนย์เรียนรู้เชียงใหม่", "ศูนย์เรียนรู้อ่างทอง"]
    select = re.search(r'<select id="centre" name="centre">(.*?)</select>', page, re.S).group(1)
    assert select.index("ศูนย์เรียนรู้เชียงใหม่") < select.index("ศูนย์เรียนรู้อ่างทอง")
    english = signed_in(app, "admin@tla.example").get(f"/en/reports/?{RANGE}").get_data(as_text=True)
    assert [label for label, _ in rows_of("by-province", english)] == ["Ang Thong", "Chiang Mai"]
