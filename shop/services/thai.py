"""Thai text and dates: search normalisation and Buddhist Era dates in Asia/Bangkok."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

_SPACES = re.compile(r"\s+")
# Sara am typed as nikhahit + sara aa looks the same as sara am; search must treat them alike.
_THAI_EQUIVALENTS = (("\u0e4d\u0e32", "\u0e33"),)


def normalise_for_search(text: str) -> str:
    """Fold case, Unicode form and Thai look-alike spellings so that LIKE '%q%' matches."""
    text = unicodedata.normalize("NFC", text or "")
    for typed, canonical in _THAI_EQUIVALENTS:
        text = text.replace(typed, canonical)
    # Zero-width spaces are common in Thai text pasted from word processors.
    text = text.replace("\u200b", "")
    return _SPACES.sub(" ", text).strip().casefold()


def to_bangkok(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they are stored as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BANGKOK)


def format_date(moment: date | datetime, lang: str, long: bool = False) -> str:
    """24 พ.ย. 2569 in Thai (Buddhist Era), 24 Nov 2026 in English; Bangkok time."""
    if isinstance(moment, datetime):
        moment = to_bangkok(moment).date()
    width = "wide" if long else "abbreviated"
    if lang == "th":
        month = get_month_names(width, locale="th")[moment.month]
        return f"{moment.day} {month} {moment.year + BE_OFFSET}"
    month = get_month_names(width, locale="en")[moment.month]
    return f"{moment.day} {month} {moment.year}"


def format_datetime(moment: datetime, lang: str) -> str:
    local = to_bangkok(moment)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"
