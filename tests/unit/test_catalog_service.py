"""services.catalog: search, filters, sorting, pages; run on SQLite and PostgreSQL."""
import pytest

from shop.extensions import db
from shop.services.catalog import browse as catalog
from shop.services.catalog.product_page import product_page
from tests.factories import make_category, make_centre, make_product


def search(**args):
    return catalog.search_products(catalog.parse_filters({k: str(v) for k, v in args.items()}), per_page=24)


def slugs(page):
    return [p.slug for p in page.items]


def test_a_thai_word_is_found_inside_a_thai_phrase(app):
    make_product(slug="cloth", name_th="ผ้าพิมพ์ใบไม้สีคราม", name_en="Indigo leaf-printed cloth")
    make_product(slug="soap", name_th="สบู่สมุนไพรขมิ้น", name_en="Turmeric soap")
    assert slugs(search(q="ใบไม้")) == ["cloth"]
    assert slugs(search(q="พิมพ์")) == ["cloth"]
    assert slugs(search(q="ขมิ้น")) == ["soap"]


def test_english_search_ignores_case_and_looks_in_descriptions(app):
    make_product(slug="cloth", name_en="Leaf-Printed Cloth", description_en="Natural INDIGO dye")
    make_product(slug="bag", name_en="Tote bag")
    assert slugs(search(q="leaf")) == ["cloth"]
    assert slugs(search(q="LEAF-printed")) == ["cloth"]
    assert slugs(search(q="indigo")) == ["cloth"]
    assert slugs(search(q="bag")) == ["bag"]


def test_every_word_of_a_search_must_match(app):
    make_product(slug="a", name_en="Indigo scarf")
    make_product(slug="b", name_en="Indigo shirt")
    assert slugs(search(q="indigo scarf")) == ["a"]


def test_search_treats_like_wildcards_literally(app):
    make_product(slug="a", name_en="100% cotton")
    make_product(slug="b", name_en="Cotton_bag")
    assert slugs(search(q="%")) == ["a"]
    assert slugs(search(q="_")) == ["b"]


def test_filters_by_centre_province_region_and_category(app):
    south = make_centre("south-centre", region="south", province_code="84")
    north = make_centre("north-centre", region="north", province_code="52", province_en="Lampang")
    cloth = make_category("cloth")
    food = make_category("food")
    make_product(south, cloth, slug="s-cloth")
    make_product(south, food, slug="s-food")
    make_product(north, cloth, slug="n-cloth")
    assert set(slugs(search(centre="south-centre"))) == {"s-cloth", "s-food"}
    assert slugs(search(province="52")) == ["n-cloth"]
    assert set(slugs(search(region="south"))) == {"s-cloth", "s-food"}
    assert set(slugs(search(category="cloth"))) == {"s-cloth", "n-cloth"}
    assert slugs(search(region="south", category="cloth")) == ["s-cloth"]


def test_in_stock_filter_needs_a_sellable_variant_with_stock(app):
    make_product(slug="none", stock=0)
    make_product(slug="some", prices=(100, 200), stock=(0, 2))
    inactive = make_product(slug="inactive-stock", prices=(100, 200), stock=(0, 9))
    inactive.variants[1].active = False
    db.session.commit()
    assert slugs(search(in_stock=1)) == ["some"]
    assert set(slugs(search())) == {"none", "some", "inactive-stock"}


def test_archived_products_and_products_without_sellable_variants_are_hidden(app):
    make_product(slug="shown")
    make_product(slug="archived", status="archived")
    gone = make_product(slug="no-variants")
    gone.variants[0].active = False
    db.session.commit()
    assert slugs(search()) == ["shown"]
    assert product_page("archived") is None
    assert product_page("shown") is not None


def test_sorting_by_newest_and_by_lowest_variant_price(app):
    make_product(slug="cheap", prices=(9000, 100000))  # from ฿90
    make_product(slug="mid", prices=(50000,))
    make_product(slug="dear", prices=(120000,))
    assert slugs(search(sort="newest")) == ["dear", "mid", "cheap"]
    assert slugs(search(sort="price_asc")) == ["cheap", "mid", "dear"]
    assert slugs(search(sort="price_desc")) == ["dear", "mid", "cheap"]


def test_pages_split_the_results(app):
    for i in range(5):
        make_product(slug=f"p{i}", commit=False)
    db.session.commit()
    first = catalog.search_products(catalog.parse_filters({"page": "1"}), per_page=2)
    last = catalog.search_products(catalog.parse_filters({"page": "3"}), per_page=2)
    assert (first.total, first.pages, len(first.items), first.has_next, first.has_prev) == (5, 3, 2, True, False)
    assert (len(last.items), last.has_next) == (1, False)
    assert set(slugs(first)).isdisjoint(slugs(last))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "99999999999999999999"}, "page"),
        ({"sort": "DROP TABLE"}, "sort"),
        ({"region": "mars"}, "region"),
        ({"province": "Bangkok"}, "province"),
        ({"centre": "nowhere"}, "centre"),
        ({"category": "nothing"}, "category"),
        ({"q": "ผ้า" * 60}, "q"),
    ],
)
def test_bad_filters_are_refused_with_the_field_named(app, args, field):
    with pytest.raises(catalog.BadFilter) as caught:
        catalog.parse_filters(args)
    assert caught.value.field == field


def test_english_names_fall_back_to_thai(app):
    product = make_product(name_th="ผ้าพิมพ์", name_en="")
    assert product.localised("name", "en") == "ผ้าพิมพ์"
    assert product.localised("name", "th") == "ผ้าพิมพ์"


def test_searches_of_one_shape_share_their_statements_and_each_gets_its_own_values(app):
    north, south = make_centre(), make_centre()
    make_product(north, slug="north-cloth", name_en="Cloth")
    make_product(north, slug="north-bag", name_en="Bag")
    make_product(south, slug="south-cloth", name_en="Cloth")
    built = catalog._search_statements.cache_info().misses
    assert slugs(search(centre=north.slug, q="cloth")) == ["north-cloth"]
    assert slugs(search(centre=south.slug, q="cloth")) == ["south-cloth"]
    assert slugs(search(centre=north.slug, q="bag")) == ["north-bag"]
    assert catalog._search_statements.cache_info().misses <= built + 1  # one shape: built once at most
