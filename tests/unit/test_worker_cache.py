"""The per-worker cache: least recently used out first, in constant time; timeouts kept."""
from __future__ import annotations

import threading

from shop import worker_cache
from shop.worker_cache import WorkerCache


def test_the_least_recently_used_entry_goes_first():
    cache = WorkerCache(threshold=3)
    for key in "abc":
        cache.set(key, key.upper())
    assert cache.get("a") == "A"  # a is used again: b is now the oldest
    cache.set("d", "D")
    assert cache.get("b") is None
    assert [cache.get(k) for k in "acd"] == ["A", "C", "D"]
    assert len(cache.entries) == 3


def test_values_are_kept_as_they_are_not_copied():
    cache = WorkerCache()
    page = {"parts": [b"x"]}
    cache.set("page", page)
    assert cache.get("page") is page


def test_an_entry_expires_after_its_timeout(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(worker_cache.time, "monotonic", lambda: now[0])
    cache = WorkerCache(default_timeout=300)
    cache.set("short", 1, timeout=10)
    cache.set("default", 2)
    cache.set("forever", 3, timeout=0)
    now[0] += 11
    assert cache.get("short") is None and "short" not in cache.entries
    assert cache.get("default") == 2
    now[0] += 300
    assert cache.get("default") is None
    assert cache.get("forever") == 3


def test_add_delete_has_and_clear():
    cache = WorkerCache()
    assert cache.add("k", 1) and not cache.add("k", 2)
    assert cache.get("k") == 1 and cache.has("k")
    assert cache.delete("k") and not cache.delete("k") and not cache.has("k")
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many("a", "b") == [1, 2]
    cache.clear()
    assert cache.get("a") is None


def test_the_shop_uses_it_when_there_is_no_redis(app):
    from shop.extensions import cache

    assert isinstance(cache.cache, WorkerCache)
    assert cache.cache.threshold == 2000


def test_add_takes_the_place_of_an_expired_entry(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(worker_cache.time, "monotonic", lambda: now[0])
    cache = WorkerCache()
    assert cache.add("k", 1, timeout=5)
    now[0] += 6
    assert cache.add("k", 2) and cache.get("k") == 2


class _Gapped(WorkerCache):
    """A look-up that, having found nothing, waits for a second thread to look too (0.2 s at
    most): an add that looked first and kept after, in two steps, would let both threads keep."""

    def __init__(self) -> None:
        super().__init__()
        self.gap = threading.Barrier(2)

    def get(self, key):
        found = super().get(key)
        try:
            self.gap.wait(timeout=0.2)
        except threading.BrokenBarrierError:
            pass
        return found


def test_of_two_threads_adding_one_key_exactly_one_wins():
    cache = _Gapped()
    answers: list[bool] = []
    threads = [threading.Thread(target=lambda n=n: answers.append(cache.add("k", n))) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False, True]
