"""Product cards, read as plain rows: the same figures as the product objects give, on both databases."""
from __future__ import annotations

from sqlalchemy import select

from shop.extensions import db
from shop.models import Product, ProductImage
from shop.services.catalog import browse as catalog
from shop.services.catalog.cards import product_cards
from tests.factories import make_centre, make_product


def photo(product: Product, name: str, position: int, **fields) -> None:
    product.images.append(ProductImage(filename=f"{name}.jpg", thumb_filename=f"{name}-t.jpg", width=800, height=600,
                                       position=position, **fields))


def as_card(product: Product, lang: str) -> tuple:
    """What a card shows, from the product objects (what the lists loaded before cards)."""
    image = product.main_image
    return (product.slug, product.localised("name", lang), product.centre.localised("name", lang),
            product.centre.province_name(lang), product.price_from_satang, product.has_price_range,
            product.stock_available, product.otop, product.otop_stars,
            image and (image.filename, image.thumb_filename, image.thumb_webp, image.alt(lang), image.width, image.height))


def shown(card, lang: str) -> tuple:
    image = card.main_image
    return (card.slug, card.localised("name", lang), card.centre.localised("name", lang),
            card.centre.province_name(lang), card.price_from_satang, card.has_price_range,
            card.stock_available, card.otop, card.otop_stars,
            image and (image.filename, image.thumb_filename, image.thumb_webp, image.alt(lang), image.width, image.height))


def test_cards_show_what_the_product_objects_show(app):
    centre = make_centre()
    ranged = make_product(centre, prices=(45000, 39000, 52000), stock=(3, 0, 7), otop=True, otop_stars=4, name_en="")
    ranged.variants[2].stock_reserved = 2
    ranged.variants[0].active = False  # an option off sale counts for neither price nor stock
    photo(ranged, "second", 2, alt_th="ภาพที่สอง")
    photo(ranged, "first", 1, alt_th="ภาพแรก", alt_en="", renditions={"thumb_webp": "first-t.webp"})
    photo(ranged, "also-first", 1)  # the same position: the older photo (lower id) comes first
    same = make_product(centre, prices=(12000, 12000), stock=(1, 1), commit=False)
    photo(same, "only", 0, alt_th="รูป", alt_en="A photo")
    make_product(centre, prices=(9900,), stock=0, commit=False)  # no photo, sold out
    fully_held = make_product(centre, prices=(5000,), stock=2, commit=False)
    fully_held.variants[0].stock_reserved = 2
    db.session.commit()

    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    cards = product_cards(where=[Product.id.in_([p.id for p in products])], order_by=[Product.id])
    assert [c.id for c in cards] == [p.id for p in products]
    for lang in ("th", "en"):
        assert [shown(c, lang) for c in cards] == [as_card(p, lang) for p in products]
    first = cards[0]
    assert (first.price_from_satang, first.has_price_range, first.stock_available) == (39000, True, 5)
    assert first.main_image.filename == "first.jpg" and first.main_image.alt("en") == "ภาพแรก"
    assert cards[1].has_price_range is False and cards[1].main_image.alt("en") == "A photo"
    assert cards[2].main_image is None and cards[2].stock_available == 0
    assert cards[3].stock_available == 0


def test_the_catalogue_and_the_home_page_list_cards_in_their_order(app):
    centre = make_centre()
    cheap = make_product(centre, prices=(10000, 90000), commit=False)
    dear = make_product(centre, prices=(50000,), featured=True, commit=False)
    middle = make_product(centre, prices=(30000,), commit=False)
    db.session.commit()
    by_price = catalog.search_products(catalog.parse_filters({"sort": "price_asc"}), per_page=24)
    assert [c.slug for c in by_price.items] == [cheap.slug, middle.slug, dear.slug]
    by_price_down = catalog.search_products(catalog.parse_filters({"sort": "price_desc", "page": "2"}), per_page=2)
    assert [c.slug for c in by_price_down.items] == [cheap.slug]
    newest = catalog.search_products(catalog.parse_filters({}), per_page=24)
    assert [c.slug for c in newest.items] == [middle.slug, dear.slug, cheap.slug]
    assert [c.slug for c in catalog.featured_products(limit=2)] == [dear.slug, middle.slug]
