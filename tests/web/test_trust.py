"""What lets a customer trust the shop: help pages, the PDPA privacy notice and the consent kept
with the order, the association's LINE chat, the home-screen icons, Thailand Post tracking links."""
import json
import re

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order
from shop.services import trust
from shop.services.errors import NoPrivacyConsent
from shop.services.notifications import outbox
from shop.services.ordering import lifecycle
from shop.services.trust import PRIVACY_NOTICE_VERSION
from tests.factories import cart_with, make_centre, make_product, place, thai_details
from tests.web.helpers import ADDRESS, checkout, post_form
from tests.web.test_backoffice import make_user, sign_in

LINE_CHAT = "https://line.me/R/ti/p/~tla2497"


# --- The help pages -----------------------------------------------------------------------

@pytest.mark.parametrize(("path", "thai", "english"), [
    ("/shipping-and-returns", "การจัดส่งและการคืนสินค้า", "Shipping and returns"),
    ("/privacy", "ประกาศความเป็นส่วนตัว", "Privacy notice"),
    ("/contact", "ติดต่อเรา", "Contact us"),
])
def test_help_pages_are_in_thai_and_in_english(client, path, thai, english):
    th = client.get(path)
    en = client.get("/en" + path)
    assert th.status_code == en.status_code == 200
    assert f"<h1>{thai}</h1>" in th.get_data(as_text=True)
    assert f"<h1>{english}</h1>" in en.get_data(as_text=True)


def test_every_page_footer_links_the_help_pages_and_the_line_chat(client):
    page = client.get("/").get_data(as_text=True)
    footer = page[page.index('<footer'):]
    for path in ("/shipping-and-returns", "/privacy", "/contact"):
        assert f'href="{path}"' in footer
    assert f'href="{LINE_CHAT}"' in footer
    assert 'href="tel:0898939397"' in footer
    english = client.get("/en/products").get_data(as_text=True)
    assert 'href="/en/privacy"' in english and "Khlong Chan, Bang Kapi, Bangkok 10240" in english


def test_privacy_notice_says_what_is_kept_why_for_how_long_and_whom_to_contact(client):
    page = client.get("/en/privacy").get_data(as_text=True)
    for heading in ("What we keep", "Why", "For how long", "Your rights", "Whom to contact"):
        assert f"<h2>{heading}</h2>" in page
    assert f"Version {PRIVACY_NOTICE_VERSION}" in page and "PDPA" in page
    assert "A cart: 30 days" in page  # from CART_LIFETIME_DAYS
    assert f'href="{LINE_CHAT}"' in page and "089 893 9397" in page
    thai = client.get("/privacy").get_data(as_text=True)
    assert "พระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล" in thai and "คลองจั่น" in thai


def test_contact_details_come_from_the_settings(app, client):
    app.config.update(CONTACT_LINE_ID="@relearnshop", CONTACT_PHONE="02 123 4567", CONTACT_EMAIL="help@relearn.example")
    page = client.get("/contact").get_data(as_text=True)
    assert 'href="https://line.me/R/ti/p/~relearnshop"' in page
    assert 'href="tel:021234567"' in page and 'href="mailto:help@relearn.example"' in page


def test_line_chat_link_opens_the_account_by_its_id():
    assert trust.line_chat_url("tla2497") == LINE_CHAT
    assert trust.line_chat_url("@tla2497") == LINE_CHAT
    assert trust.line_chat_url("a b/c") == "https://line.me/R/ti/p/~a%20b%2Fc"


def test_centre_page_line_id_is_a_chat_link(client, app):
    make_centre("surat", contact_line="relearnsurat")
    db.session.commit()
    page = client.get("/centres/surat").get_data(as_text=True)
    assert 'href="https://line.me/R/ti/p/~relearnsurat"' in page


def test_product_page_has_a_share_to_line_link(client, app):
    centre = make_centre("surat")
    make_product(centre, slug="leaf-scarf", prices=(45000,), stock=3)
    page = client.get("/products/leaf-scarf").get_data(as_text=True)
    share = re.search(r'href="(https://social-plugins\.line\.me/lineit/share\?url=[^"]+)"', page)
    assert share and "leaf-scarf" in share.group(1)


# --- Icons ------------------------------------------------------------------------------------

