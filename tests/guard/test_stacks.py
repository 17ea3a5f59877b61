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


def _with(resource: dict, **inputs) -> dict:
    return {**resource, "inputs": {**resource["inputs"], **inputs}}


def _first(plan: dict, types: tuple[str, ...], predicate=lambda inputs: True) -> dict:
    return next(r for r in plan["resources"] if r["type"] in types and predicate(r["inputs"]))


def _credential_in_env(plan: dict) -> dict:
    function = _first(plan, FUNCTION_TYPES)
    return _with(function, environmentVariables={**function["inputs"]["environmentVariables"], "AK": "x"})


def _ram_write_grant(plan: dict) -> dict:
    document = '{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:*", "Resource": "*"}]}'
    return _with(_first(plan, (RAM_POLICY,)), policyDocument=document)


def _empty_dangerous_actions(plan: dict) -> dict:
    rule = _first(plan, (CONFIG_RULE,), lambda inputs: inputs.get("sourceOwner") == "CUSTOM_FC")
    return _with(rule, inputParameters={"dangerousActions": ""})


def _plain_bool_mfa_policy(plan: dict) -> dict:
    policy = _first(plan, (AWS_IAM_POLICY,), lambda inputs: "BoolIfExists" in inputs["policy"])
    return _with(policy, policy=policy["inputs"]["policy"].replace("BoolIfExists", "Bool"))


# One weakening per check, applied to the stack's own resource: each must trip exactly that
# check on exactly that resource, so "the stack passes" above is not vacuous.
WEAKENINGS = {
    "function-env-no-credentials": _credential_in_env,
    "custom-ram-policies-least-privilege": _ram_write_grant,
    "config-rule-dangerous-actions": _empty_dangerous_actions,
    "aws-mfa-policy-denies-without-mfa": _plain_bool_mfa_policy,
    "ram-password-policy-floor": lambda p: _with(_first(p, (RAM_PASSWORD_POLICY,)), minimumPasswordLength=8),
    "ram-console-login-requires-mfa": lambda p: _with(
        _first(p, (RAM_SECURITY_PREFERENCE,)), mfaOperationForLogin="independent"
    ),
    "ram-console-session-duration": lambda p: _with(
        _first(p, (RAM_SECURITY_PREFERENCE,)), loginSessionDuration=24
    ),
}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("check", list(WEAKENINGS))
def test_weakening_a_stack_resource_trips_its_check(stack, check):
    original = plan(stack)
    weakened_resource = WEAKENINGS[check](original)
    weakened = {
        **original,
        "resources": [weakened_resource if r["urn"] == weakened_resource["urn"] else r
                      for r in original["resources"]],
    }
    config = load_guard_config(stack)
    before = {(v.policy, v.urn) for v in check_plan(original, config)}
    after = {(v.policy, v.urn) for v in check_plan(weakened, config)}
    target = (check, weakened_resource["urn"])
    assert target in after
    # Nothing else appears; and where the stack already failed this check (dev's advisory
    # console MFA), the weakening does not hide it either.
    assert after - before <= {target}
    assert before <= after
    if target not in before:
        assert after - before == {target}
