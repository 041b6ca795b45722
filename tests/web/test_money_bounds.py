"""Every amount a person types has an upper bound (shop/config.py) and a message naming it in baht.

Run on SQLite and PostgreSQL: a day's rollup past 2^31 satang keeps the exact sum, and an
amount past the bound (99999999999 included) is refused, changes nothing, and is never a 500.
"""
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import AuditEntry, Category, Centre, OfflineSale, Order, Product, SalesDaily, SalesEntry, User, Variant
from shop.services.sales import offline, reports
from tests.factories import cart_with, make_centre, make_product, place
from tests.web.helpers import PASSWORD, csrf_token, flashed, make_user

DAY = "2026-05-01"


def signed_in(app, email, lang="th"):
    client = app.test_client()
    client.post("/account/sign-in", data={"csrf_token": csrf_token(client), "email": email, "password": PASSWORD})
    if lang == "en":
        client.get("/language/en")
    return client


@pytest.fixture
def world(app):
    surat = make_centre("surat-thani", province_code="84", province_th="สุราษฎร์ธานี", province_en="Surat Thani", region="south")
    cloth = make_product(surat, slug="cloth", prices=(65000,), stock=10)
    make_user("admin@tla.example", "admin")
    make_user("surat@staff.example", "staff", surat)
    unpaid = place(cart_with((cloth.variants[0].id, 1)))
    return {"surat": surat, "cloth": cloth, "unpaid": unpaid}


def money_rows():
    """Everything an amount could change."""
    db.session.rollback()
    rows = {}
    for model in (OfflineSale, SalesEntry, SalesDaily, Variant, Product, Centre, Order, AuditEntry):
        rows[model.__name__] = [tuple(getattr(r, c.key) for c in model.__table__.columns)
                                for r in db.session.scalars(select(model).order_by(model.id))]
    return rows


def record_sale(client, amount, **extra):
    return client.post("/backoffice/offline-sales", data={"csrf_token": csrf_token(client, "/backoffice/offline-sales"),
                                                          "day": DAY, "channel": "fair", "amount": amount, **extra},
                       follow_redirects=True)


def test_offline_sales_of_one_day_past_2_31_satang_keep_the_exact_sum(app, world):
    staff = signed_in(app, "surat@staff.example")
    for amount in ("9,000,000.01", "9,000,000.01", "9000000.01", "10,000,000"):  # each within the bound of ฿10,000,000
        response = record_sale(staff, amount)
        assert response.status_code == 200 and "บันทึก" in flashed(response), flashed(response)
    db.session.rollback()
    expected = 3 * 900_000_001 + 1_000_000_000  # 3,700,000,003 satang: well past 2^31 - 1
    daily = db.session.scalars(select(SalesDaily)).all()
    assert [(d.day, d.channel, d.revenue_satang) for d in daily] == [(date(2026, 5, 1), "fair", expected)]
    assert db.session.scalar(select(func.sum(SalesEntry.amount_satang))) == expected
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    query = reports.parse_query(admin, DAY, DAY, None, date(2026, 11, 25))
    assert reports.totals(query).revenue_satang == expected


def test_an_offline_sale_over_the_bound_is_refused_naming_it_and_changes_nothing(app, world):
    before = money_rows()
    thai, english = signed_in(app, "surat@staff.example"), signed_in(app, "surat@staff.example", "en")
    for amount in ("10,000,000.01", "99999999999", "21474836.47"):
        response = record_sale(thai, amount)
        assert response.status_code == 200 and "จำนวนเงินมากเกินไป: ต้องไม่เกิน ฿10,000,000" in flashed(response), amount
        assert "The amount is too large: at most ฿10,000,000." in flashed(record_sale(english, amount)), amount
    assert money_rows() == before


def test_an_offline_sale_that_is_not_an_amount_is_refused_and_changes_nothing(app, world):
    before = money_rows()
    staff = signed_in(app, "surat@staff.example", "en")
    for amount in ("١٢٣", "9" * 40, "-5", "0", "12.345", "1e3", ""):
        response = record_sale(staff, amount)
        assert response.status_code == 200, amount
        assert "Please give an amount in baht" in flashed(response) or "more than ฿0" in flashed(response), amount
    assert money_rows() == before


def test_the_bound_comes_from_the_configuration(app, world):
    app.config["MAX_AMOUNT_BAHT"] = 5_000
    before = money_rows()
    response = record_sale(signed_in(app, "surat@staff.example", "en"), "5,000.01")
    assert "The amount is too large: at most ฿5,000." in flashed(response)
    assert money_rows() == before
    record_sale(signed_in(app, "surat@staff.example", "en"), "5,000")
    assert db.session.scalar(select(OfflineSale.amount_satang)) == 500_000


