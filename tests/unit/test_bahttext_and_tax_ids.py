"""Baht in Thai words (as receipts write them) and 13-digit Thai tax IDs with their check digit."""
import pytest

from shop.services.thai import bahttext, normalise_tax_id


@pytest.mark.parametrize(("satang", "words"), [
    (125000, "หนึ่งพันสองร้อยห้าสิบบาทถ้วน"),
    (50, "ห้าสิบสตางค์"),
    (125050, "หนึ่งพันสองร้อยห้าสิบบาทห้าสิบสตางค์"),
    (100, "หนึ่งบาทถ้วน"),
    (1100, "สิบเอ็ดบาทถ้วน"),
    (2100, "ยี่สิบเอ็ดบาทถ้วน"),
    (10100, "หนึ่งร้อยเอ็ดบาทถ้วน"),
    (0, "ศูนย์บาทถ้วน"),
    (1, "หนึ่งสตางค์"),
    (100000000, "หนึ่งล้านบาทถ้วน"),
    (1000000100, "สิบล้านเอ็ดบาทถ้วน"),
    (123456789, "หนึ่งล้านสองแสนสามหมื่นสี่พันห้าร้อยหกสิบเจ็ดบาทแปดสิบเก้าสตางค์"),
    (-25000, "ลบสองร้อยห้าสิบบาทถ้วน"),
])
def test_baht_in_thai_words(satang, words):
    assert bahttext(satang) == words


def test_baht_in_words_refuses_anything_but_whole_satang():
    with pytest.raises(TypeError):
        bahttext(12.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["0994000165021", "0-9940-00165-02-1", "0993000012348"])
def test_tax_ids_with_the_right_check_digit_are_accepted(text):
    assert normalise_tax_id(text) == text.replace("-", "")


@pytest.mark.parametrize("text", ["0994000165022", "099400016502", "09940001650211", "099400016502x", "", "abcdefghijklm"])
def test_tax_ids_with_a_wrong_check_digit_or_length_are_refused(text):
    assert normalise_tax_id(text) is None
