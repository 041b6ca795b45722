"""Thread races for the concurrency tests: every job in its own thread and app context, all
released at once by a barrier, as many requests arriving together."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from shop.extensions import db


def race(app, jobs: list[Callable[[], Any]], refusals: tuple[type[BaseException], ...] = ()) -> tuple[list[Any], list[BaseException]]:
    """Run the jobs in threads released at once. Returns what each job returned ("refused" for a
    job that raised one of `refusals`, the polite outcomes) and every other exception, which a
    test treats as a failure. The caller's session is rolled back, to read what the jobs committed."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                try:
                    result = job()
                except refusals:
                    result = "refused"
            except BaseException as exc:  # noqa: BLE001 - every other outcome is a failure
                with lock:
                    errors.append(exc)
                return
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.rollback()
    return outcomes, errors


def buyers(cart_ids: list[int], outcome: str) -> list[Callable[[], str]]:
    """One job per cart: place its order (tests.factories.place) and say `outcome`."""

    def buyer(cart_id: int) -> Callable[[], str]:
        def job() -> str:
            from shop.models import Cart
            from tests.factories import place

            place(db.session.get(Cart, cart_id))
            return outcome
        return job

    return [buyer(c) for c in cart_ids]
