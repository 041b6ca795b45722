"""What search engines and chat apps read: descriptions, OpenGraph and Twitter tags, JSON-LD.

The structured data is read by extruct (the parser search-engine tooling uses), and checked
against the database, also after a stock change.
"""
import re

import extruct
import pytest

from shop.extensions import db
from shop.models import User, Variant
from shop.services.catalog import admin as catalog_admin
from tests.factories import make_category, make_centre, make_product

BASE = "http://127.0.0.1:5000"
SCHEMA = "https://schema.org"


def read(client, path) -> tuple[str, dict]:
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    return page, extruct.extract(page, base_url=BASE + path, syntaxes=["json-ld", "opengraph"], uniform=True)


def of_type(data: dict, kind: str) -> dict:
    found = [item for item in data["json-ld"] if item.get("@type") == kind]
    assert len(found) == 1, [item.get("@type") for item in data["json-ld"]]
    return found[0]


def description(page: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)">', page).group(1)


@pytest.fixture
def cloth(app):
    centre = make_centre("surat", name_th="ศูนย์สุราษฎร์ธานี", name_en="Surat Thani centre",
                         story_en="Learners in Surat Thani print cloth with leaves from the library garden.")
    category = make_category("textiles")
    category.name_en = "Cloth"
    product = make_product(centre, category, slug="leaf-cloth", name_th="ผ้าพิมพ์ใบไม้", name_en="Leaf-printed cloth",
                           description_en="Cotton printed with real leaves.\n\nEach piece is different.",
                           description_th="ผ้าฝ้ายพิมพ์ด้วยใบไม้จริง", prices=(65000, 125000), stock=(2, 5))
    staff = User(email="surat@staff.example", name="Surat", role="staff", centre_id=centre.id)
    staff.set_password("staff password 1")
    db.session.add(staff)
    db.session.commit()
    return product


def assert_offers_match_the_database(product_data: dict) -> None:
    offers = product_data["offers"] if isinstance(product_data["offers"], list) else [product_data["offers"]]
    db.session.expire_all()
    assert offers
    for offer in offers:
        variant = db.session.query(Variant).filter_by(sku=offer["sku"]).one()
        assert offer["@type"] == "Offer" and offer["priceCurrency"] == "THB"
        assert offer["price"] == f"{variant.price_satang // 100}.{variant.price_satang % 100:02d}"
        assert offer["availability"] == f"{SCHEMA}/{'InStock' if variant.available > 0 else 'OutOfStock'}"


def test_a_product_page_carries_product_and_offers_priced_in_baht_sold_by_the_centre(client, cloth):
    _page, data = read(client, "/en/products/leaf-cloth")
    product = of_type(data, "Product")
    assert product["name"] == "Leaf-printed cloth" and product["url"] == BASE + "/en/products/leaf-cloth"
    assert product["category"] == "Cloth"
    assert [o["price"] for o in product["offers"]] == ["650.00", "1250.00"]
    for offer in product["offers"]:
        assert offer["seller"] == {"@type": "Organization", "name": "Surat Thani centre", "url": BASE + "/en/centres/surat"}
    assert_offers_match_the_database(product)


def test_availability_follows_the_stock_after_a_change(client, cloth):
    staff = db.session.query(User).filter_by(email="surat@staff.example").one()
    first = cloth.variants[0]
    _page, data = read(client, "/products/leaf-cloth")
    assert of_type(data, "Product")["offers"][0]["availability"] == f"{SCHEMA}/InStock"
    catalog_admin.adjust_stock(staff, first.id, -2, "count")  # the last two sold at a fair
    _page, data = read(client, "/products/leaf-cloth")
    product = of_type(data, "Product")
    assert [o["availability"] for o in product["offers"]] == [f"{SCHEMA}/OutOfStock", f"{SCHEMA}/InStock"]
    assert_offers_match_the_database(product)
    opengraph = data["opengraph"][0]
    assert opengraph["product:availability"] == "in stock"  # the other option is still there
    catalog_admin.adjust_stock(staff, cloth.variants[1].id, -5, "count")
    _page, data = read(client, "/products/leaf-cloth")
    assert data["opengraph"][0]["product:availability"] == "out of stock"
    assert_offers_match_the_database(of_type(data, "Product"))


