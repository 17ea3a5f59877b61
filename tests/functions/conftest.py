"""Fixtures of the function tests: the loopback fake cloud and runtimes pointed at it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from functions.common import logjson
from functions.common.env import Endpoint
from functions.common.retry import RetryPolicy
from functions.mfa_rule import ram_facts
from functions.mfa_rule.handler import Runtime
from functions.mfa_rule.settings import Settings
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import TEST_TOKEN, load


class Sleeps:
    """Records requested sleeps instead of sleeping, so retry tests take milliseconds."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture(autouse=True)
def _cold_policy_cache() -> Iterator[None]:
    # The cache is per container in production; every test starts from a cold container.
    ram_facts.POLICY_CACHE.clear()
    yield
    ram_facts.POLICY_CACHE.clear()


@pytest.fixture(autouse=True)
def _keep_log_level() -> Iterator[None]:
    # An entry point sets the `baseline` logger's level from LOG_LEVEL; other tests expect it untouched.
    logger = logging.getLogger(logjson.LOGGER_NAME)
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    with FakeCloud(load("snapshots/account.json"), expected_token=TEST_TOKEN) as fake:
        yield fake


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def rule_runtime(cloud: FakeCloud, sleeps: Sleeps | None = None, **overrides: object) -> Runtime:
    endpoint = Endpoint(cloud.endpoint, "http")
    values: dict[str, object] = {
        "ram_endpoint": endpoint,
        "ims_endpoint": endpoint,
        "config_endpoint": endpoint,
        "connect_timeout": 0.5,
        "read_timeout": 0.2,  # injected hangs must cost milliseconds, not the SDK's 10 s default
        "retry": RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05),
        "rps_per_api": 90.0,  # under the fake's 100/s per API, burst included
        "time_budget_seconds": 30.0,
    }
    values.update(overrides)
    return Runtime(Settings(**values), sleep=sleeps or Sleeps())  # type: ignore[arg-type]
