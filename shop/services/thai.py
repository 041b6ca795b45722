"""Thai dates, phones, addresses, tax IDs and baht in words: Buddhist Era dates in Asia/Bangkok, geothai addresses."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import geothai
from babel.dates import get_month_names
from pythainlp.util import num_to_thaiword

from shop.services.parsing import ascii_digits
from shop.text import sort_by_name

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_bangkok(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(BANGKOK)


def format_date(moment: date | datetime, lang: str, long: bool = False) -> str:
    """24 พ.ย. 2569 in Thai (Buddhist Era), 24 Nov 2026 in English; Bangkok time."""
    if isinstance(moment, datetime):
        moment = to_bangkok(moment).date()
    width: Literal["wide", "abbreviated"] = "wide" if long else "abbreviated"
    if lang == "th":
        month = get_month_names(width, locale="th")[moment.month]
        return f"{moment.day} {month} {moment.year + BE_OFFSET}"
    month = get_month_names(width, locale="en")[moment.month]
    return f"{moment.day} {month} {moment.year}"


def format_month(year: int, month: int, lang: str) -> str:
    """พ.ย. 2569 in Thai (Buddhist Era), Nov 2026 in English: a month in a report or a chart."""
    name = get_month_names("abbreviated", locale="th" if lang == "th" else "en")[month]
    return f"{name} {year + BE_OFFSET}" if lang == "th" else f"{name} {year}"


def format_year(year: int, lang: str) -> str:
    """2569 in Thai (Buddhist Era), 2026 in English."""
    return str(year + BE_OFFSET) if lang == "th" else str(year)


def format_datetime(moment: datetime, lang: str) -> str:
    local = to_bangkok(moment)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"


# --- Addresses and phone numbers -------------------------------------------------------

_PHONE = re.compile(r"0[689][0-9]{8}")  # ASCII digits: \d would take Thai ones too


def normalise_mobile(text: str) -> str | None:
    """'081-234 5678' -> '0812345678'; None unless a Thai mobile number (06, 08, 09 + 8 digits)."""
    digits = re.sub(r"[\s\-().]", "", text or "")
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    return digits if _PHONE.fullmatch(digits) else None


@dataclass(frozen=True)
class ThaiAddress:
    subdistrict_code: str
    subdistrict: str
    district: str
    province_code: str
    province: str
    postcode: str


class AddressProblem(ValueError):
    """`field` is the form field to blame; `code` picks the message; `choices` may help."""

    def __init__(self, field: str, code: str, choices: tuple[str, ...] = ()) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.choices = choices


def provinces(lang: str = "th") -> list[geothai.Province]:
    """The 77 provinces in dictionary order of their names in `lang`."""
    return sort_by_name(geothai.provinces(), lambda p: p.name_en if lang == "en" else p.name_th, lang)


def validate_address(province_code: str, district: str, subdistrict: str, postcode: str, lang: str = "th") -> ThaiAddress:
    """Check that the subdistrict lies in the district and province, and owns the postcode."""
    province = next((p for p in geothai.provinces() if p.code == province_code), None)
    if province is None:
        raise AddressProblem("province", "unknown_province")
    postcode = (postcode or "").strip()
    if not ascii_digits(postcode, length=5):
        raise AddressProblem("postcode", "postcode_format")
    districts = geothai.districts(province.code)
    wanted = geothai.normalize(district)
    found_district = next(
        (d for d in districts if wanted in {geothai.normalize(d.name_th), geothai.normalize(d.name_en)}), None
    )
    if found_district is None:
        # "เมือง" / "Mueang" is how people write the capital district
        matches = geothai.match(subdistrict or "-", district=district, province=province.name_th)
        found_district = geothai.district(matches[0].district.code) if matches else None
    if found_district is None:
        names = tuple(d.name_en if lang == "en" else d.name_th for d in districts)
        raise AddressProblem("district", "unknown_district", names)
    wanted = geothai.normalize(subdistrict)
    subdistricts = geothai.subdistricts(found_district.code)
    found = next(
        (s for s in subdistricts if wanted in {geothai.normalize(s.name_th), geothai.normalize(s.name_en)}), None
    )
    if found is None:
        names = tuple(s.name_en if lang == "en" else s.name_th for s in subdistricts)
        raise AddressProblem("subdistrict", "unknown_subdistrict", names)
    if postcode not in found.postal_codes:
        raise AddressProblem("postcode", "postcode_mismatch", tuple(found.postal_codes))
    return ThaiAddress(
        subdistrict_code=found.code,
        subdistrict=found.name_th,
        district=found_district.name_th,
        province_code=province.code,
        province=province.name_th,
        postcode=postcode,
    )


@dataclass(frozen=True)
class PostcodePlace:
    """One subdistrict a postcode serves, with its district and province, in Thai and English."""

    code: str
    subdistrict_th: str
    subdistrict_en: str
    district_th: str
    district_en: str
    province_code: str
    province_th: str
    province_en: str

    def name(self, part: str, lang: str) -> str:
        return str(getattr(self, f"{part}_{'en' if lang == 'en' else 'th'}"))

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "subdistrict_th": self.subdistrict_th, "subdistrict_en": self.subdistrict_en,
                "district_th": self.district_th, "district_en": self.district_en,
                "province_th": self.province_th, "province_en": self.province_en}


def postcode_places(postcode: str | None) -> list[PostcodePlace]:
    """The subdistricts served by a 5-digit postcode (postcode first: then district and province follow)."""
    postcode = (postcode or "").strip()
    if not ascii_digits(postcode, length=5):
        return []
    places = []
    for sub in geothai.by_postal_code(postcode):
        district = geothai.district(sub.district_code)
        province = geothai.province(sub.province_code)
        if district is None or province is None:
            continue
        places.append(PostcodePlace(sub.code, sub.name_th, sub.name_en, district.name_th, district.name_en,
                                    province.code, province.name_th, province.name_en))
    return sorted(places, key=lambda p: (p.province_th, p.district_th, p.subdistrict_th))


def address_for_place(subdistrict_code: str, postcode: str, lang: str = "th") -> ThaiAddress:
    """The address of a subdistrict chosen from the postcode's list; checked like any typed address."""
    place = next((p for p in postcode_places(postcode) if p.code == (subdistrict_code or "").strip()), None)
    if place is None:
        if not ascii_digits((postcode or "").strip(), length=5):
            raise AddressProblem("postcode", "postcode_format")
        raise AddressProblem("subdistrict_code", "not_in_postcode")
    return validate_address(place.province_code, place.district_th, place.subdistrict_th, postcode, lang)


