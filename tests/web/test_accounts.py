"""Accounts: register, sign in (the guest cart comes along), sign out, reset a password, order history."""
import re

from sqlalchemy import select

from shop.extensions import db
from shop.models import CartItem, User
from shop.services.notifications import outbox
from tests.factories import make_product
from tests.web.helpers import checkout, flashed, post_form

PASSWORD = "correct horse battery"


def register(client, email="nid@example.com", password=PASSWORD):
    return post_form(client, "/account/register", {"name": "Nid", "email": email, "password": password, "confirm": password})


def sign_in(client, email="nid@example.com", password=PASSWORD):
    return post_form(client, "/account/sign-in", {"email": email, "password": password})


def test_register_hashes_the_password_and_signs_in(client, app):
    response = register(client, email="Nid@Example.com")
    assert response.status_code == 303
    user = db.session.scalar(select(User))
    assert user.email == "nid@example.com"
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:")) and PASSWORD not in user.password_hash
    assert "ออกจากระบบ" in client.get("/").get_data(as_text=True)


def test_the_shop_hashes_passwords_with_scrypt_at_werkzeugs_full_cost(monkeypatch):
    """The other tests hash at a lower cost (tests/conftest.py, for speed); the shop itself does not."""
    import werkzeug.security

    import shop.models.accounts

    monkeypatch.setattr(shop.models.accounts, "generate_password_hash", werkzeug.security.generate_password_hash)
    user = User(email="nid@example.com", name="Nid")
    user.set_password(PASSWORD)
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def test_the_same_email_cannot_register_twice(client, app):
    register(client)
    other = app.test_client()
    response = register(other, email="NID@example.com")
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_short_passwords_and_mismatches_are_refused(client, app):
    response = post_form(client, "/account/register", {"name": "N", "email": "a@example.com", "password": "short", "confirm": "short"})
    assert response.status_code == 400
    response = post_form(client, "/account/register", {"name": "N", "email": "a@example.com", "password": PASSWORD, "confirm": PASSWORD + "x"})
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_a_wrong_password_gets_one_message_for_unknown_email_too(client, app):
    register(client)
    post_form(client, "/account/sign-out", {})
    wrong = sign_in(app.test_client(), password="nope nope nope")
    unknown = sign_in(app.test_client(), email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 400
    message = "That email and password do not match an account, or the account is locked"
    client.get("/language/en")
    assert message in sign_in(client, password="nope nope nope").get_data(as_text=True)


def test_signing_in_brings_the_guest_cart_into_the_account(client, app):
    product = make_product(slug="scarf", stock=5)
    register(app.test_client())
    post_form(client, "/cart/add", {"variant_id": product.variants[0].id, "quantity": "2"})
    assert sign_in(client).status_code == 303
    db.session.rollback()
    items = db.session.execute(select(CartItem.quantity)).scalars().all()
    assert items == [2]
    assert "scarf" in client.get("/cart").get_data(as_text=True) or "สินค้าทดสอบ" in client.get("/cart").get_data(as_text=True)


def test_a_customer_sees_their_orders_and_opens_them_without_a_key(client, app):
    product = make_product(slug="scarf", stock=5)
    register(client)
    post_form(client, "/cart/add", {"variant_id": product.variants[0].id, "quantity": "1"})
    response, _ = checkout(client)
    number = re.search(r"/orders/([^?]+)", response.headers["Location"]).group(1)
    history = client.get("/account/orders").get_data(as_text=True)
    assert number in history
    assert client.get(f"/orders/{number}").status_code == 200


def test_order_history_needs_sign_in(client, app):
    response = client.get("/account/orders")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_password_reset_by_emailed_link_works_once(client, app):
    register(client)
    post_form(client, "/account/sign-out", {})
    response = post_form(client, "/account/forgot", {"email": "nid@example.com"})
    assert response.status_code == 303
    link = re.search(r"http://\S+/account/reset/\S+", outbox[-1].get_content()).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    new = "a brand new password"
    reset_page = client.get("/" + path)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', reset_page.get_data(as_text=True)).group(1)
    done = client.post("/" + path, data={"csrf_token": token, "password": new, "confirm": new})
    assert done.status_code == 303
    assert sign_in(app.test_client(), password=new).status_code == 303
    assert sign_in(app.test_client(), password=PASSWORD).status_code == 400
    again = client.get("/" + path)  # the link is spent once the password changed
    assert again.status_code == 303 and "/account/forgot" in again.headers["Location"]


def test_forgot_password_does_not_reveal_who_has_an_account(client, app):
    sent = len(outbox)
    response = post_form(client, "/account/forgot", {"email": "nobody@example.com"})
    assert response.status_code == 303
    assert len(outbox) == sent
    assert flashed(client.get("/account/sign-in"))


def test_a_forged_reset_token_is_refused(client, app):
    response = client.get("/account/reset/not-a-token")
    assert response.status_code == 303


def test_sign_in_does_not_redirect_off_site(client, app):
    register(app.test_client())
    response = post_form(client, "/account/sign-in?next=https://evil.example/", {"email": "nid@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/account/orders"
