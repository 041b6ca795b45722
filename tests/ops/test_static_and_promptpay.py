"""Static URLs carry a content hash (so Caddy may cache them for a year); the pay page names the account."""
from __future__ import annotations

import re

from flask import url_for

from tests.factories import make_product
from tests.web.helpers import checkout, post_form


def test_static_urls_carry_the_files_content_hash(app, client):
    page = client.get("/account/sign-in").get_data(as_text=True)
    [url] = re.findall(r'href="(/static/css/shop\.css\?v=[0-9a-f]{12})"', page)
    assert client.get(url).status_code == 200
    with app.test_request_context():
        assert url_for("static", filename="css/shop.css") == url
        assert url_for("static", filename="no/such/file.css") == "/static/no/such/file.css"


def test_the_promptpay_page_shows_the_account_holders_name(app, client):
    app.config["PROMPTPAY_NAME"] = "สมาคมห้องสมุดแห่งประเทศไทยฯ"
    scarf = make_product(slug="scarf", stock=3)
    post_form(client, "/cart/add", {"variant_id": str(scarf.variants[0].id), "quantity": "1"})
    response, _ = checkout(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="account-name">สมาคมห้องสมุดแห่งประเทศไทยฯ<' in page
