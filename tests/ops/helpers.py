"""Shared bits for the operations tests."""
from __future__ import annotations

from shop.extensions import db
from shop.models import User
from tests.web.helpers import csrf_token

PASSWORD = "ops password 12"


def make_user(email: str, role: str = "admin", centre=None) -> User:
    user = User(email=email, name=email.split("@")[0], role=role, centre_id=centre.id if centre else None)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def sign_in(client, email: str):
    token = csrf_token(client)
    response = client.post("/account/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client
