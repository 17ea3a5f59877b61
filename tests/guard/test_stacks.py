"""The real stacks, planned offline, pass every mandatory guardrail."""

from __future__ import annotations

import re
from functools import cache

import pytest

from baseline.plan import STACKS_DIR
from baseline.snapshots import stack_names
from components.settings import load_stack_file
from policies.guard import blocking, check_plan, load_guard_config
from policies.guard.checks import (
    AGGREGATE_CONFIG_RULE,
    AWS_IAM_POLICY,
    CONFIG_RULE,
    FUNCTION_TYPES,
    RAM_PASSWORD_POLICY,
    RAM_POLICY,
    RAM_ROLE,
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
    settings = load_stack_file(STACKS_DIR / f"Pulumi.{stack}.yaml")
    inspected = {RAM_POLICY, CONFIG_RULE, RAM_PASSWORD_POLICY, RAM_SECURITY_PREFERENCE}
    if settings.aws is not None:
        inspected.add(AWS_IAM_POLICY)
    if settings.organization is not None:
        inspected |= {AGGREGATE_CONFIG_RULE, RAM_ROLE}
    assert inspected <= types


def _with(resource: dict, **inputs) -> dict:
    return {**resource, "inputs": {**resource["inputs"], **inputs}}


def _first(plan: dict, types: tuple[str, ...], predicate=lambda inputs: True) -> dict:
    return next(r for r in plan["resources"] if r["type"] in types and predicate(r["inputs"]))


def _credential_in_env(plan: dict) -> dict:
    function = _first(plan, FUNCTION_TYPES)
    return _with(function, environmentVariables={**function["inputs"]["environmentVariables"], "AK": "x"})


def _ram_write_grant(plan: dict) -> dict:
    # Scoped to an account, so only the write grant trips a check (not the `*` resource one).
    document = (
        '{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:*", '
        '"Resource": "acs:ram:*:5123456789012345:*"}]}'
    )
    return _with(_first(plan, (RAM_POLICY,)), policyDocument=document)


def _empty_dangerous_actions(plan: dict) -> dict:
    rule = _first(plan, (CONFIG_RULE,), lambda inputs: inputs.get("sourceOwner") == "CUSTOM_FC")
    return _with(rule, inputParameters={"dangerousActions": ""})


def _empty_aggregate_dangerous_actions(plan: dict) -> dict:
    return _with(_first(plan, (AGGREGATE_CONFIG_RULE,)), inputParameters={"dangerousActions": ""})


def _member_role_trusts_the_account(plan: dict) -> dict:
    role = _first(plan, (RAM_ROLE,), lambda inputs: '"RAM"' in inputs["assumeRolePolicyDocument"])
    document = re.sub(r"role/[a-z0-9.-]+", "root", role["inputs"]["assumeRolePolicyDocument"])
    return _with(role, assumeRolePolicyDocument=document)


def _plain_bool_mfa_policy(plan: dict) -> dict:
    policy = _first(plan, (AWS_IAM_POLICY,), lambda inputs: "BoolIfExists" in inputs["policy"])
    return _with(policy, policy=policy["inputs"]["policy"].replace("BoolIfExists", "Bool"))


# One weakening per check (`check#variant` for a second resource type it inspects), applied to
# the stack's own resource: each must trip exactly that check on exactly that resource, so "the
# stack passes" above is not vacuous.
WEAKENINGS = {
    "function-env-no-credentials": _credential_in_env,
    "custom-ram-policies-least-privilege": _ram_write_grant,
    "config-rule-dangerous-actions": _empty_dangerous_actions,
    "aws-mfa-policy-denies-without-mfa": _plain_bool_mfa_policy,
    "cross-account-trust-narrow": _member_role_trusts_the_account,
    "config-rule-dangerous-actions#aggregate": _empty_aggregate_dangerous_actions,
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
    try:
        weakened_resource = WEAKENINGS[check](original)
    except StopIteration:
        pytest.skip(f"stack {stack} has no resource {check} inspects (its settings leave it out)")
    weakened = {
        **original,
        "resources": [weakened_resource if r["urn"] == weakened_resource["urn"] else r
                      for r in original["resources"]],
    }
    config = load_guard_config(stack)
    before = {(v.policy, v.urn) for v in check_plan(original, config)}
    after = {(v.policy, v.urn) for v in check_plan(weakened, config)}
    target = (check.split("#")[0], weakened_resource["urn"])
    assert target in after
    # Nothing else appears; and where the stack already failed this check (dev's advisory
    # console MFA), the weakening does not hide it either.
    assert after - before <= {target}
    assert before <= after
    if target not in before:
        assert after - before == {target}
