"""What URLs may carry: ids within the database's range."""
from __future__ import annotations

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
