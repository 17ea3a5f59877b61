"""The real stacks, planned offline, pass every mandatory guardrail."""

from __future__ import annotations

from functools import cache

import pytest

from baseline.snapshots import stack_names
from policies.guard import blocking, check_plan, load_guard_config
from policies.guard.checks import (
    AWS_IAM_POLICY,
    CONFIG_RULE,
    FUNCTION_TYPES,
    RAM_PASSWORD_POLICY,
    RAM_POLICY,
    RAM_SECURITY_PREFERENCE,
)

STACKS = stack_names()


@cache
def plan(stack: str) -> dict:
    from baseline.plan import build_plan

    return build_plan(stack)


@pytest.mark.parametrize("stack", STACKS)
def test_stack_passes_every_mandatory_check(stack):
    violations = check_plan(plan(stack), load_guard_config(stack))
    assert [v.to_json() for v in blocking(violations)] == []


@pytest.mark.parametrize("stack", STACKS)
def test_checks_are_not_vacuous_the_stack_has_what_they_inspect(stack):
    types = {resource["type"] for resource in plan(stack)["resources"]}
    assert types & set(FUNCTION_TYPES)
    for resource_type in (
        RAM_POLICY,
        CONFIG_RULE,
        AWS_IAM_POLICY,
        RAM_PASSWORD_POLICY,
        RAM_SECURITY_PREFERENCE,
    ):
        assert resource_type in types


def test_a_weakened_stack_is_blocked():
    """Swap the rule role's policy for one granting RAM writes: the plan must fail the guard."""
    weakened = {**plan("dev"), "resources": [dict(r) for r in plan("dev")["resources"]]}
    policy = next(r for r in weakened["resources"] if r["type"] == RAM_POLICY)
    policy["inputs"] = {
        **policy["inputs"],
        "policyDocument": '{"Version": "1", "Statement": [{"Effect": "Allow", '
        '"Action": "ram:*", "Resource": "*"}]}',
    }
    before = blocking(check_plan(plan("dev"), load_guard_config("dev")))
    after = blocking(check_plan(weakened, load_guard_config("dev")))
    assert [(v.policy, v.urn) for v in after if v not in before] == [
        ("custom-ram-policies-least-privilege", policy["urn"])
    ]
