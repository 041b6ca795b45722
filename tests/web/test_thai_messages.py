"""Every message the shop writes on a Thai page is Thai, and on an English page English.

Every form class of the shop is validated empty and with junk under the Thai locale (a new form is
checked without being listed here), and the main forms are submitted over HTTP in Thai and in
English. A message is Thai when it has Thai letters; WTForms' own defaults ("This field is
required.") have none.
"""
from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict

import shop
from shop.extensions import db
from shop.forms import ShopForm
from tests.factories import make_centre, make_product
from tests.web.helpers import ADDRESS, CSRF, csrf_token, flashed, post_form
from tests.web.test_backoffice import make_user, sign_in

THAI = re.compile(r"[\u0e01-\u0e5b]")
ROOT = Path(__file__).resolve().parents[2]
JUNK = ["", "x" * 700, "-1", "0", "100", "abc", "๑๒", "2026-02-30", "1e309", "<b>junk</b>"]


def all_form_classes() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(shop.__path__, "shop."):
        importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("shop."):
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__name__}")


def form_errors(form) -> list[str]:
    found = []
    for value in form.errors.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            found.extend(form_errors_of(item))
    return found


def form_errors_of(item) -> list[str]:
    if isinstance(item, dict):
        return [e for v in item.values() for e in (v if isinstance(v, list) else [v])]
    return [str(item)]


