"""A product's page, read as one JSON document: the same as the product objects give, on both databases."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shop.extensions import db
from shop.models import Product, ProductImage, WorkshopSession
from shop.models.workshops import MakerGroup
from shop.services.catalog.product_page import product_page, workshop_sessions
from shop.services.thai import as_utc
from shop.storefront import seo
from tests.factories import make_centre, make_product


def photo(product: Product, name: str, position: int, **fields) -> ProductImage:
    image = ProductImage(filename=f"{name}.jpg", thumb_filename=f"{name}-t.jpg", width=800, height=600,
                         position=position, **fields)
    product.images.append(image)
    return image


def seen(product, lang: str) -> dict:
    """What the page and its preview show, asked of the ORM's product or of the page's plain copy alike."""
    return {
        "product": (product.id, product.slug, product.localised("name", lang), product.localised("description", lang),
                    product.localised("maker_story", lang), product.otop, product.otop_stars, product.is_workshop,
                    as_utc(product.created_at), product.price_from_satang, product.has_price_range, product.stock_available),
        "centre": (product.centre.slug, product.centre.localised("name", lang), product.centre.province_name(lang),
                   product.centre.localised("story", lang)),
        "category": (product.category.slug, product.category.localised("name", lang)),
        "maker": product.maker_group and (product.maker_group.slug, product.maker_group.localised("name", lang)),
        "options": [(v.id, v.sku, v.localised("name", lang), v.price_satang, v.available, v.active)
                    for v in product.variants],
        "on sale": [v.id for v in product.sellable_variants],
        "photos": [(i.filename, i.thumb_filename, i.width, i.height, i.alt(lang), i.widths, i.thumb_webp,
                    i.variant and i.variant.id) for i in product.images],
        "main photo": product.main_image and product.main_image.filename,
    }


def test_the_page_shows_what_the_product_objects_show(app):
    centre = make_centre(name_en="")  # English falls back to Thai
    product = make_product(centre, prices=(45000, 39000, 52000), stock=(3, 0, 7), otop=True, otop_stars=4,
                           description_th="ย่อหน้าแรก\n\nย่อหน้าที่สอง", description_en="", maker_story_th="เรื่องของกลุ่ม",
                           commit=False)
    product.variants[2].stock_reserved = 2  # held for an order: not for sale
    product.variants[0].active = False  # off sale: neither price nor stock, but its photo keeps its name
    product.variants[1].position = 5  # the staff's order: position, then id
    db.session.flush()
    photo(product, "second", 2, alt_th="ภาพที่สอง")
    photo(product, "first", 1, alt_th="ภาพแรก", alt_en="", variant_id=product.variants[0].id,
          renditions={"widths": [{"width": 320, "height": 240, "jpeg": "a-320.jpg", "webp": "a-320.webp"}],
                      "thumb_webp": "first-t.webp"})
    photo(product, "also-first", 1, alt_en="English only")  # the same position: the older photo comes first
    product.maker_group = MakerGroup(slug="leaf-group", centre=centre, name_th="กลุ่มใบไม้", name_en="Leaf group")
    bare = make_product(centre, prices=(12000, 12000), stock=(1, 1), commit=False)  # no photo, no maker
    db.session.commit()
    db.session.expire_all()

    for orm in (product, bare):
        page = product_page(orm.slug)
        assert page is not None
        for lang in ("th", "en"):
            assert seen(page, lang) == seen(orm, lang)
            with app.test_request_context("/"):  # the preview's links
                assert seo.product_meta(page, lang) == seo.product_meta(orm, lang)

    page = product_page(product.slug)
    assert [v.sku[-2:] for v in page.variants] == ["-0", "-2", "-1"]
    assert [i.filename for i in page.images] == ["first.jpg", "also-first.jpg", "second.jpg"]
    assert (page.price_from_satang, page.has_price_range, page.stock_available) == (39000, True, 5)
    assert page.images[0].variant.localised("name", "en") == "Option 0"
    assert page.images[0].widths[0]["webp"] == "a-320.webp" and page.images[0].thumb_webp == "first-t.webp"
    assert page.centre.localised("name", "en") == centre.name_th
    assert page.created_at.tzinfo is not None
    bare_page = product_page(bare.slug)
    assert bare_page.images == () and bare_page.main_image is None and bare_page.maker_group is None
    assert bare_page.has_price_range is False


def test_a_workshops_sessions_are_read_with_its_options(app):
    product = make_product(prices=(89000, 89000, 89000), stock=(12, 0, 5), kind="workshop", commit=False)
    db.session.flush()
    soon = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    later = soon + timedelta(days=7)
    for variant, starts in ((product.variants[0], later), (product.variants[1], soon)):
        db.session.add(WorkshopSession(variant_id=variant.id, starts_at=starts, ends_at=starts + timedelta(hours=2),
                                       place_th="ห้องสมุด", place_en=""))
    db.session.commit()

    page = product_page(product.slug)
    assert page.is_workshop
    rows = workshop_sessions(page, now=soon + timedelta(minutes=1))  # the sooner one has started
    assert [(r.variant.id, r.session.starts_at, r.session.ends_at, r.passed) for r in rows] == [
        (product.variants[1].id, soon, soon + timedelta(hours=2), True),
        (product.variants[0].id, later, later + timedelta(hours=2), False),
    ]
    assert rows[0].session.localised("place", "en") == "ห้องสมุด"
    assert page.variants[2].workshop_session is None  # an option without a session yet


def test_no_page_for_an_archived_product_an_unknown_slug_or_a_slug_with_a_nul(app):
    make_product(slug="shown")
    make_product(slug="archived", status="archived")
    assert product_page("shown") is not None
    assert product_page("archived") is None
    assert product_page("no-such-product") is None
    assert product_page("shown\x00archived") is None  # libpq would read it as "shown"
