"""What lets a customer trust the shop: the privacy notice's version, links to chat with the
association on LINE, and to Thailand Post's tracking page. No HTTP here."""
from __future__ import annotations

import re
from urllib.parse import quote

# Change it whenever the privacy notice's text changes: each order keeps the version its buyer agreed to.
PRIVACY_NOTICE_VERSION = "2026-11-26"

THAILAND_POST_TRACKING_URL = "https://track.thailandpost.co.th/?trackNumber={number}"
# How staff write the carrier when it is Thailand Post (any case, spaces ignored).
_THAILAND_POST_NAMES = ("thailandpost", "thaipost", "ไปรษณีย์ไทย", "ไปรษณีย์", "ems", "ปณ.", "ปณ")
_TRACKING_NUMBER = re.compile(r"^[A-Z0-9]{8,20}$")


def is_thailand_post(carrier: str) -> bool:
    """True when staff named Thailand Post (English or Thai, or its EMS service) as the carrier."""
    name = "".join((carrier or "").lower().split())
    return any(name == known or name.startswith(known) for known in _THAILAND_POST_NAMES)


def tracking_url(carrier: str, tracking_number: str) -> str | None:
    """Thailand Post's page for this parcel, or None for another carrier or a malformed number."""
    number = "".join((tracking_number or "").upper().split())
    if not is_thailand_post(carrier) or not _TRACKING_NUMBER.match(number):
        return None
    return THAILAND_POST_TRACKING_URL.format(number=number)


def line_chat_url(line_id: str) -> str:
    """The link that opens a chat with a LINE account in the LINE app (or its web page)."""
    return "https://line.me/R/ti/p/" + quote("~" + (line_id or "").strip().lstrip("@~"), safe="~")
