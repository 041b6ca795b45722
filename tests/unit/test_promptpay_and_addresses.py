"""PromptPay QR payloads (EMVCo, CRC-16) and Thai address and phone checks."""
import binascii

import pytest
from promptpay import qrcode as reference_promptpay

from shop.services.payments.promptpay import build_payload, crc16_ccitt_false
from shop.services.thai import AddressProblem, normalise_mobile, validate_address


def parse_tlv(text: str) -> dict[str, str]:
    fields, i = {}, 0
    while i < len(text):
        tag, length = text[i:i + 2], int(text[i + 2:i + 4])
        fields[tag] = text[i + 4:i + 4 + length]
        i += 4 + length
    return fields


def test_payload_has_the_emvco_fields_and_a_valid_crc():
    payload = build_payload("0812345678", 45000)
    fields = parse_tlv(payload)
    assert fields["00"] == "01"
    assert fields["01"] == "12"  # one-time: it carries an amount
    assert parse_tlv(fields["29"]) == {"00": "A000000677010111", "01": "0066812345678"}
    assert fields["53"] == "764" and fields["54"] == "450.00" and fields["58"] == "TH"
    body, crc = payload[:-4], payload[-4:]
    assert body.endswith("6304")
    # an independent CRC-16/CCITT-FALSE: binascii's CRC-CCITT started at 0xFFFF
    assert crc == f"{binascii.crc_hqx(body.encode(), 0xFFFF):04X}"


@pytest.mark.parametrize(("promptpay_id", "satang"), [("0812345678", 45000), ("0898939397", 125050), ("0898939397", 5)])
def test_payload_agrees_field_by_field_with_an_independent_implementation(promptpay_id, satang):
    ours = parse_tlv(build_payload(promptpay_id, satang))
    theirs = parse_tlv(reference_promptpay.generate_payload(promptpay_id, satang / 100))
    ours.pop("63"), theirs.pop("63")  # the CRC depends on field order, which may differ
    assert ours == theirs


def test_crc_matches_the_published_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_national_id_and_static_payloads():
    fields = parse_tlv(build_payload("1234567890123"))
    assert fields["01"] == "11" and "54" not in fields
    assert parse_tlv(fields["29"])["02"] == "1234567890123"


@pytest.mark.parametrize("bad", ["12345", "abc", ""])
def test_bad_promptpay_ids_are_refused(bad):
    with pytest.raises(ValueError):
        build_payload(bad, 100)


@pytest.mark.parametrize("amount", [0, -5, 12.5])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(ValueError):
        build_payload("0812345678", amount)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("081-234-5678", "0812345678"), ("+66 81 234 5678", "0812345678"), ("0612345678", "0612345678"),
     ("021234567", None), ("0712345678", None), ("08123", None), ("abcdefghij", None)],
)
def test_thai_mobile_numbers(text, expected):
    assert normalise_mobile(text) == expected


def test_a_bangkok_address_with_khwaeng_and_khet():
    address = validate_address("10", "เขตบางกะปิ", "แขวงคลองจั่น", "10240")
    assert (address.subdistrict, address.province, address.postcode) == ("คลองจั่น", "กรุงเทพมหานคร", "10240")


def test_english_names_and_the_capital_district_are_understood():
    address = validate_address("84", "Mueang Surat Thani", "Talat", "84000")
    assert address.subdistrict_code == "840101"
    assert validate_address("84", "อ.เมือง", "ต.ตลาด", "84000").subdistrict_code == "840101"


def test_a_postcode_that_does_not_start_with_the_province_code_is_accepted():
    # Kanchanaburi (71) has subdistricts with postcode 70190
    import geothai

    subdistrict = next(s for s in geothai.by_postal_code("70190") if s.province_code == "71")
    district = geothai.district(subdistrict.district_code)
    assert validate_address("71", district.name_th, subdistrict.name_th, "70190").postcode == "70190"


@pytest.mark.parametrize(
    ("args", "field", "code"),
    [
        (("10", "บางกะปิ", "คลองจั่น", "10250"), "postcode", "postcode_mismatch"),
        (("10", "บางกะปิ", "คลองจั่น", "1024"), "postcode", "postcode_format"),
        (("10", "บางกะปิ", "ตลาด", "10240"), "subdistrict", "unknown_subdistrict"),
        (("10", "เมืองสุราษฎร์ธานี", "ตลาด", "84000"), "district", "unknown_district"),
        (("99", "บางกะปิ", "คลองจั่น", "10240"), "province", "unknown_province"),
    ],
)
def test_address_problems_name_the_field(args, field, code):
    with pytest.raises(AddressProblem) as caught:
        validate_address(*args)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_a_mismatched_postcode_offers_the_right_one():
    with pytest.raises(AddressProblem) as caught:
        validate_address("10", "บางกะปิ", "คลองจั่น", "10250")
    assert caught.value.choices == ("10240",)
