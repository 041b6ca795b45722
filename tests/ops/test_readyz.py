"""/readyz: 200 when the database (and Redis, when set) answer; 503 naming what failed, quickly."""
from __future__ import annotations

import time

import pytest
import redis

from shop import create_app
from shop.config import TestConfig
from shop.ops import health
from tests.conftest import IN_CI

NOBODY = "127.0.0.1:1"  # a port where nothing listens: refused at once


def make_app(url, tmp_path, **settings):
    config = TestConfig(url, str(tmp_path))
    for name, value in settings.items():
        setattr(config, name, value)
    return create_app(config)


def test_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "failed": [], "checks": {"database": "ok", "redis": "not used"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ready_when_the_database_is_down(tmp_path):
    app = make_app(f"postgresql://postgres@{NOBODY}/shop", tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["database"]
    assert response.json["checks"]["database"].startswith("failed: OperationalError")


def test_not_ready_when_redis_is_down(backend, tmp_path):
    app = make_app(backend, tmp_path, REDIS_URL=f"redis://{NOBODY}/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["redis"]
    assert response.json["checks"]["database"] == "ok"


def test_ready_with_redis_when_it_answers(backend, tmp_path):
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {url} is unreachable: {exc}", pytrace=False)
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    app = make_app(backend, tmp_path, REDIS_URL=url)
    assert app.test_client().get("/readyz").json["checks"] == {"database": "ok", "redis": "ok"}


def test_a_hanging_database_fails_readiness_within_the_time_out(backend, tmp_path, monkeypatch):
    app = make_app(backend, tmp_path, READYZ_TIMEOUT_SECONDS=0.2)
    monkeypatch.setattr(health, "check_database", lambda engine: time.sleep(3))
    started = time.monotonic()
    response = app.test_client().get("/readyz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "failed: no answer within 0.2 s"


def test_healthz_stays_bare(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
