"""Responses are compressed (brotli, zstd, gzip); pages every visitor shares are compressed once."""
import brotli
import flask_compress.flask_compress as fc
import pytest
from flask_compress.flask_compress import _uncompress_data

from shop.extensions import db
from tests.factories import make_product


@pytest.fixture
def compressions(monkeypatch):
    """Counts the bodies flask-compress compresses."""
    calls = []
    real = fc._compress_data

    def counting(app, data, algorithm):
        calls.append(algorithm)
        return real(app, data, algorithm)

    monkeypatch.setattr(fc, "_compress_data", counting)
    return calls


@pytest.mark.parametrize("algorithm", ["br", "zstd", "gzip"])
def test_html_pages_are_compressed_with_what_the_client_accepts(client, demo, algorithm):
    plain = client.get("/products").get_data()
    response = client.get("/products", headers={"Accept-Encoding": algorithm})
    assert response.headers["Content-Encoding"] == algorithm
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(response.get_data()) < len(plain) / 3
    assert _uncompress_data(response.get_data(), algorithm) == plain


def test_brotli_is_preferred_when_the_client_accepts_several(client, demo):
    response = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "br"


def test_a_client_that_asks_for_nothing_gets_plain_html(client, demo):
    response = client.get("/products")
    assert "Content-Encoding" not in response.headers
    assert b"<html" in response.get_data()


def test_css_javascript_json_and_csv_are_compressed(client, app, demo):
    css = client.get("/static/css/shop.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    js = client.get("/static/js/charts.js", headers={"Accept-Encoding": "br"})
    assert js.headers["Content-Encoding"] == "br"
    assert b"Chart" in brotli.decompress(js.get_data()) or js.get_data()
    assert "text/csv" in app.config["COMPRESS_MIMETYPES"] and "application/json" in app.config["COMPRESS_MIMETYPES"]
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "br"})
    assert api.status_code == 200 and api.headers["Content-Encoding"] == "br"


def test_a_shared_page_is_compressed_once_and_then_served_from_the_cache(client, demo, compressions):
    first = client.get("/products", headers={"Accept-Encoding": "br"})
    second = client.get("/products", headers={"Accept-Encoding": "br"})
    assert compressions == ["br"]
    assert first.get_data() == second.get_data()
    client.get("/products", headers={"Accept-Encoding": "gzip"})
    client.get("/products", headers={"Accept-Encoding": "gzip"})
    assert compressions == ["br", "gzip"]


def test_the_compressed_copy_is_never_stale_after_a_catalogue_change(client, app, compressions):
    product = make_product(name_th="ผ้าทอมือรุ่นแรก", description_th="ผ้าฝ้าย " * 200)
    before = brotli.decompress(client.get("/products", headers={"Accept-Encoding": "br"}).get_data())
    assert "ผ้าทอมือรุ่นแรก".encode() in before
    product.name_th = "ผ้าทอมือรุ่นใหม่"
    db.session.commit()
    after = brotli.decompress(client.get("/products", headers={"Accept-Encoding": "br"}).get_data())
    assert "ผ้าทอมือรุ่นใหม่".encode() in after and "ผ้าทอมือรุ่นแรก".encode() not in after
    assert len(compressions) == 2


def test_a_page_with_the_visitors_own_csrf_token_is_compressed_but_never_kept(app, demo, compressions):
    pages = [brotli.decompress(app.test_client().get("/products/leaf-printed-cloth", headers={"Accept-Encoding": "br"}).get_data())
             for _visitor in range(2)]
    assert b'name="csrf_token"' in pages[0]
    assert compressions == ["br", "br"]
    assert pages[0] != pages[1]  # each visitor's own token: a kept copy would be another's


def test_compressed_and_plain_answers_of_the_same_page_agree(client, demo):
    plain = client.get("/centres/surat-thani").get_data()
    packed = client.get("/centres/surat-thani", headers={"Accept-Encoding": "zstd"})
    assert _uncompress_data(packed.get_data(), "zstd") == plain
