from datetime import UTC, date, datetime

import pytest

from shop.services.money import format_baht, parse_baht
from shop.services.thai import format_date, format_datetime
from shop.text import normalise_for_search


@pytest.mark.parametrize(
    ("satang", "text"),
    [(0, "฿0"), (125000, "฿1,250"), (125050, "฿1,250.50"), (5, "฿0.05"), (-45000, "-฿450"), (100_000_000_00, "฿100,000,000")],
)
def test_baht_is_formatted_from_integer_satang(satang, text):
    assert format_baht(satang) == text


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        format_baht(12.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "satang"), [("1,250", 125000), ("450.5", 45050), ("฿0.05", 5), ("12.34", 1234)])
def test_baht_text_parses_to_satang(text, satang):
    assert parse_baht(text) == satang


@pytest.mark.parametrize("text", ["", "abc", "1.234", "-5", "1e3", "12.3.4", "١٢٣", "²", "１２", "1.²", "9" * 31])
def test_bad_baht_text_is_refused(text):
    with pytest.raises(ValueError):
        parse_baht(text)


def test_thai_dates_use_the_buddhist_era_and_bangkok_time():
    # 20:30 UTC on 24 Nov is already 25 Nov in Bangkok (UTC+7).
    moment = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
    assert format_date(moment, "th") == "25 พ.ย. 2569"
    assert format_date(moment, "en") == "25 Nov 2026"
    assert format_datetime(moment, "th") == "25 พ.ย. 2569 03:30"
    assert format_date(date(2026, 11, 24), "th", long=True) == "24 พฤศจิกายน 2569"


def test_naive_datetimes_from_sqlite_are_taken_as_utc():
    assert format_datetime(datetime(2026, 1, 1, 17, 0), "en") == "2 Jan 2026 00:00"


def test_search_normalisation_folds_case_and_thai_lookalikes():
    assert normalise_for_search("  Leaf   PRINTED ") == "leaf printed"
    # sara am typed as nikhahit + sara aa must match the single character
    assert normalise_for_search("น\u0e4d\u0e32ตาล") == normalise_for_search("น\u0e33ตาล")
    assert normalise_for_search("ผ้า\u200bพิมพ์") == "ผ้าพิมพ์"
