"""Retry with capped exponential backoff, full jitter and a deadline."""

from __future__ import annotations

import pytest

from functions.common.retry import Deadline, DeadlineExceeded, RetriesExhausted, RetryPolicy, call_with_retry


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Flaky(Exception):
    pass


def test_full_jitter_delay_is_the_random_fraction_of_the_capped_exponential():
    policy = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=3.0)
    assert [policy.delay(n, lambda: 1.0) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.delay(2, lambda: 0.25) == 0.5
    assert policy.delay(0, lambda: 0.0) == 0.0


def test_retries_retryable_errors_then_returns_and_passes_time_left():
    clock = Clock()
    failures = [Flaky("a"), Flaky("b")]
    seen: list[float] = []

    def fn(left: float) -> str:
        seen.append(left)
        if failures:
            raise failures.pop(0)
        return "ok"

    result = call_with_retry(
        fn,
        policy=RetryPolicy(5, 1.0, 8.0),
        deadline=Deadline(60, clock),
        retryable=lambda e: isinstance(e, Flaky),
        sleep=clock.sleep,
        rng=lambda: 0.5,
    )
    assert result == "ok"
    assert seen == [60.0, 59.5, 58.5]  # slept 0.5 (half of 1), then 1.0 (half of 2)


def test_non_retryable_error_propagates_at_once():
    calls = []

    def fn(left: float) -> None:
        calls.append(left)
        raise KeyError("no")

    with pytest.raises(KeyError):
        call_with_retry(
            fn, policy=RetryPolicy(), deadline=Deadline(5), retryable=lambda e: False, sleep=lambda s: None
        )
    assert len(calls) == 1


def test_gives_up_after_max_attempts_keeping_the_last_error():
    clock = Clock()
    with pytest.raises(RetriesExhausted) as info:
        call_with_retry(
            lambda left: (_ for _ in ()).throw(Flaky("still")),
            policy=RetryPolicy(3, 0.1, 1.0),
            deadline=Deadline(60, clock),
            retryable=lambda e: True,
            sleep=clock.sleep,
            rng=lambda: 1.0,
        )
    assert info.value.attempts == 3
    assert str(info.value.last) == "still"
    assert clock.now == pytest.approx(100.3)  # 0.1 + 0.2


def test_never_sleeps_past_the_deadline():
    clock = Clock()
    with pytest.raises(RetriesExhausted) as info:
        call_with_retry(
            lambda left: (_ for _ in ()).throw(Flaky("x")),
            policy=RetryPolicy(50, 1.0, 10.0),
            deadline=Deadline(3.0, clock),
            retryable=lambda e: True,
            sleep=clock.sleep,
            rng=lambda: 1.0,
        )
    assert info.value.attempts == 2  # waited 1 s; the next 2 s wait would end at the deadline
    assert clock.now == 101.0


def test_expired_deadline_starts_no_call():
    clock = Clock()
    deadline = Deadline(1.0, clock)
    clock.now += 1.0
    with pytest.raises(DeadlineExceeded):
        call_with_retry(
            lambda left: "never", policy=RetryPolicy(), deadline=deadline, retryable=lambda e: True
        )


def test_sub_deadline_ends_earlier_by_the_reserve():
    clock = Clock()
    deadline = Deadline(10.0, clock)
    assert deadline.sub(2.5).remaining() == 7.5
    assert deadline.remaining() == 10.0


def test_budget_exhausted_inside_the_call_is_final_even_for_a_retry_all_policy():
    # The rate limiter raises DeadlineExceeded (a TimeoutError) from inside the attempt.
    calls: list[float] = []
    sleeps: list[float] = []

    def fn(left: float) -> None:
        calls.append(left)
        raise DeadlineExceeded("rate limit wait 3.00s exceeds the remaining time budget")

    with pytest.raises(DeadlineExceeded, match="rate limit wait"):
        call_with_retry(
            fn, policy=RetryPolicy(5), deadline=Deadline(60), retryable=lambda e: True, sleep=sleeps.append
        )
    assert (len(calls), sleeps) == (1, [])
