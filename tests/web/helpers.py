"""Helpers for driving forms through the test client, CSRF tokens included."""
import re

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "staff password 1"  # the password make_user gives every account


def csrf_token(client, url="/account/sign-in") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url, data, token_from="/account/sign-in"):
    return client.post(url, data={"csrf_token": csrf_token(client, token_from), **data})


def make_user(email, role, centre=None):
    """A staff member (of `centre`) or an admin, with PASSWORD."""
    from shop.extensions import db
    from shop.models import User

    user = User(email=email, name=email.split("@")[0], role=role, centre_id=centre.id if centre else None)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def signed_in(app, email):
    """A new client signed in as the account made by make_user."""
    client = app.test_client()
    response = post_form(client, "/account/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def flashed(response) -> str:
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', response.get_data(as_text=True)))


ADDRESS = {
    "contact_name": "สมชาย ใจดี",
    "email": "Buyer@Example.com",
    "phone": "081-234-5678",
    "address_line": "1346 ถนนอัครเทศ",
    "subdistrict": "คลองจั่น",
    "district": "บางกะปิ",
    "province": "10",
    "postcode": "10240",
    "payment_method": "promptpay_transfer",
    "privacy_consent": "y",
}


def checkout(client, **overrides):
    """Fill in the details, open the review and place the order; return the final response."""
    response = post_form(client, "/checkout", {**ADDRESS, **overrides}, token_from="/checkout")
    assert response.status_code == 303, flashed(response) or response.get_data(as_text=True)[:2000]
    review = client.get("/checkout/review").get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', review).group(1)
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]{32})"', review).group(1)
    csrf = CSRF.search(review).group(1)
    form = {"csrf_token": csrf, "token": token, "fingerprint": fingerprint}
    return client.post("/checkout/place", data=form), form
