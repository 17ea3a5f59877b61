"""Capped exponential backoff with full jitter, bounded by a deadline.

Every cloud call goes through `call_with_retry`: throttling, 5xx, connection errors and
timeouts are retried; anything else (and anything still failing when attempts or time run
out) propagates so the caller can turn it into INSUFFICIENT_DATA. The sleep, clock and
random source are injectable so tests never wait for real.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 5.0

    def delay(self, retry_number: int, rng: Callable[[], float]) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**n)] so synchronized callers spread out."""
        ceiling = min(self.max_delay, self.base_delay * (2**retry_number))
        return rng() * ceiling


class Deadline:
    """Wall-clock budget of one invocation, shared by every call made during it."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return self._end - self._clock()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def sub(self, reserve: float) -> Deadline:
        """A deadline `reserve` seconds earlier, so later steps (reporting) keep time for themselves."""
        inner = Deadline(0, self._clock)
        inner._end = self._end - reserve
        return inner


class DeadlineExceeded(TimeoutError):
    """The invocation's time budget ran out before the call could be (re)tried."""


class RetriesExhausted(RuntimeError):
    """Still failing after the last allowed attempt; `last` is the final error."""

    def __init__(self, attempts: int, last: BaseException) -> None:
        super().__init__(f"failed after {attempts} attempts: {last}")
        self.attempts = attempts
        self.last = last


# Below this much remaining budget a call cannot complete meaningfully, so it is not started.
MIN_CALL_SECONDS = 0.05


def call_with_retry(
    fn: Callable[[float], T],
    *,
    policy: RetryPolicy,
    deadline: Deadline,
    retryable: Callable[[BaseException], bool],
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> T:
    """Run `fn(time_left)` until it succeeds, a non-retryable error occurs, or attempts/time run out.

    `fn` receives the seconds left in the budget so it can cap its own network timeouts.
    """
    attempt = 0
    while True:
        left = deadline.remaining()
        if left < MIN_CALL_SECONDS:
            raise DeadlineExceeded(f"time budget exhausted after {attempt} attempts")
        attempt += 1
        try:
            return fn(left)
        except DeadlineExceeded:
            # Raised inside `fn` (e.g. the rate limiter's wait would overrun): the budget is
            # spent, so retrying can only sleep; it is a TimeoutError, which `retryable` accepts.
            raise
        except Exception as exc:
            if not retryable(exc):
                raise
            if attempt >= policy.max_attempts:
                raise RetriesExhausted(attempt, exc) from exc
            pause = policy.delay(attempt - 1, rng)
            if pause >= deadline.remaining() - MIN_CALL_SECONDS:
                raise RetriesExhausted(attempt, exc) from exc
            sleep(pause)
