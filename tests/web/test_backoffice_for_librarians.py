"""The back office as a librarian reads it: the audit log in sentences, packing slips with the
sender's address and a barcode (several at once), the selected tab, import forms that say what
they take, and a wrong transfer amount shown at its field."""
import io
import re
from datetime import UTC, datetime

import pytest
from barcode import Code128
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import AuditEntry, Payment, Shipment
from shop.services.money import format_baht
from shop.services.ordering import fulfilment, lifecycle
from shop.services.people import audit
from tests.web.helpers import CSRF, csrf_token
from tests.web.test_backoffice import make_world, sign_in, surat_shipment


@pytest.fixture
def world(app):
    return make_world()


# --- The audit log ----------------------------------------------------------------------------


def _price_change(world, before=65000, after=70000, when=datetime(2026, 11, 24, 3, 0, tzinfo=UTC)):
    variant = world["cloth"].variants[0]
    db.session.add(AuditEntry(user_id=world["staff_surat"].id, centre_id=world["surat"].id, action="variant.update",
                              object_type="variant", object_id=variant.id, before=f'{{"price_satang": {before}}}',
                              after=f'{{"price_satang": {after}}}', created_at=when))
    db.session.commit()


def test_audit_log_reads_as_thai_sentences_with_baht_and_buddhist_era_dates(client, world):
    _price_change(world)
    sign_in(client, "admin@tla.example")
    page = client.get("/backoffice/audit").get_data(as_text=True)
    assert "surat เปลี่ยน" not in page
    assert re.search(r"surat แก้ไขตัวเลือก [^<]+SKU-\d+-0", page)
    assert "ราคา: ฿650 → ฿700" in page
    assert "24 พ.ย. 2569 10:00" in page  # Bangkok time, Buddhist Era year
    assert "price_satang" not in page and "variant.update" not in page


def test_audit_log_reads_as_english_sentences_under_en(client, world):
    _price_change(world)
    sign_in(client, "admin@tla.example")
    page = client.get("/en/backoffice/audit").get_data(as_text=True)
    assert re.search(r"surat changed the option [^<]+SKU-\d+-0\.", page)
    assert "Price: ฿650 → ฿700" in page and "24 Nov 2026 10:00" in page


def test_audit_log_filters_by_centre_person_and_kind(client, world):
    _price_change(world)
    admin, lampang_staff = world["admin"], world["staff_lampang"]
    db.session.add(AuditEntry(user_id=lampang_staff.id, centre_id=world["lampang"].id, action="stock.receive",
                              object_type="variant", object_id=world["rooster"].variants[0].id,
                              before='{"on_hand": 10}', after='{"on_hand": 15, "note": ""}'))
    db.session.commit()
    lang = "en"
    everything = audit.read_log(admin, lang)
    assert everything.total == 2
    assert [line.kind for line in audit.read_log(admin, lang, centre_id=world["lampang"].id).lines] == ["stock"]
    assert [line.kind for line in audit.read_log(admin, lang, user_id=world["staff_surat"].id).lines] == ["variant"]
    assert [line.kind for line in audit.read_log(admin, lang, kind="stock").lines] == ["stock"]
    assert audit.read_log(admin, lang, kind="nonsense").total == 2  # an unknown kind filters nothing
    sign_in(client, "admin@tla.example")
    page = client.get(f"/en/backoffice/audit?kind=stock&centre={world['lampang'].id}").get_data(as_text=True)
    assert "received stock of" in page and "changed the option" not in page
    assert '<option value="stock" selected>' in page and "On hand: 10 → 15" in page


def test_staff_read_only_their_centres_entries_whatever_they_ask(client, world):
    _price_change(world)
    db.session.add(AuditEntry(user_id=world["staff_lampang"].id, centre_id=world["lampang"].id, action="stock.receive",
                              object_type="variant", object_id=world["rooster"].variants[0].id))
    db.session.commit()
    assert audit.read_log(world["staff_surat"], "en").total == 1
    assert audit.read_log(world["staff_surat"], "en", centre_id=world["lampang"].id).total == 0
    assert [p.email for p in audit.people_in_log(world["staff_surat"])] == ["surat@staff.example"]
    sign_in(client, "surat@staff.example")
    page = client.get(f"/en/backoffice/audit?centre={world['lampang'].id}&person={world['staff_lampang'].id}").get_data(as_text=True)
    assert "lampang@staff.example" not in page and "received stock" not in page
    assert 'id="audit-centre"' not in page  # staff have no centre filter


def test_audit_log_comes_a_page_at_a_time(client, world):
    for n in range(3):
        _price_change(world, 1000 + n, 2000 + n)
    first = audit.read_log(world["admin"], "en", per_page=2)
    second = audit.read_log(world["admin"], "en", page=2, per_page=2)
    assert (first.pages, first.total, len(first.lines), len(second.lines)) == (2, 3, 2, 1)
    assert first.lines[0].changes == [("Price", "฿10.02", "฿20.02")]
    assert audit.read_log(world["admin"], "en", page=99, per_page=2).page == 2  # past the end: the last page
    sign_in(client, "admin@tla.example")
    assert client.get("/backoffice/audit?page=abc&person=-1&centre=9999999999").status_code == 200


# --- Packing slips ----------------------------------------------------------------------------

