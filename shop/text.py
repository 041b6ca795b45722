"""Plain text rules shared by the models and the services: no database, no Flask."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from pythainlp.util import collate

T = TypeVar("T")

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


def sort_by_name(items: Iterable[T], name: Callable[[T], str], lang: str = "th") -> list[T]:
    """Items in dictionary order of their names, the one way every list of provinces or centres is
    sorted: Thai dictionary order in Thai (pythainlp's collation: เชียงใหม่ before อ่างทอง, where
    code-point order puts it after), case-insensitive alphabetical order in English."""
    items = list(items)
    if lang != "th":
        return sorted(items, key=lambda item: (name(item).casefold(), name(item)))
    names = {name(item) for item in items}
    rank = {text: position for position, text in enumerate(collate(sorted(names)))}
    return sorted(items, key=lambda item: rank[name(item)])
