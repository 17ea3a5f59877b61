"""Guardrails for the baseline's infrastructure: plain checks, an offline runner, a CrossGuard pack.

- `checks`: the checks, each registered with `@register` next to its function (how to add one:
  its docstring); `registry` (the `Check` record), `props` (property coercion), `algebra` (policy
  document questions), `resource_types` (type tokens) serve them;
- `config`: per-stack enforcement levels and floors (`config/<stack>.json`, a CrossGuard
  policy pack config file);
- `runner`: `check_plan(plan, config)` over `baseline.plan.build_plan()` output;
- `pack` / `__main__`: the CrossGuard program for
  `pulumi preview --policy-pack policies/guard --policy-pack-config policies/guard/config/<stack>.json`
  (the only modules that import `pulumi_policy`).
"""

from policies.guard.checks import CHECK_NAMES, CHECKS, Check, checks_for
from policies.guard.config import (
    ADVISORY,
    DISABLED,
    MANDATORY,
    GuardConfig,
    GuardConfigError,
    PasswordFloor,
    load_guard_config,
)
from policies.guard.runner import Violation, blocking, check_plan, check_resource, format_violations

__all__ = [
    "ADVISORY",
    "CHECKS",
    "CHECK_NAMES",
    "DISABLED",
    "MANDATORY",
    "Check",
    "GuardConfig",
    "GuardConfigError",
    "PasswordFloor",
    "Violation",
    "blocking",
    "check_plan",
    "check_resource",
    "checks_for",
    "format_violations",
    "load_guard_config",
]