def make(cls, formdata):
    """A form of this class; arguments its view passes (lists of centres, say) are given empty."""
    needed = [p for p in inspect.signature(cls.__init__).parameters.values()
              if p.name != "self" and p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return cls(*([] for _ in needed), formdata=formdata)


def validated(cls, data: MultiDict) -> list[str]:
    form = make(cls, data)
    for field in form:
        if getattr(field, "choices", ()) is None:  # the view fills these in from the database
            field.choices = [("1", "one")]
    form.validate()
    return form_errors(form)


def junk_for(form_class, value: str) -> MultiDict:
    data = MultiDict()
    for field in make(form_class, None):
        if field.type == "FileField":
            data.add(field.name, FileStorage(io.BytesIO(value.encode()), filename="junk.csv"))
        else:
            data.add(field.name, value)
    return data


def test_every_form_of_the_shop_is_a_shop_form(app):
    strays = [f"{c.__module__}.{c.__name__}" for c in all_form_classes() if not issubclass(c, ShopForm)]
    assert strays == [], "subclass shop.forms.ShopForm, so WTForms' messages are translated"


def test_every_form_refuses_empty_and_junk_input_in_thai(app):
    english: dict[str, set[str]] = {}
    checked = 0
    with app.test_request_context("/"):
        for cls in all_form_classes():
            for value in JUNK:
                data = MultiDict() if value == "" else junk_for(cls, value)
                for message in validated(cls, data):
                    checked += 1
                    if not THAI.search(message):
                        english.setdefault(f"{cls.__module__}.{cls.__name__}", set()).add(message)
    assert checked > 100  # the forms really were refused
    assert english == {}


def test_every_form_refuses_in_english_under_en(app):
    with app.test_request_context("/en/"):
        from shop.storefront.forms import CheckoutForm

        messages = validated(CheckoutForm, MultiDict())
    assert "This field is required." in messages and not any(THAI.search(m) for m in messages)


# --- Over HTTP ----------------------------------------------------------------------------------

ERROR_TEXT = re.compile(r'class="(?:error|flash flash-error)"[^>]*>([^<]+)<')


def page_errors(response) -> list[str]:
    return [e.strip() for e in ERROR_TEXT.findall(response.get_data(as_text=True)) if e.strip()]


@pytest.fixture
def shop_with_a_product(app):
    centre = make_centre("yala", name_th="ศูนย์ยะลา", name_en="Yala centre", province_code="95")
    product = make_product(centre, slug="scarf", prices=(45000,), stock=5)
    db.session.commit()
    return product


def add_to_cart(client, product, prefix=""):
    token = csrf_token(client, f"{prefix}/products/scarf")
    return client.post(f"{prefix}/cart/add", data={"csrf_token": token, "variant_id": product.variants[0].id, "quantity": "1"})


@pytest.mark.parametrize("prefix, is_thai", [("", True), ("/en", False)])
def test_an_empty_checkout_is_refused_in_the_pages_language(client, shop_with_a_product, prefix, is_thai):
    add_to_cart(client, shop_with_a_product, prefix)
    response = post_form(client, f"{prefix}/checkout", {"payment_method": "promptpay_transfer"}, token_from=f"{prefix}/checkout")
    errors = page_errors(response)
    assert response.status_code in (200, 400) and len(errors) >= 5
    assert all(bool(THAI.search(e)) is is_thai for e in errors), errors
    assert ("This field is required." in errors) is not is_thai


@pytest.mark.parametrize("field, value", [("email", "not an email"), ("phone", "12"), ("postcode", "x")])
def test_a_wrong_checkout_field_is_refused_in_thai(client, shop_with_a_product, field, value):
    add_to_cart(client, shop_with_a_product)
    response = post_form(client, "/checkout", {**ADDRESS, field: value}, token_from="/checkout")
    errors = page_errors(response)
    assert errors and all(THAI.search(e) for e in errors), errors


@pytest.mark.parametrize("quantity", ["0", "100", "-1", "abc", ""])
def test_a_quantity_out_of_range_is_refused_by_the_shop_in_thai(client, shop_with_a_product, quantity):
    token = csrf_token(client, "/products/scarf")
    response = client.post("/cart/add", data={"csrf_token": token, "variant_id": shop_with_a_product.variants[0].id,
                                               "quantity": quantity, "back": "/products/scarf"}, follow_redirects=True)
    assert "กรุณาระบุจำนวน 1 ถึง 99" in flashed(response)
    assert client.get("/cart").get_data(as_text=True).count('name="quantity"') == 0  # nothing was added


def test_a_quantity_in_the_cart_out_of_range_is_refused_in_thai(client, shop_with_a_product):
    add_to_cart(client, shop_with_a_product)
    token = csrf_token(client, "/cart")
    response = client.post("/cart/update", data={"csrf_token": token, "variant_id": shop_with_a_product.variants[0].id,
                                                  "quantity": "100", "update": "1"}, follow_redirects=True)
    assert "กรุณาระบุจำนวน 1 ถึง 99" in flashed(response)


def test_quantity_boxes_leave_the_checking_to_the_shop(client, shop_with_a_product):
    add_to_cart(client, shop_with_a_product)
    for url in ("/products/scarf", "/cart"):
        page = client.get(url).get_data(as_text=True)
        box = re.search(r'<input[^>]*name="quantity"[^>]*>', page).group(0)
        assert "min=" not in box and "max=" not in box and 'inputmode="numeric"' in box, box


def test_every_form_in_the_templates_leaves_checking_to_the_shop():
    """The browser's own checks answer in the browser's language before the shop can: every form is novalidate."""
    missing = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for tag in re.findall(r"<form\b[^>]*>", path.read_text()):
            if "novalidate" not in tag:
                missing.append(f"{path.relative_to(ROOT)}: {tag[:80]}")
    assert missing == []


@pytest.mark.parametrize("prefix, is_thai", [("", True), ("/en", False)])
def test_sign_in_and_register_refuse_in_the_pages_language(client, prefix, is_thai):
    for url, data in ((f"{prefix}/account/sign-in", {}), (f"{prefix}/account/register", {"email": "nope", "password": "short"})):
        response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
        errors = page_errors(response)
        assert errors, url
        assert all(bool(THAI.search(e)) is is_thai for e in errors), (url, errors)


def test_back_office_forms_refuse_junk_in_thai(app, shop_with_a_product):
    make_user("staff@yala.example", "staff", centre=shop_with_a_product.centre)
    staff = sign_in(app.test_client(), "staff@yala.example")
    url = f"/backoffice/variants/{shop_with_a_product.variants[0].id}/stock"
    for data in ({"receive-quantity": "0", "receive-submit": "1"}, {"adjust-delta": "abc", "adjust-submit": "1"}):
        token = CSRF.search(staff.get(url).get_data(as_text=True)).group(1)
        shown = flashed(staff.post(url, data={"csrf_token": token, **data}, follow_redirects=True))
        assert shown and THAI.search(shown), (data, shown)
    token = CSRF.search(staff.get("/backoffice/stock").get_data(as_text=True)).group(1)
    response = staff.post("/backoffice/stock/import", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(b"sku,on_hand\nNOPE,1\n"), "count.csv")})
    assert "NOPE: ศูนย์ของคุณไม่มีรหัสสินค้านี้" in response.get_data(as_text=True)


def test_a_baseline_import_explains_its_errors_in_the_admins_language(app, shop_with_a_product):
    make_user("admin@tla.example", "admin")
    admin = sign_in(app.test_client(), "admin@tla.example")
    csv = "centre,year,amount_baht\nyala,2021,lots\nyala,21,5\natlantis,2021,5\n"
    for prefix, expected in (("", "จำนวนเงิน (บาท) ต้องเขียนแบบ 125000.50"), ("/en", "The amount in baht must be like 125000.50")):
        token = CSRF.search(admin.get(f"{prefix}/backoffice/offline-sales").get_data(as_text=True)).group(1)
        response = admin.post(f"{prefix}/backoffice/baselines", content_type="multipart/form-data",
                              data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "baselines.csv")})
        page = response.get_data(as_text=True)
        assert expected in page, page[:3000]
        assert "amount_baht must" not in page