def test_pages_link_the_favicon_app_icons_and_a_web_app_manifest(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert re.search(r'<link rel="apple-touch-icon" href="/static/img/icon-180\.png(\?v=\w+)?" sizes="180x180">', page)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] and manifest["lang"] == "th"
    assert manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert {icon["sizes"] for icon in manifest["icons"]} == {"180x180", "512x512"}
    assert client.get("/favicon.ico").status_code == 200


# --- Consent to the privacy notice ------------------------------------------------------------

@pytest.fixture
def a_cart(client, app):
    centre = make_centre("surat")
    product = make_product(centre, slug="scarf", prices=(45000,), stock=5)
    post_form(client, "/cart/add", {"variant_id": product.variants[0].id, "quantity": "1"}, token_from="/products/scarf")
    return product


def test_checkout_without_consent_is_refused_at_the_checkbox(client, a_cart):
    data = {key: value for key, value in ADDRESS.items() if key != "privacy_consent"}
    response = post_form(client, "/checkout", data, token_from="/checkout")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="privacy_consent-error">กรุณายอมรับประกาศความเป็นส่วนตัวก่อนสั่งซื้อ</span>' in page
    assert 'aria-invalid="true"' in page and 'href="/privacy"' in page
    assert client.get("/checkout/review").status_code == 303  # nothing saved: back to the details
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_checkout_box_is_required_and_labelled_with_a_link_to_the_notice(client, a_cart):
    page = client.get("/en/checkout").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="privacy_consent"[^>]*required', page)
    label = re.search(r'<label for="privacy_consent">(.*?)</label>', page, re.S).group(1)
    assert 'href="/en/privacy"' in label and "privacy notice" in label


def test_the_order_keeps_when_its_buyer_consented_and_to_which_notice(client, a_cart):
    response, _form = checkout(client)
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert order.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert order.privacy_consent_at is not None and order.privacy_consent_at <= order.created_at.replace(
        tzinfo=order.privacy_consent_at.tzinfo)


def test_an_order_cannot_be_placed_without_consent(app):
    centre = make_centre("surat")
    product = make_product(centre, prices=(45000,), stock=5)
    cart = cart_with((product.variants[0].id, 1))
    details = thai_details()
    no_consent = type(details)(**{**details.__dict__, "privacy_consent_at": None})
    with pytest.raises(NoPrivacyConsent):
        place(cart, details=no_consent)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Order.id))) == 0
    assert product.variants[0].stock_reserved == 0


# --- Tracking numbers -------------------------------------------------------------------------

@pytest.mark.parametrize(("carrier", "number", "url"), [
    ("Thailand Post", "EF123456789TH", "https://track.thailandpost.co.th/?trackNumber=EF123456789TH"),
    ("ไปรษณีย์ไทย", " ef 123456789 th ", "https://track.thailandpost.co.th/?trackNumber=EF123456789TH"),
    ("EMS", "EB987654321TH", "https://track.thailandpost.co.th/?trackNumber=EB987654321TH"),
    ("Kerry Express", "KEX123456789", None),
    ("Thailand Post", "<script>", None),
])
def test_tracking_links_go_to_thailand_post_only_for_its_parcels(carrier, number, url):
    assert trust.tracking_url(carrier, number) == url


def test_tracking_number_links_to_thailand_post_on_the_order_page_email_and_back_office(client, app):
    centre = make_centre("surat")
    product = make_product(centre, prices=(45000,), stock=5)
    order = place(cart_with((product.variants[0].id, 1)))
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang)
    staff = make_user("surat@staff.example", "staff", centre)
    shipment = order.shipments[0]
    lifecycle.pack(staff, shipment.id)
    outbox.clear()
    lifecycle.ship(staff, shipment.id, "ไปรษณีย์ไทย", "EF123456789TH")
    link = "https://track.thailandpost.co.th/?trackNumber=EF123456789TH"
    assert any(link in message.get_content() for message in outbox)
    from shop.services.ordering.checkout import order_access_key

    page = client.get(f"/orders/{order.number}?key={order_access_key(order.number)}").get_data(as_text=True)
    assert f'<a href="{link}" rel="noopener noreferrer">EF123456789TH</a>' in page
    sign_in(client, "surat@staff.example")
    back_office = client.get(f"/backoffice/shipments/{shipment.id}").get_data(as_text=True)
    assert f'href="{link}"' in back_office
