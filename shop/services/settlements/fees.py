"""A payment's fee split over the charge's lines, pro rata, to the satang.

The rule for the remainder (largest remainder): each part first gets fee x weight // total;
the satang left over go one each to the parts with the largest remainders, ties going to the
part listed first. Parts are listed goods lines first, by order-line id, then each parcel's
shipping, by parcel id. The shares always add up to the fee exactly.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def split(fee: int, parts: Sequence[tuple[K, int]]) -> dict[K, int]:
    """{key: share} for (key, weight) parts; weights are amounts in satang (>= 0)."""
    total = sum(weight for _, weight in parts)
    if fee == 0 or total <= 0:
        return {key: 0 for key, _ in parts}
    shares = {key: fee * weight // total for key, weight in parts}
    left = fee - sum(shares.values())
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(fee * parts[i][1] % total), i))
    for index in by_remainder[:left]:
        shares[parts[index][0]] += 1
    return shares
