"""Thai by default, English on request; the choice lives in the signed session cookie."""
from __future__ import annotations

from flask import session
from flask_babel import get_locale, lazy_gettext as _l

LANGUAGES = {"th": "ไทย", "en": "English"}
DEFAULT_LANGUAGE = "th"

REGION_LABELS = {
    "north": _l("Northern region"),
    "northeast": _l("Northeastern region"),
    "central": _l("Central region"),
    "south": _l("Southern region"),
}


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def region_label(region: str) -> str:
    label = REGION_LABELS.get(region)
    return str(label) if label else region
