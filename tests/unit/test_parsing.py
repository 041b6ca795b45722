"""Numbers, ids and redirect targets from requests: ASCII digits within bounds, same-site paths only."""
import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from shop.routing import IdConverter, is_safe_path, safe_next
from shop.services.money import parse_baht
from shop.services.ordering.refunds import decode_selection, encode_selection
from shop.services.parsing import MAX_ID, ascii_digits, parse_id, parse_int
from shop.services.thai import AddressProblem, normalise_mobile, validate_address

UNICODE_DIGITS = ["²", "①", "๑", "١", "１", "𝟙", "⁵", "½"]


@pytest.mark.parametrize("text", UNICODE_DIGITS)
def test_unicode_digits_are_not_numbers(text):
    assert parse_int(text) is None
    assert parse_int("1" + text) is None
    assert not ascii_digits(text)


@pytest.mark.parametrize("text", ["", " ", "-1", "+1", "1_000", "1.0", "1e3", "0x10", "1 2", "1" * 31, None, 7])
def test_anything_but_plain_ascii_digits_is_not_a_number(text):
    assert parse_int(text) is None


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("42", 42), (" 7 ", 7), ("007", 7), (str(MAX_ID), MAX_ID)])
def test_ascii_digits_are_read(text, value):
    assert parse_int(text) == value


def test_bounds_are_kept():
    assert parse_int("0", 1, 99) is None
    assert parse_int("100", 1, 99) is None
    assert parse_int("99", 1, 99) == 99


@pytest.mark.parametrize(("text", "value"), [("1", 1), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None), ("๑", None)])
def test_ids_fit_the_database_integer(text, value):
    assert parse_id(text) == value


def test_ascii_digits_of_a_given_length():
    assert ascii_digits("10240", length=5)
    assert not ascii_digits("1024", length=5)
    assert not ascii_digits("๑๐๒๔๐", length=5)


@pytest.mark.parametrize("text", ["๑๒", "1²", "1.๕", "1,0๐0"])
def test_amounts_in_baht_take_ascii_digits_only(text):
    with pytest.raises(ValueError):
        parse_baht(text)


def test_thai_mobile_numbers_take_ascii_digits_only():
    assert normalise_mobile("081-234-5678") == "0812345678"
    assert normalise_mobile("08๑-234-5678") is None
    assert normalise_mobile("0812345678\n") == "0812345678"  # whitespace is only separators


def test_a_postcode_in_thai_digits_is_a_format_problem():
    with pytest.raises(AddressProblem) as problem:
        validate_address("10", "บางกะปิ", "คลองจั่น", "๑๐๒๔๐")
    assert problem.value.code == "postcode_format"


def test_a_refund_selection_round_trips_and_refuses_unicode_digits():
    assert decode_selection(encode_selection({12: 1, 13: 2}, [4])) == ({12: 1, 13: 2}, [4])
    with pytest.raises(ValueError):
        decode_selection("12x²|s4")
    with pytest.raises(ValueError):  # text the shop did not write: the Stripe adapter then spreads by value
        decode_selection("12x1|s²,s5")


# --- Redirect targets ---------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/", "/products?page=2", "/backoffice/stock?low=1", "/products/ผ้า?q=ผ้า บาติก", "/a#b"])
def test_paths_of_this_site_are_safe(target):
    assert is_safe_path(target)


@pytest.mark.parametrize("target", [
    "", None, 42, "products", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\r\nX",
    "/\nSet-Cookie: a=1", "/\t/evil.example", "/\x00", "/\x7f", "/\u2028", "/\u0085x", "http://evil.example/",
    "https:/evil.example", "javascript:alert(1)", " /x",
])
def test_other_targets_are_unsafe(target):
    assert not is_safe_path(target)


def test_an_unsafe_target_is_replaced_by_the_fallback():
    assert safe_next("/\r\nX", "/account/orders") == "/account/orders"
    assert safe_next("/cart", "/account/orders") == "/cart"


# --- Ids in URLs ------------------------------------------------------------------------------

@pytest.fixture
def id_urls():
    app = Flask(__name__)
    app.url_map.converters["int"] = IdConverter
    app.add_url_rule("/things/<int:thing_id>", "thing", lambda thing_id: str(thing_id))
    app.add_url_rule("/digits/<int(max=9):digit>", "digit", lambda digit: str(digit))
    return app.url_map.bind("localhost")


@pytest.mark.parametrize(("path", "value"), [("/things/1", 1), (f"/things/{MAX_ID}", MAX_ID), ("/digits/9", 9)])
def test_an_id_in_range_matches(id_urls, path, value):
    assert id_urls.match(path)[1] in ({"thing_id": value}, {"digit": value})


@pytest.mark.parametrize("path", [f"/things/{MAX_ID + 1}", "/things/0", "/things/๑", "/things/" + "9" * 40, "/things/-1", "/digits/10"])
def test_an_id_out_of_range_is_404(id_urls, path):
    with pytest.raises(NotFound):
        id_urls.match(path)


def test_url_for_still_builds_id_urls(id_urls):
    assert id_urls.build("thing", {"thing_id": 12}) == "/things/12"
