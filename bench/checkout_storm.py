"""Checkout storm: 200 concurrent buyers for the last 10 units of one variant, run by hand.

Serves the shop with gunicorn on a throw-away PostgreSQL database (the same set-up as
bench/load.py, whose helpers it uses), gives one variant exactly 10 units, lets 200 buyers
(each with its own cookies) fill a cart and reach the review page, then releases them at once
on "place order". Prints orders placed (must be 10), polite refusals (redirected back to the
cart with a message), errors (must be 0) and the p50/p99 latency of placing an order, and
checks in the database that no more than 10 units are held.

    .venv/bin/python bench/checkout_storm.py [--buyers 200] [--units 10] [--workers 3] [--threads 1] [--client light]

Exit 0 when exactly `units` orders were placed with no error, 1 otherwise, 2 if it could not run.
Only 127.0.0.1 is contacted.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (bench/load.py: database, environment and gunicorn helpers)

SLUG = "leaf-print-scarf"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ADDRESS = {"contact_name": "ผู้ซื้อทดสอบ", "email": "buyer{n}@example.com", "phone": "0812345678",
           "address_line": "1346 ถนนอัครเทศ", "subdistrict": "คลองจั่น", "district": "บางกะปิ",
           "province": "10", "postcode": "10240", "payment_method": "promptpay_transfer", "privacy_consent": "y"}


def prepare(base: str, variant_id: int, n: int) -> tuple[requests.Session, dict[str, str]]:
    """One buyer up to the review page; returns their session and the place-order form."""
    s = requests.Session()
    page = s.get(f"{base}/products/{SLUG}", timeout=60).text
    token = CSRF.search(page).group(1)
    r = s.post(f"{base}/cart/add", data={"csrf_token": token, "variant_id": variant_id, "quantity": 1}, timeout=60, allow_redirects=False)
    assert r.status_code == 303, r.status_code
    form = {k: v.format(n=n) for k, v in ADDRESS.items()}
    token = CSRF.search(s.get(f"{base}/checkout", timeout=60).text).group(1)
    r = s.post(f"{base}/checkout", data={"csrf_token": token, **form}, timeout=60, allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    review = s.get(f"{base}/checkout/review", timeout=60).text
    return s, {
        "csrf_token": CSRF.search(review).group(1),
        "token": re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', review).group(1),
        "fingerprint": re.search(r'name="fingerprint"[^>]*value="([0-9a-f]{32})"', review).group(1),
    }


def raw_request(base: str, buyer: tuple[requests.Session, dict[str, str]]) -> bytes:
    """The buyer's "place order" POST as bytes on the wire, built before the rush."""
    session, form = buyer
    body = urlencode(form).encode()
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    host = urlsplit(base).netloc
    head = (f"POST /checkout/place HTTP/1.1\r\nHost: {host}\r\nCookie: {cookies}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n")
    return head.encode() + body


