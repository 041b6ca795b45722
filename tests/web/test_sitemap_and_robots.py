"""robots.txt, /sitemap.xml (an index beyond its limit) and /favicon.ico."""
import io
import xml.etree.ElementTree as ET

from PIL import Image

from shop.extensions import db
from tests.factories import make_centre, make_product

BASE = "http://127.0.0.1:5000"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def urls_in(client, path="/sitemap.xml") -> dict[str, ET.Element]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == "{" + NS["s"] + "}urlset"
    return {url.find("s:loc", NS).text: url for url in root.findall("s:url", NS)}


def test_robots_txt_keeps_crawlers_out_of_private_pages_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    for path in ["/cart", "/checkout", "/account/", "/backoffice/", "/api/", "/en/cart", "/en/checkout",
                 "/en/account/", "/en/backoffice/", "/orders/", "/reports/"]:
        assert f"Disallow: {path}" in lines, path
    assert "Disallow: /products" not in " ".join(lines) and "Disallow: /media" not in " ".join(lines)
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_favicon_is_a_real_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/x-icon"
    assert Image.open(io.BytesIO(response.get_data())).format == "ICO"


def test_the_sitemap_lists_every_active_product_and_centre_in_both_languages_with_lastmod(client, app):
    surat = make_centre("surat")
    closed = make_centre("closed", active=False)
    make_product(surat, slug="cloth")
    make_product(surat, slug="old-basket", status="archived")
    make_product(closed, slug="closed-honey")
    urls = urls_in(client)
    for path in ["/", "/products", "/centres/surat", "/products/cloth", "/products/closed-honey"]:
        for lang_path in (path, "/en" + path if path != "/" else "/en/"):
            entry = urls.get(BASE + lang_path)
            assert entry is not None, lang_path
            assert entry.find("s:lastmod", NS).text.endswith("Z")
            alternates = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", NS)}
            assert alternates == {"th": BASE + path, "en": BASE + ("/en/" if path == "/" else "/en" + path),
                                  "x-default": BASE + path}
    assert BASE + "/products/old-basket" not in urls and BASE + "/centres/closed" not in urls
    assert len(urls) == 2 * 5


def test_the_sitemap_is_cached_with_the_catalogue_version(client, app, count_queries):
    centre = make_centre("surat")
    make_product(centre, slug="cloth")
    client.get("/sitemap.xml")
    with count_queries() as statements:
        client.get("/sitemap.xml")
    assert len(statements) == (0 if db.engine.dialect.name == "postgresql" else 1), statements  # the version only
    make_product(centre, slug="new-bag")
    assert BASE + "/en/products/new-bag" in urls_in(client)


def test_beyond_its_limit_the_sitemap_becomes_an_index_of_parts(client, app):
    app.config["SITEMAP_MAX_URLS"] = 10
    centre = make_centre("surat")
    for n in range(12):
        make_product(centre, slug=f"item-{n}", commit=False)
    db.session.commit()
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.get_data())
    assert root.tag == "{" + NS["s"] + "}sitemapindex"
    parts = [entry.find("s:loc", NS).text for entry in root.findall("s:sitemap", NS)]
    assert all(entry.find("s:lastmod", NS) is not None for entry in root.findall("s:sitemap", NS))
    # 15 pages (home, catalogue, a centre, 12 products) in two languages = 30 URLs: 3 parts of 10
    assert parts == [f"{BASE}/sitemap-{n}.xml" for n in (1, 2, 3)]
    seen: dict[str, ET.Element] = {}
    for part in parts:
        urls = urls_in(client, part.removeprefix(BASE))
        assert len(urls) <= 10
        seen.update(urls)
    assert len(seen) == 30 and BASE + "/en/products/item-11" in seen
    assert client.get("/sitemap-4.xml").status_code == 404
    app.config["SITEMAP_MAX_URLS"] = 50_000
    assert client.get("/sitemap-1.xml").status_code == 404  # one sitemap: no parts
