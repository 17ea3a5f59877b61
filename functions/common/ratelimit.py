"""Thread-safe token buckets: at most `rate` calls per second across all workers of an invocation,
per bucket (`PerApiLimits` keeps one per API operation)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from functions.common.retry import Deadline, DeadlineExceeded


class TokenBucket:
    """Reservation-style bucket: each caller reserves a token, then sleeps outside the lock until it is due.

    Reserving under the lock keeps the order fair and the long-run rate exact even when many
    threads arrive together; sleeping outside the lock lets them wait concurrently.
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = _positive(rate)
        self.burst = float(burst if burst is not None else max(1.0, rate / 10))
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self, deadline: Deadline | None = None) -> float:
        """Take one token, waiting if needed; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate
            if deadline is not None and wait > deadline.remaining():
                raise DeadlineExceeded(f"rate limit wait {wait:.2f}s exceeds the remaining time budget")
            self._tokens -= 1
        if wait > 0:
            self._sleep(wait)
        return wait


class PerApiLimits:
    """One token bucket per API operation, created on first use: RAM's flow control counts each
    API of an account separately, so a burst of GetPolicy never slows ListUsersForGroup."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = _positive(rate)  # refused here, not at the first call of some API
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, operation: str) -> TokenBucket:
        with self._lock:
            found = self._buckets.get(operation)
            if found is None:
                found = TokenBucket(self.rate, self.burst, clock=self._clock, sleep=self._sleep)
                self._buckets[operation] = found
            return found

    def acquire(self, operation: str, deadline: Deadline | None = None) -> float:
        return self.bucket(operation).acquire(deadline)


def _positive(rate: float) -> float:
    if rate <= 0:
        raise ValueError(f"rate: must be > 0, got {rate}")
    return float(rate)
