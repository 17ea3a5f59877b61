"""A bounded map that computes each key once, even when several threads ask at the same time."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class OnceMap(Generic[K, V]):
    """Single-flight memo with LRU eviction. Failures are shared with concurrent waiters but not kept,

    so the next caller tries again instead of being served a stale error.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[K, Future[V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        with self._lock:
            future = self._entries.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._entries[key] = future
            else:
                self._entries.move_to_end(key)
        if owner:
            try:
                value = compute()
            except BaseException as exc:
                with self._lock:
                    if self._entries.get(key) is future:
                        del self._entries[key]
                future.set_exception(exc)
                raise
            future.set_result(value)
            self._evict()
            return value
        return future.result()

    def put(self, key: K, value: V) -> None:
        future: Future[V] = Future()
        future.set_result(value)
        with self._lock:
            self._entries[key] = future
        self._evict()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _evict(self) -> None:
        with self._lock:
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
