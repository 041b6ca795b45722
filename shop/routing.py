"""What URLs may carry: ids within the database's range, and redirect targets on this site only."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for
from werkzeug.routing import IntegerConverter, Map

from shop.services.parsing import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits from 1 to 2^31-1, so any other number is a 404.

    Werkzeug's own matches any Unicode decimal digit ("๑") and any size, which PostgreSQL
    answers with "integer out of range". Routes may still give their own bounds: <int(max=9):n>.
    """

    regex = r"[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_safe_path(target: object) -> bool:
    """A path on this site ("/products?page=2"): no scheme, host, backslash or control character."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return False
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\evil" and "/\t/evil" lead off-site;
    # CR/LF would also split the Location header.
    if "\\" in target or not target.isprintable():
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def safe_next(target: object, fallback: str | None = None) -> str:
    """The user-supplied redirect target if it is a safe path, else the fallback (the home page)."""
    if is_safe_path(target):
        return str(target)
    return fallback if fallback is not None else url_for("storefront.home")