def test_a_product_page_has_a_breadcrumb_trail(client, cloth):
    _page, data = read(client, "/en/products/leaf-cloth")
    trail = of_type(data, "BreadcrumbList")["itemListElement"]
    assert [(item["position"], item["name"], item["item"]) for item in trail] == [
        (1, "Relearn Shop", BASE + "/en/"),
        (2, "All products", BASE + "/en/products"),
        (3, "Cloth", BASE + "/en/products?category=textiles"),
        (4, "Leaf-printed cloth", BASE + "/en/products/leaf-cloth"),
    ]


def test_the_thai_product_page_speaks_thai_in_its_structured_data(client, cloth):
    _page, data = read(client, "/products/leaf-cloth")
    product = of_type(data, "Product")
    assert product["name"] == "ผ้าพิมพ์ใบไม้" and product["url"] == BASE + "/products/leaf-cloth"
    assert product["offers"][0]["seller"]["name"] == "ศูนย์สุราษฎร์ธานี"
    assert data["opengraph"][0]["og:locale"] == "th_TH"


def test_a_product_preview_has_title_description_photo_and_price(client, cloth, app):
    catalog_admin.add_image(db.session.query(User).filter_by(role="staff").one(), cloth.id, _jpeg(1600, 1200), "ผ้า", "The cloth")
    page, data = read(client, "/en/products/leaf-cloth")
    og = data["opengraph"][0]
    assert og["@type"] == "product" and og["og:title"] == "Leaf-printed cloth"
    assert og["og:description"] == "Cotton printed with real leaves. Each piece is different." == description(page)
    assert og["og:url"] == BASE + "/en/products/leaf-cloth"
    assert og["product:price:amount"] == "650.00" and og["product:price:currency"] == "THB"
    image = og["og:image"]
    assert image.startswith(BASE + "/media/") and image.endswith(".jpg")
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "900")  # what LINE and Facebook take
    assert client.get(image.removeprefix(BASE)).mimetype == "image/jpeg"
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert f'<meta name="twitter:image" content="{image}">' in page
    assert '<meta name="twitter:data1" content="฿650">' in page
    assert of_type(data, "Product")["image"] == [image]


def test_a_centre_page_has_its_own_description_preview_and_breadcrumb(client, cloth):
    page, data = read(client, "/en/centres/surat")
    assert description(page) == "Learners in Surat Thani print cloth with leaves from the library garden."
    assert data["opengraph"][0]["og:title"] == "Surat Thani centre"
    trail = of_type(data, "BreadcrumbList")["itemListElement"]
    assert [item["name"] for item in trail] == ["Relearn Shop", "Surat Thani centre"]


def test_the_home_page_names_the_organization_behind_the_shop(client, cloth):
    _page, data = read(client, "/")
    organization = of_type(data, "Organization")
    assert organization["url"] == BASE + "/" and organization["logo"] == BASE + "/static/img/icon-512.png"
    assert organization["address"]["addressCountry"] == "TH" and organization["telephone"]
    assert client.get("/static/img/icon-512.png").status_code == 200
    site = of_type(data, "WebSite")
    assert site["potentialAction"]["target"] == BASE + "/products?q={search_term_string}"


def test_the_catalogue_has_a_breadcrumb_and_a_description_of_what_it_lists(client, cloth):
    page, data = read(client, "/en/products?category=textiles")
    assert "Cloth handmade by learners" in description(page) and "1 products" in description(page)
    assert [item["name"] for item in of_type(data, "BreadcrumbList")["itemListElement"]] == ["Relearn Shop", "All products", "Cloth"]
    page, _data = read(client, "/en/products?q=leaf")
    assert description(page).startswith("1 handmade products found for “leaf”")


def test_each_page_has_its_own_description(client, demo):
    pages = ["/", "/products", "/centres/surat-thani", "/products/leaf-printed-cloth", "/products/lampang-wooden-rooster"]
    found = {path: description(client.get(path).get_data(as_text=True)) for path in pages}
    assert len(set(found.values())) == len(pages), found
    for text in found.values():
        assert 0 < len(text) <= 200


def _jpeg(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
