"""The token bucket that caps RAM requests per second across workers."""

from __future__ import annotations

import threading
import time

import pytest

from functions.common.ratelimit import TokenBucket
from functions.common.retry import Deadline, DeadlineExceeded


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_is_free_then_each_token_waits_one_interval():
    clock = Clock()
    waits: list[float] = []
    bucket = TokenBucket(10, burst=3, clock=clock, sleep=waits.append)
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    # Reservations queue up: the 4th is due in 0.1 s, the 5th in 0.2 s.
    assert bucket.acquire() == pytest.approx(0.1)
    assert bucket.acquire() == pytest.approx(0.2)
    clock.now = 1.0  # enough time for the bucket to refill completely
    assert bucket.acquire() == 0.0


def test_wait_longer_than_the_deadline_is_refused():
    clock = Clock()
    bucket = TokenBucket(1, burst=1, clock=clock, sleep=lambda s: None)
    bucket.acquire()
    with pytest.raises(DeadlineExceeded):
        bucket.acquire(Deadline(0.5, clock))


def test_rate_must_be_positive():
    with pytest.raises(ValueError, match="rate: must be > 0"):
        TokenBucket(0)


def test_concurrent_threads_together_stay_under_the_rate():
    bucket = TokenBucket(200, burst=1)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            bucket.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stamps) == 40
    # 40 tokens at 200/s with a burst of 1 need at least 39/200 s.
    assert max(stamps) - min(stamps) >= 39 / 200 - 0.01
