"""The CrossGuard adapter: each check of `checks.CHECKS` as a `ResourceValidationPolicy`.

Enforcement levels and floors come from the pack config CrossGuard passes in (the
`--policy-pack-config policies/guard/config/<stack>.json` file, or a Pulumi Cloud policy
group), validated by the same loader the offline `plan` uses. The stack name for the
dry-run check is `PULUMI_STACK`, which the Pulumi CLI sets for analyzer plugins, else the
config's `stack` property (which must agree with `PULUMI_STACK` when both are set).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from policies.guard.checks import CHECK_NAMES, CHECKS, Check
from policies.guard.config import PROPERTY_SCHEMAS, GuardConfig, guard_config_from_dict
from policies.guard.props import plain

PACK_NAME = "mfa-baseline-guard"


def guard_config_for(check_name: str, policy_config: Mapping[str, Any] | None) -> GuardConfig:
    """The GuardConfig one policy sees, from its CrossGuard config properties.

    The stack is `PULUMI_STACK` (the CLI sets it for analyzers); a config file whose `stack`
    names another stack is rejected, as `load_guard_config` rejects it offline, so a prod
    preview run with dev's config file fails instead of judging prod by dev's rules.
    """
    raw = plain(dict(policy_config or {}))
    return guard_config_from_dict(
        {check_name: raw} if raw else {},
        known_policies=CHECK_NAMES,
        stack=os.environ.get("PULUMI_STACK") or None,
        source="policy pack config: ",
    )


def _validator(check: Check):
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in check.resource_types:
            return
        config = guard_config_for(check.name, args.get_config())
        for message in check.run(args.resource_type, args.props, config):
            report_violation(message, None)

    return validate


def build_policies() -> list[Policy]:
    policies: list[Policy] = []
    for check in CHECKS:
        schema = PROPERTY_SCHEMAS.get(check.name)
        policies.append(ResourceValidationPolicy(
            name=check.name,
            description=check.description,
            validate=_validator(check),
            enforcement_level=EnforcementLevel(check.level),
            config_schema=PolicyConfigSchema(properties={k: dict(v) for k, v in schema.items()})
            if schema else None,
        ))
    return policies


def serve() -> None:
    """Start the pack's analyzer server (blocks; the Pulumi CLI runs it)."""
    from pulumi_policy import PolicyPack

    PolicyPack(name=PACK_NAME, policies=build_policies(), enforcement_level=EnforcementLevel.ADVISORY)
