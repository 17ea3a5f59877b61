"""Hypothesis profile of the suite: few examples, no deadline (2 shared cores), derandomized so a
run is reproducible and never flaky, no example database written into the tree. The whole
property set takes a few seconds (20 examples each); `HYPOTHESIS_PROFILE=deep` (2,000 each)
explores far more when hunting."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "suite",
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("deep", max_examples=2000, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
