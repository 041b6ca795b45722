"""Plain text rules shared by the models and the services: no database, no Flask."""
from __future__ import annotations

import re
import unicodedata

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
