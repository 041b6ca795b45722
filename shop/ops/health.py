"""/readyz (the database and Redis answer, with short time-outs) and /metrics (Prometheus).

/healthz stays in the storefront: it touches nothing and load balancers poll it.
"""
from __future__ import annotations

import hmac
import ipaddress
import threading
from collections.abc import Callable

import redis
from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_flask_exporter import PrometheusMetrics
from sqlalchemy import text

from shop.extensions import db

bp = Blueprint("ops", __name__)
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _within(seconds: float, check: Callable[[], None]) -> str:
    """'ok', or what went wrong; a check still running after `seconds` counts as failed."""
    outcome: list[str] = []

    def run() -> None:
        try:
            check()
            outcome.append("ok")
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"
            outcome.append(f"failed: {type(error).__name__}")

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    return outcome[0] if outcome else f"failed: no answer within {seconds:g} s"


def check_database(engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.rollback()


def check_redis(url: str, seconds: float) -> None:

    client = redis.Redis.from_url(url, socket_connect_timeout=seconds, socket_timeout=seconds)
    try:
        client.ping()
    finally:
        client.close()


@bp.get("/readyz")
def readyz():
    """Ready for traffic: 200 when every part answers, else 503 naming the parts that failed."""
    seconds = float(current_app.config.get("READYZ_TIMEOUT_SECONDS", 2.0))
    engine = db.engine
    checks = {"database": _within(seconds, lambda: check_database(engine))}
    redis_url = current_app.config.get("REDIS_URL")
    checks["redis"] = _within(seconds, lambda: check_redis(redis_url, seconds)) if redis_url else "not used"
    failed = [name for name, result in checks.items() if result.startswith("failed")]
    body = jsonify(status="unavailable" if failed else "ok", failed=failed, checks=checks)
    return body, 503 if failed else 200, {"Cache-Control": "no-store"}


def _is_local_request() -> bool:
    """Straight from this machine: a loopback address and no proxy in between."""
    if "X-Forwarded-For" in request.headers:  # Caddy always adds it; ProxyFix never removes it
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _token_matches() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@bp.get("/metrics")
def metrics():
    """Prometheus text format: request rates and latencies per endpoint, and the business counters."""
    request.prom_do_not_track = True  # scrapes do not count as traffic
    if not (_token_matches() or _is_local_request()):
        abort(404)
    if current_app.config.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # every worker's files, added up
        body = generate_latest(registry)
    else:
        body = generate_latest(current_app.extensions["http_metrics"].registry) + generate_latest(REGISTRY)
    return Response(body, content_type=METRICS_CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def init_http_metrics(app: Flask) -> None:
    """Request counts and latency histograms per endpoint, from prometheus-flask-exporter.

    Each app gets its own registry (tests make many apps in one process); the business
    counters in shop.metrics live in the process-wide one.
    """
    exporter = PrometheusMetrics(
        app, path=None, registry=CollectorRegistry(auto_describe=True), group_by="endpoint", defaults_prefix="flask"
    )
    app.extensions["http_metrics"] = exporter