# --- Tax IDs and baht in words ----------------------------------------------------------

def normalise_tax_id(text: str) -> str | None:
    """'0-9930-00012-34-8' -> '0993000012348'; None unless 13 digits whose last is the check digit.

    The check digit: 11 minus (the first 12 digits weighted 13 down to 2, summed, modulo 11), modulo 10.
    """
    digits = re.sub(r"[\s\-]", "", text or "")
    if not re.fullmatch(r"\d{13}", digits):
        return None
    total = sum(int(digit) * (13 - position) for position, digit in enumerate(digits[:12]))
    return digits if (11 - total % 11) % 10 == int(digits[12]) else None


def bahttext(satang: int) -> str:
    """Satang in Thai words as receipts write them: 125000 -> หนึ่งพันสองร้อยห้าสิบบาทถ้วน, 50 -> ห้าสิบสตางค์.

    Whole numbers only (no float ever): pythainlp's num_to_thaiword spells the baht and the satang.
    """
    if not isinstance(satang, int):
        raise TypeError(f"money must be int satang, got {type(satang).__name__}")
    if satang == 0:
        return "ศูนย์บาทถ้วน"
    sign = "ลบ" if satang < 0 else ""
    baht, rest = divmod(abs(satang), 100)
    words = num_to_thaiword(baht) + "บาท" if baht else ""
    words += num_to_thaiword(rest) + "สตางค์" if rest else "ถ้วน"
    return sign + words
