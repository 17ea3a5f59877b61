"""Calling a tea-openapi SDK client (RAM, Config) through the shared retry, rate limit and deadline.

The SDK's own retry is left off (`autoretry=False`): one policy, with jitter and the
invocation's deadline, governs every call, and each attempt's connect/read timeouts are
capped by the time left so a hung endpoint cannot overrun the function timeout.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from darabonba.runtime import RuntimeOptions

from functions.common import cloud_errors
from functions.common.ratelimit import PerApiLimits, TokenBucket
from functions.common.retry import Deadline, RetryPolicy, call_with_retry


@dataclass(frozen=True)
class CallSettings:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rng: Callable[[], float] = field(default=random.random, compare=False)


class TeaApi:
    """`api.call("list_users", request)` runs `client.list_users_with_options(request, runtime)`.

    Operations the API defines without parameters (e.g. RAM's ListVirtualMFADevices) have no
    request model in the SDK: `api.call("list_virtual_mfadevices")` runs
    `client.list_virtual_mfadevices_with_options(runtime)`.
    """

    def __init__(
        self,
        client: Any,
        *,
        settings: CallSettings,
        deadline: Deadline,
        limiter: TokenBucket | PerApiLimits | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.deadline = deadline
        self.limiter = limiter

    def call(self, operation: str, request: Any = None) -> Any:
        method = getattr(self.client, f"{operation}_with_options")

        def attempt(time_left: float) -> Any:
            if isinstance(self.limiter, PerApiLimits):
                self.limiter.acquire(operation, self.deadline)
                time_left = self.deadline.remaining()
            elif self.limiter is not None:
                self.limiter.acquire(self.deadline)
                time_left = self.deadline.remaining()
            runtime = RuntimeOptions(
                autoretry=False,
                connect_timeout=_ms(min(self.settings.connect_timeout, time_left)),
                read_timeout=_ms(min(self.settings.read_timeout, time_left)),
            )
            response = method(runtime) if request is None else method(request, runtime)
            return response.body

        return call_with_retry(
            attempt,
            policy=self.settings.retry,
            deadline=self.deadline,
            retryable=cloud_errors.is_retryable,
            sleep=self.settings.sleep,
            rng=self.settings.rng,
        )


def _ms(seconds: float) -> int:
    # The SDK takes integer milliseconds and treats 0 as "use the default", so never send 0.
    return max(1, int(seconds * 1000))
