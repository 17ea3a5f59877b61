"""What one invocation depends on besides the event and the context, injectable for tests.

The FC entry points build it from `os.environ`; tests pass their own settings, a recording
sleep (so backoff costs no real time) and, where needed, a fake clock.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

S = TypeVar("S")


@dataclass(frozen=True)
class Runtime(Generic[S]):
    settings: S
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rng: Callable[[], float] = field(default=random.random, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    # The calendar day exemption expiries are judged on (UTC); tests pin it.
    today: Callable[[], datetime.date] = field(default=lambda: _utc_today(), compare=False)


def _utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()
