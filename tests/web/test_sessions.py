"""Sessions end on the server: signing out, a new password or a disabled account signs out
every copy of that person's session cookie at once, not just the browser that asked."""
import re

from werkzeug.security import generate_password_hash

from shop.extensions import db
from shop.models import User
from shop.services.notifications import outbox
from tests.factories import make_centre
from tests.web.helpers import csrf_token, post_form

PASSWORD = "a long enough password"


def make_user(email, role="customer", centre=None):
    db.session.flush()  # the centre gets its id
    user = User(email=email, name=email.split("@")[0], role=role, centre_id=centre.id if centre else None,
                password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"))  # cheap, for speed
    db.session.add(user)
    db.session.commit()
    return user


def signed_in(app, email, password=PASSWORD):
    client = app.test_client()
    response = post_form(client, "/account/sign-in", {"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def copy_of(app, client):
    """Another browser holding a copy of the client's session cookie, as a thief would."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def is_sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_a_copied_admin_cookie_stops_working_after_sign_out(app):
    make_user("admin@relearn.example", "admin")
    admin = signed_in(app, "admin@relearn.example")
    stolen = copy_of(app, admin)
    assert stolen.get("/backoffice/payments").status_code == 200  # the copy works while signed in

    assert post_form(admin, "/account/sign-out", {}).status_code == 303

    assert is_sent_to_sign_in(stolen.get("/backoffice/payments"))
    assert is_sent_to_sign_in(admin.get("/backoffice/payments"))


def test_signing_out_ends_the_customers_sessions_on_every_device(app):
    make_user("nid@example.com")
    phone = signed_in(app, "nid@example.com")
    laptop = signed_in(app, "nid@example.com")
    assert laptop.get("/account/orders").status_code == 200

    post_form(phone, "/account/sign-out", {})

    assert is_sent_to_sign_in(laptop.get("/account/orders"))
    again = signed_in(app, "nid@example.com")  # signing in afresh works as before
    assert again.get("/account/orders").status_code == 200


def test_a_password_reset_signs_out_the_customers_old_sessions(app):
    make_user("nid@example.com")
    old_browser = signed_in(app, "nid@example.com")
    stolen = copy_of(app, old_browser)

    elsewhere = app.test_client()
    post_form(elsewhere, "/account/forgot", {"email": "nid@example.com"})
    path = re.search(r"http://[^/\s]+(/account/reset/\S+)", outbox[-1].get_content()).group(1)
    new = "a brand new password"
    done = elsewhere.post(path, data={"csrf_token": csrf_token(elsewhere, path), "password": new, "confirm": new})
    assert done.status_code == 303

    assert is_sent_to_sign_in(stolen.get("/account/orders"))
    assert is_sent_to_sign_in(old_browser.get("/account/orders"))
    assert signed_in(app, "nid@example.com", new).get("/account/orders").status_code == 200


def test_disabling_a_staff_account_signs_out_its_sessions_for_good(app):
    surat = make_centre("surat")
    staff = make_user("surat@staff.example", "staff", surat)
    make_user("admin@relearn.example", "admin")
    admin = signed_in(app, "admin@relearn.example")
    staff_browser = signed_in(app, "surat@staff.example")
    stolen = copy_of(app, staff_browser)
    assert stolen.get("/backoffice/").status_code == 200

    post_form(admin, f"/backoffice/staff/{staff.id}/disable", {}, token_from="/backoffice/staff")
    assert is_sent_to_sign_in(stolen.get("/backoffice/"))
    assert is_sent_to_sign_in(staff_browser.get("/backoffice/"))

    # enabling the account again does not bring the old cookies back
    post_form(admin, f"/backoffice/staff/{staff.id}/enable", {}, token_from="/backoffice/staff")
    assert is_sent_to_sign_in(stolen.get("/backoffice/"))
    assert signed_in(app, "surat@staff.example").get("/backoffice/").status_code == 200


def test_an_admin_setting_a_new_staff_password_signs_out_the_old_sessions(app):
    surat = make_centre("surat")
    staff = make_user("surat@staff.example", "staff", surat)
    make_user("admin@relearn.example", "admin")
    admin = signed_in(app, "admin@relearn.example")
    stolen = copy_of(app, signed_in(app, "surat@staff.example"))

    post_form(admin, f"/backoffice/staff/{staff.id}/reset-password", {}, token_from="/backoffice/staff")

    assert is_sent_to_sign_in(stolen.get("/backoffice/"))


def test_a_session_for_another_generation_or_a_malformed_id_is_signed_out(app):
    from shop.services.people.accounts import user_for_session

    user = make_user("nid@example.com")
    assert user_for_session(user.get_id()) == user
    assert user.get_id() == f"{user.id}:{user.session_generation}"
    for stale in (str(user.id), f"{user.id}:{user.session_generation + 1}", f"{user.id}:²", "²:0", "", ":", "x:1",
                  f"{user.id}:{user.session_generation}:1", "99999999999999999999999:0"):
        assert user_for_session(stale) is None, stale