async def light_storm(base: str, buyers: list[tuple[requests.Session, dict[str, str]]]) -> list[tuple[str, float]]:
    """All buyers at once from one thread's event loop: each request prepared beforehand, so the
    client spends tens of microseconds per buyer instead of the milliseconds (and the GIL waits)
    of 200 threads running `requests`, which share the server's two cores."""
    parts = urlsplit(base)
    wires = [raw_request(base, b) for b in buyers]
    go = asyncio.Event()

    async def one(wire: bytes) -> tuple[str, float]:
        await go.wait()
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            writer.write(wire)
            answer = await asyncio.wait_for(reader.read(), timeout=120)
            writer.close()
        except (TimeoutError, OSError) as exc:
            return f"error {type(exc).__name__}", (time.perf_counter() - started) * 1000
        elapsed = (time.perf_counter() - started) * 1000
        head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        status = head.split(" ", 2)[1] if " " in head else "?"
        where = next((line.split(":", 1)[1].strip() for line in head.split("\r\n")[1:]
                      if line.lower().startswith("location:")), "")
        outcome = "placed" if status == "303" and "/orders/" in where else (
            "refused" if status == "303" and where.endswith("/cart") else f"error {status}")
        return outcome, elapsed

    tasks = [asyncio.create_task(one(w)) for w in wires]
    await asyncio.sleep(0.1)  # every task waiting at the start line
    go.set()
    return list(await asyncio.gather(*tasks))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--units", type=int, default=10)
    # The production settings (deploy/gunicorn.conf.py, WEB_CONCURRENCY=3): three sync workers.
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker (1, the default: sync workers)")
    parser.add_argument("--client", choices=("threads", "light"), default="threads",
                        help="threads: 200 threads running requests (the first measurement's client); light: one "
                             "event loop sending prepared requests, so less of the two cores goes to the client")
    parser.add_argument("--pg", default=load.DEFAULT_PG)
    args = parser.parse_args(argv)
    load.require_loopback(args.pg, "--pg")
    settings = load.Settings(pg=args.pg, duration=0, connections=0, wrk_threads=0, warmup=0, products=0,
                             workers=args.workers, worker_class="gthread" if args.threads > 1 else "sync",
                             threads=args.threads, redis=False, rounds=1)
    try:
        with load.bench_database(args.pg) as name, tempfile.TemporaryDirectory(prefix="relearn-storm-") as folder:
            url = load.database_url(args.pg, name, "postgresql+psycopg")
            env = load.app_environment(url, Path(folder), redis=False)
            load.flask_command(["db", "upgrade"], env, "schema")
            load.flask_command(["seed-demo"], env, "demo data")
            import psycopg

            plain = load.database_url(args.pg, name)
            with psycopg.connect(plain, autocommit=True) as conn:
                variant_id = conn.execute(
                    "SELECT v.id FROM variant v JOIN product p ON p.id = v.product_id WHERE p.slug = %s ORDER BY v.id LIMIT 1", (SLUG,)
                ).fetchone()[0]
                conn.execute("UPDATE variant SET stock_on_hand = %s, stock_reserved = 0 WHERE id = %s", (args.units, variant_id))
            with load.gunicorn_server(settings, env, Path(folder)) as base:
                load.say(f"==> {args.buyers} buyers fill their carts and reach the review page")
                with ThreadPoolExecutor(max_workers=32) as pool:
                    buyers = list(pool.map(lambda n: prepare(base, variant_id, n), range(args.buyers)))
                load.say(f"==> all {args.buyers} press 'place order' at once for the last {args.units} units"
                         f" ({args.client} client)")
                barrier = threading.Barrier(args.buyers)
                results: list[tuple[str, float]] = []
                lock = threading.Lock()
                if args.client == "light":
                    results = asyncio.run(light_storm(base, buyers))

                def place(buyer: tuple[requests.Session, dict[str, str]]) -> None:
                    session, form = buyer
                    session.close()  # drop idle keep-alive sockets the server may have closed; cookies stay
                    barrier.wait()
                    started = time.perf_counter()
                    try:
                        r = session.post(f"{base}/checkout/place", data=form, timeout=120, allow_redirects=False)
                        where = r.headers.get("Location", "")
                        outcome = "placed" if r.status_code == 303 and "/orders/" in where else (
                            "refused" if r.status_code == 303 and where.endswith("/cart") else f"error {r.status_code}")
                    except requests.RequestException as exc:
                        outcome = f"error {type(exc).__name__}"
                    with lock:
                        results.append((outcome, (time.perf_counter() - started) * 1000))

                threads = [threading.Thread(target=place, args=(b,)) for b in buyers] if args.client == "threads" else []
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            with psycopg.connect(plain) as conn:
                held, orders = conn.execute(
                    "SELECT (SELECT stock_reserved FROM variant WHERE id = %s), (SELECT count(*) FROM shop_order)", (variant_id,)
                ).fetchone()
    except load.BenchError as exc:
        load.say(f"cannot run: {exc}")
        return 2
    placed = sum(1 for o, _ in results if o == "placed")
    refused = sum(1 for o, _ in results if o == "refused")
    errors = [o for o, _ in results if o.startswith("error")]
    latencies = sorted(ms for _, ms in results)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    load.say("")
    load.say(f"buyers             {args.buyers}")
    load.say(f"orders placed      {placed}   (must be {args.units})")
    load.say(f"polite refusals    {refused}")
    load.say(f"errors             {len(errors)}   (must be 0) {sorted(set(errors))}")
    load.say(f"place order p50    {statistics.median(latencies):.0f} ms")
    load.say(f"place order p99    {p99:.0f} ms")
    load.say(f"database: {orders} orders, {held} units held of {args.units}")
    ok = placed == args.units == orders == held and not errors
    load.say("VERDICT: OK" if ok else "VERDICT: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
