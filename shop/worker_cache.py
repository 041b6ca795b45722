"""The per-worker cache (no REDIS_URL): the most recently used entries, in this process's memory.

flask-caching's SimpleCache pickles every value it keeps and, once full, sorts all its entries
on every `set` to find the oldest: with 2,000 pages kept, a cold page spent longer making room
than rendering its header. Here an entry is kept as it is (its keys hold versions, so what is
kept under a key never changes; a CachedPage only grows compressed forms) and the least
recently used goes in constant time.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from flask_caching.backends.base import BaseCache


class WorkerCache(BaseCache):
    def __init__(self, threshold: int = 2000, default_timeout: int = 300) -> None:
        super().__init__(default_timeout=default_timeout)
        self.threshold = threshold
        self.entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()  # key: (expires at or 0, value)
        self.lock = threading.Lock()

    @classmethod
    def factory(cls, app, config, args, kwargs):  # noqa: ARG003 (flask-caching's signature)
        return cls(config["CACHE_THRESHOLD"], kwargs.get("default_timeout", 300))

    def _expires(self, timeout: int | timedelta | None) -> float:
        timeout = self._normalize_timeout(timeout)
        return time.monotonic() + timeout if timeout > 0 else 0.0

    def get(self, key: str) -> Any:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] and entry[0] <= time.monotonic():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def _put(self, key: str, value: Any, timeout: int | timedelta | None) -> None:
        """Keep `value` as the most recent entry, the least recent going past the threshold (under the lock)."""
        self.entries[key] = (self._expires(timeout), value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.threshold:
            self.entries.popitem(last=False)

    def set(self, key: str, value: Any, timeout: int | timedelta | None = None) -> bool:
        with self.lock:
            self._put(key, value, timeout)
        return True

    def add(self, key: str, value: Any, timeout: int | timedelta | None = None) -> bool:
        with self.lock:  # looked at and kept in one step: of two threads adding a key, one wins
            entry = self.entries.get(key)
            if entry is not None and not (entry[0] and entry[0] <= time.monotonic()):
                return False
            self._put(key, value, timeout)
        return True

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def delete(self, key: str) -> bool:
        with self.lock:
            return self.entries.pop(key, None) is not None

    def clear(self) -> bool:
        with self.lock:
            self.entries.clear()
        return True