def test_code128_barcode_draws_the_order_numbers_modules():
    svg = fulfilment.code128_svg("RL-261126-4821")
    modules = Code128("RL-261126-4821").build()[0]
    bars = re.findall(r'<rect x="(\d+)" y="0" width="(\d+)"', svg)
    drawn = ["0"] * len(modules)
    for x, width in bars:
        for i in range(int(x) - 10, int(x) - 10 + int(width)):
            drawn[i] = "1"
    assert "".join(drawn) == modules
    assert "style=" not in svg  # the Content-Security-Policy refuses inline styles


def test_packing_slip_has_the_centres_full_address_and_the_order_barcode(client, world):
    surat = world["surat"]
    surat.address_th = "ห้องสมุดประชาชนจังหวัดสุราษฎร์ธานี 1 ถนนดอนนก ตำบลตลาด อำเภอเมืองสุราษฎร์ธานี สุราษฎร์ธานี 84000"
    surat.contact_phone = "077 123 456"
    db.session.commit()
    shipment = surat_shipment(world)
    sign_in(client, "surat@staff.example")
    page = client.get(f"/backoffice/shipments/{shipment.id}/slip").get_data(as_text=True)
    sender = re.search(r'<address class="sender">(.*?)</address>', page, re.S).group(1)
    assert "ถนนดอนนก ตำบลตลาด อำเภอเมืองสุราษฎร์ธานี สุราษฎร์ธานี 84000" in sender and "077 123 456" in sender
    assert fulfilment.code128_svg(world["order"].number) in page
    assert f"<figcaption>{world['order'].number}</figcaption>" in page


def test_several_packing_slips_print_on_one_page(client, world):
    second = world["unpaid"]
    lifecycle.record_payment(second.id, method="promptpay_transfer", reference="T2", amount_satang=second.total_satang)
    ids = [s.id for s in db.session.scalars(select(Shipment).where(Shipment.centre_id == world["surat"].id).order_by(Shipment.id))]
    lampang = db.session.scalar(select(Shipment.id).where(Shipment.centre_id == world["lampang"].id))
    sign_in(client, "surat@staff.example")
    listing = client.get("/backoffice/shipments").get_data(as_text=True)
    assert 'action="/backoffice/shipments/slips"' in listing
    assert f'name="id" value="{ids[0]}"' in listing and f'name="id" value="{ids[1]}"' in listing
    page = client.get(f"/backoffice/shipments/slips?id={ids[0]}&id={ids[1]}&id={lampang}").get_data(as_text=True)
    assert page.count('class="slip-page"') == 2  # another centre's parcel is not printed
    assert world["order"].number in page and second.number in page
    nothing = client.get(f"/backoffice/shipments/slips?id={lampang}&id=x")
    assert nothing.status_code == 303 and nothing.headers["Location"].startswith("/backoffice/shipments")


def test_shipment_tabs_mark_the_selected_one(client, world):
    sign_in(client, "surat@staff.example")
    page = client.get("/backoffice/shipments?status=packed").get_data(as_text=True)
    assert '<a href="/backoffice/shipments?status=packed" aria-current="page">' in page
    assert page.count('aria-current="page"') == 1


# --- Import forms -----------------------------------------------------------------------------

def test_each_import_form_says_what_it_takes(client, world):
    sign_in(client, "admin@tla.example")
    stock = client.get("/backoffice/stock").get_data(as_text=True)
    assert "sku,on_hand\nSURAT-SCARF-01,12" in stock and "ไม่เกิน 2 MB" in stock
    sales = client.get("/backoffice/offline-sales").get_data(as_text=True)
    baseline = sales[sales.index('action="/backoffice/baselines"') - 2000:]
    assert "centre,year,amount_baht\nsurat-thani,2021,125000.50" in baseline
    assert "ไฟล์ CSV ยอดขายฐาน (คอลัมน์: centre, year, amount_baht)" in baseline and "นำเข้ายอดขายฐาน" in baseline
    assert "sku, on_hand" not in baseline and "นำเข้ายอดตรวจนับ" not in baseline


def test_a_refused_baseline_import_links_back_to_the_baselines(client, world):
    sign_in(client, "admin@tla.example")
    token = csrf_token(client, "/backoffice/offline-sales")
    csv = io.BytesIO(b"centre,year,amount_baht\nnowhere,2021,10\n")
    response = client.post("/backoffice/baselines", data={"csrf_token": token, "file": (csv, "b.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="/backoffice/offline-sales"' in page and 'href="/backoffice/stock">' not in page.split("</nav>")[-1]


# --- A wrong amount at payment confirmation ---------------------------------------------------

@pytest.mark.parametrize(("typed", "why"), [("100", "ยอดเงินไม่ตรง"), ("abc", ""), ("", "")])
def test_a_wrong_transfer_amount_is_shown_at_the_amount_field(client, world, typed, why):
    order = world["unpaid"]
    sign_in(client, "admin@tla.example")
    token = CSRF.search(client.get("/backoffice/payments").get_data(as_text=True)).group(1)
    response = client.post(f"/backoffice/orders/{order.id}/confirm-transfer",
                           data={"csrf_token": token, "reference": "BANK-1", "amount": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    field = re.search(rf'<p class="field field-error"><label for="amount-{order.id}">.*?</p>', page, re.S).group(0)
    assert f'aria-describedby="amount-{order.id}-error"' in field and 'aria-invalid="true"' in field
    error = re.search(rf'<span class="error" id="amount-{order.id}-error" role="alert">([^<]+)</span>', field).group(1)
    assert why in error and format_baht(order.total_satang) in error  # the order total, to compare with
    assert f'value="{typed}"' in field and 'value="BANK-1"' in page
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.order_id == order.id)) == 0
