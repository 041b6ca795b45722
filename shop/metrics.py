"""Business counters for Prometheus, in one place: `count("orders_placed", method="stripe")`.

The services call count() after their transaction commits, so a rolled-back action is never
counted. Under several gunicorn workers, prometheus_client keeps the values in files in
PROMETHEUS_MULTIPROC_DIR and /metrics adds them up (see shop/ops/health.py).
"""
from __future__ import annotations

from prometheus_client import Counter

COUNTERS: dict[str, Counter] = {
    "orders_placed": Counter("shop_orders_placed", "Orders placed, by payment method", ["method"]),
    "payments_confirmed": Counter(
        "shop_payments_confirmed", "Payments that paid an order (or revived an expired one), by method", ["method"]
    ),
    "refunds": Counter("shop_refunds", "Refunds recorded, by payment method", ["method"]),
    "stock_outs": Counter("shop_stock_outs", "Buyers refused because an option sold out, by where (cart, checkout)", ["where"]),
    "holds_expired": Counter("shop_holds_expired", "Unpaid orders whose stock hold ended and went back on sale"),
}


def count(name: str, amount: int = 1, **labels: str) -> None:
    """Add `amount` to the business counter `name` (one of COUNTERS) with these labels."""
    counter = COUNTERS[name]
    (counter.labels(**labels) if labels else counter).inc(amount)
