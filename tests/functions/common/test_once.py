"""The single-flight memo behind the policy cache."""

from __future__ import annotations

import threading
import time

import pytest

from functions.common.once import OnceMap


def test_concurrent_askers_share_one_computation():
    memo: OnceMap[str, int] = OnceMap()
    calls = []

    def compute() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(memo.get("k", compute))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 8
    assert len(calls) == 1


def test_failures_are_not_kept_so_the_next_caller_retries():
    memo: OnceMap[str, int] = OnceMap()
    with pytest.raises(RuntimeError):
        memo.get("k", lambda: (_ for _ in ()).throw(RuntimeError("down")))
    assert "k" not in memo
    assert memo.get("k", lambda: 7) == 7


def test_least_recently_used_entries_are_evicted_beyond_the_bound():
    memo: OnceMap[int, int] = OnceMap(max_entries=2)
    memo.get(1, lambda: 1)
    memo.get(2, lambda: 2)
    memo.get(1, lambda: -1)  # touch 1
    memo.get(3, lambda: 3)
    assert 1 in memo and 3 in memo and 2 not in memo
