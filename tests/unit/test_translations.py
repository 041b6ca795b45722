"""Every UI string has a Thai translation, with the same placeholders."""
import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("shop/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def source_messages() -> set[tuple[str | None, str]]:
    """(context, message) of every string the shop translates."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS
    ):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def thai_catalogue():
    with open(ROOT / "shop/translations/th/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle, locale="th")


def test_every_string_in_the_code_is_translated_into_thai():
    catalogue = thai_catalogue()
    translated = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        value = message.string[0] if isinstance(message.string, tuple) else message.string
        if value:
            translated[(message.context, key)] = value
    missing = sorted(source_messages() - translated.keys(), key=str)
    assert not missing, f"no Thai translation (or only a fuzzy one) for: {missing}"


def test_the_thai_catalogue_has_no_fuzzy_or_empty_entry_for_a_string_the_shop_uses():
    used = source_messages()
    for message in thai_catalogue():
        if not message.id:
            continue
        key = (message.context, message.id[0] if isinstance(message.id, tuple) else message.id)
        if key in used:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert not message.fuzzy and all(strings), key


def test_the_template_is_up_to_date():
    """shop/translations/messages.pot lists exactly the strings in the code (regenerate it as the README says)."""
    with open(ROOT / "shop/translations/messages.pot", "rb") as handle:
        template = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(handle) if m.id}
    assert template == source_messages()


def test_words_with_two_meanings_have_a_context():
    """"From" in a date range is not the sender of a parcel: each has its own Thai."""
    catalogue = thai_catalogue()
    assert catalogue.get("From", context="date range").string == "ตั้งแต่"
    assert catalogue.get("To", context="date range").string == "ถึง"
    assert catalogue.get("From", context="parcel").string == "ผู้ส่ง"
    assert catalogue.get("To", context="parcel").string == "ผู้รับ"
    assert ("From" not in {m for c, m in source_messages() if c is None}
            and "To" not in {m for c, m in source_messages() if c is None})


def test_thai_translations_keep_their_placeholders():
    for message in thai_catalogue():
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        target = message.string[0] if isinstance(message.string, tuple) else message.string
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source
