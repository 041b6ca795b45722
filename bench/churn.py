"""A busy day's writes, for bench/traffic.py: stock changes and orders through the shop's own services.

Run as a subprocess with the benchmark's environment (DATABASE_URL, REDIS_URL, ...). Twice a
second it changes the stock of a random product's variant (the back office's receive and
adjust services) and places an order for one unit of another random variant (cart and
place_order, as the checkout does), until SIGTERM; then it prints one JSON line with counts.
"""
from __future__ import annotations

import json
import random
import secrets
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from shop import create_app  # noqa: E402
from shop.extensions import db  # noqa: E402
from shop.models import User, Variant  # noqa: E402
from shop.services.catalog import admin  # noqa: E402
from shop.services.errors import DomainError  # noqa: E402
from shop.services.ordering import cart as carts  # noqa: E402
from shop.services.ordering.checkout import CheckoutDetails  # noqa: E402
from shop.services.payments import place_order  # noqa: E402
from shop.services.thai import validate_address  # noqa: E402
from shop.services.trust import PRIVACY_NOTICE_VERSION  # noqa: E402

TICK = 0.5  # seconds: twice a second
running = True


def stop(_signum, _frame) -> None:
    global running
    running = False


def main() -> int:
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app = create_app()
    counts = {"stock_changes": 0, "orders": 0, "refused": 0, "errors": 0, "ticks": 0}
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bench-admin@example.com"))
        if user is None:
            user = User(email="bench-admin@example.com", name="bench", role="admin")
            user.set_password(secrets.token_hex(16))
            db.session.add(user)
            db.session.commit()
        variants = list(db.session.scalars(select(Variant.id).where(Variant.active.is_(True))))
        db.session.commit()
        details = CheckoutDetails(email="bench@example.com", contact_name="ผู้ซื้อทดสอบ", phone="0812345678",
                                  address_line="1346 ถนนอัครเทศ",
                                  address=validate_address("10", "บางกะปิ", "คลองจั่น", "10240"),
                                  privacy_consent_at=datetime.now(UTC), privacy_notice_version=PRIVACY_NOTICE_VERSION)
        print("churn: ready", flush=True)
        next_tick = time.monotonic()
        while running:
            counts["ticks"] += 1
            try:
                variant_id = random.choice(variants)
                if random.random() < 0.5:
                    admin.receive_stock(user, variant_id, random.randint(1, 3))
                else:
                    admin.adjust_stock(user, variant_id, -1, "count")
                counts["stock_changes"] += 1
            except DomainError:
                db.session.rollback()
                counts["refused"] += 1
            except Exception:  # noqa: BLE001 - counted and reported, the run goes on
                db.session.rollback()
                counts["errors"] += 1
            try:
                cart = carts.new_cart(None)
                carts.add_item(cart, random.choice(variants), 1)
                place_order(cart, details, payment_method="promptpay_transfer", idempotency_key=secrets.token_hex(16),
                            expected_fingerprint=carts.summarise(cart).fingerprint(), user_id=None, lang="th")
                counts["orders"] += 1
            except DomainError:
                db.session.rollback()
                counts["refused"] += 1
            except Exception:  # noqa: BLE001
                db.session.rollback()
                counts["errors"] += 1
            next_tick += TICK
            time.sleep(max(0.0, next_tick - time.monotonic()))
    print("CHURN_JSON " + json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