def test_the_service_holds_the_bound_too(app, world):
    from shop.services.money import AmountTooLarge

    admin = db.session.scalar(select(User).where(User.role == "admin"))
    with pytest.raises(AmountTooLarge):
        offline.record_offline_sale(admin, world["surat"].id, date(2026, 5, 1), "fair", 1_000_000_001, [])
    with pytest.raises(AmountTooLarge):
        from shop.services.catalog import admin as catalog_admin

        catalog_admin.update_variant(admin, world["cloth"].variants[0].id, {"price_satang": 100_000_001})


# --- 99999999999 in every money field: refused with the bound, never a 500 ------------------------

def post_form(client, url, page, data):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data}, follow_redirects=True)


def new_product(client, world, price):
    category = db.session.scalar(select(Category))
    return post_form(client, "/backoffice/products/new", "/backoffice/products/new", {
        "name_th": "ผ้าพันคอ", "category_id": str(category.id), "sku": "BIG-1", "price": price, "stock_on_hand": "1"})


def new_variant(client, world, price):
    page = f"/backoffice/products/{world['cloth'].id}"
    return post_form(client, f"{page}/variants", page, {"sku": "BIG-2", "price": price, "low_stock_threshold": "1", "active": "y"})


def edit_variant(client, world, price):
    page = f"/backoffice/variants/{world['cloth'].variants[0].id}"
    return post_form(client, page, page, {"sku": world["cloth"].variants[0].sku, "price": price, "low_stock_threshold": "1", "active": "y"})


def centre_form(world, **money):
    blank = dict.fromkeys(("name_en", "library_th", "library_en", "story_th", "story_en", "contact_phone", "contact_email", "contact_line"), "")
    return {"slug": "surat-thani", "name_th": "ศูนย์สุราษฎร์ธานี", "province_code": "84", "region": "south",
            "shipping_fee": "50", "free_shipping_from": "", "active": "y", **blank, **money}


def shipping_fee(client, world, amount):
    page = f"/backoffice/centres/{world['surat'].id}"
    return post_form(client, page, page, centre_form(world, shipping_fee=amount))


def free_shipping_from(client, world, amount):
    page = f"/backoffice/centres/{world['surat'].id}"
    return post_form(client, page, page, centre_form(world, free_shipping_from=amount))


def transfer(client, world, amount):
    return post_form(client, f"/backoffice/orders/{world['unpaid'].id}/confirm-transfer", "/backoffice/payments",
                     {"reference": "BANK-1", "amount": amount})


def baseline(client, world, amount):
    data = f"centre,year,amount_baht\nsurat-thani,2021,{amount}\n".encode()
    return client.post("/backoffice/baselines", content_type="multipart/form-data", follow_redirects=True,
                       data={"csrf_token": csrf_token(client, "/backoffice/offline-sales"), "file": (io.BytesIO(data), "baselines.csv")})


def offline_sale(client, world, amount):
    return record_sale(client, amount)


PRICES = [new_product, new_variant, edit_variant, shipping_fee, free_shipping_from]
AMOUNTS = [transfer, baseline, offline_sale]


def test_99999999999_baht_is_refused_naming_the_bound_in_every_money_field(app, world):
    staff, admin = signed_in(app, "surat@staff.example", "en"), signed_in(app, "admin@tla.example", "en")
    before = money_rows()
    for field in PRICES + AMOUNTS:
        client = staff if field in (new_product, new_variant, edit_variant) else admin
        response = field(client, world, "99999999999")
        assert response.status_code < 500, field.__name__
        limit = "฿1,000,000" if field in PRICES else "฿10,000,000"
        assert f"The amount is too large: at most {limit}." in response.get_data(as_text=True), field.__name__
    assert money_rows() == before


def test_an_amount_at_the_bound_is_taken_and_one_satang_more_is_not(app, world):
    staff, admin = signed_in(app, "surat@staff.example", "en"), signed_in(app, "admin@tla.example", "en")
    for field, client, over, at in [(edit_variant, staff, "1,000,000.01", "1,000,000"), (shipping_fee, admin, "1000000.01", "1000000"),
                                    (baseline, admin, "10000000.01", "10000000")]:
        before = money_rows()
        assert "The amount is too large" in field(client, world, over).get_data(as_text=True), field.__name__
        assert money_rows() == before, field.__name__
        assert "The amount is too large" not in field(client, world, at).get_data(as_text=True), field.__name__
        assert money_rows() != before, field.__name__
    db.session.rollback()
    assert db.session.get(Variant, world["cloth"].variants[0].id).price_satang == 100_000_000
    assert db.session.get(Centre, world["surat"].id).shipping_fee_satang == 100_000_000
    assert db.session.scalar(select(SalesEntry.amount_satang).where(SalesEntry.kind == "baseline")) == 1_000_000_000
