"""Run the guard checks over an offline plan (`baseline.plan.build_plan()` output).

`check_plan` is what `python -m baseline plan` calls so that the offline plan reports the
violations `pulumi preview --policy-pack policies/guard` would; a violation whose level is
mandatory (or remediate, which CrossGuard reports as mandatory when it cannot remediate)
blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from policies.guard.checks import checks_for
from policies.guard.config import DISABLED, MANDATORY, REMEDIATE, GuardConfig


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    urn: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.level in (MANDATORY, REMEDIATE)

    def to_json(self) -> dict[str, str]:
        return {"policy": self.policy, "level": self.level, "urn": self.urn, "message": self.message}


def check_resource(
    resource_type: str, props: Mapping[str, Any], urn: str, config: GuardConfig
) -> list[Violation]:
    violations: list[Violation] = []
    for check in checks_for(resource_type):
        level = config.level(check.name, check.level)
        if level == DISABLED:
            continue
        violations.extend(Violation(check.name, level, urn, message)
                          for message in check.run(resource_type, props, config))
    return violations


def check_plan(plan: Mapping[str, Any], config: GuardConfig) -> list[Violation]:
    """Violations of every resource of `plan` (`{"resources": [{"urn", "type", "inputs"}]}`), in order."""
    violations: list[Violation] = []
    for resource in plan.get("resources", []):
        inputs = resource.get("inputs") or {}
        violations.extend(check_resource(resource["type"], inputs, resource["urn"], config))
    return violations


def blocking(violations: Iterable[Violation]) -> list[Violation]:
    return [violation for violation in violations if violation.blocking]


def format_violations(violations: Iterable[Violation]) -> list[str]:
    """One human line per violation: `[mandatory] policy: message (urn)`."""
    return [f"[{v.level}] {v.policy}: {v.message} ({v.urn})" for v in violations]
