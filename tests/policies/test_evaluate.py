"""evaluate: IAM decision logic, with the force-MFA group policy as the main scenario."""

from __future__ import annotations

import pytest

from policies import Decision, PolicyError, Request, documents, evaluate, parse_policy
from tests.policies.helpers import aws, power_user_access, ram

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"


@pytest.fixture(scope="module")
def group():
    """What a member of the MFA-enforced group gets: PowerUserAccess + the force-MFA policy."""
    return [power_user_access(), parse_policy(documents.force_mfa(), "aws", "ForceMFA")]


def _decide(policies, action, resource="*", **context):
    return evaluate(policies, Request(action, resource, {"aws:username": "alice", **context}))


DENY_NO_MFA = {"policy": "ForceMFA", "index": 5, "sid": "DenyAllExceptListedIfNoMFA", "effect": "Deny"}


def test_run_instances_without_the_mfa_key_is_explicitly_denied(group):
    """Long-term access keys carry no MFA key at all: BoolIfExists must still deny."""
    result = _decide(group, "ec2:RunInstances")
    assert result.decision is Decision.EXPLICITLY_DENIED
    assert [s.to_json() for s in result.statements] == [DENY_NO_MFA]


def test_run_instances_with_mfa_false_is_explicitly_denied(group):
    result = _decide(group, "ec2:RunInstances", **{"aws:MultiFactorAuthPresent": "false"})
    assert result.decision is Decision.EXPLICITLY_DENIED


def test_run_instances_with_mfa_true_is_allowed_by_power_user(group):
    result = _decide(group, "ec2:RunInstances", **{"aws:MultiFactorAuthPresent": "true"})
    assert result.decision is Decision.ALLOWED
    assert [(s.policy, s.index) for s in result.statements] == [("PowerUserAccess", 0)]


def test_enable_mfa_on_own_user_without_mfa_is_allowed(group):
    result = _decide(group, "iam:EnableMFADevice", ALICE)
    assert result.decision is Decision.ALLOWED
    assert [(s.policy, s.sid) for s in result.statements] == [("ForceMFA", "AllowManageOwnUserMFA")]


def test_enable_mfa_on_another_user_is_implicitly_denied(group):
    result = _decide(group, "iam:EnableMFADevice", BOB)
    assert result.decision is Decision.IMPLICITLY_DENIED
    assert result.statements == ()


def test_deactivate_mfa_without_mfa_is_explicitly_denied(group):
    result = _decide(group, "iam:DeactivateMFADevice", ALICE)
    assert result.decision is Decision.EXPLICITLY_DENIED


def test_deactivate_own_mfa_with_mfa_is_allowed(group):
    result = _decide(group, "iam:DeactivateMFADevice", ALICE, **{"aws:MultiFactorAuthPresent": "true"})
    assert result.decision is Decision.ALLOWED


def test_get_session_token_without_mfa_is_not_explicitly_denied(group):
    result = _decide(group, "sts:GetSessionToken")
    assert result.decision is Decision.ALLOWED


def test_create_virtual_mfa_device_of_any_name_without_mfa(group):
    result = _decide(group, "iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/alice-phone-2")
    assert result.decision is Decision.ALLOWED


def test_delete_virtual_mfa_device_is_not_granted(group):
    """On mfa/* it would reach other users' devices."""
    result = _decide(
        group,
        "iam:DeleteVirtualMFADevice",
        f"arn:aws:iam::{ACCOUNT}:mfa/bob",
        **{"aws:MultiFactorAuthPresent": "true"},
    )
    assert result.decision is Decision.IMPLICITLY_DENIED


# What a new user (no MFA yet, console or CLI) calls to enrol a virtual MFA device, as AWS's
# "manage own MFA" example grants it: each must be Allowed by the force-MFA policy itself.
ENROLMENT = [
    ("iam:GetUser", ALICE),
    ("iam:GetAccountPasswordPolicy", "*"),
    ("iam:ListVirtualMFADevices", "*"),
    ("iam:ListMFADevices", ALICE),
    ("iam:GetMFADevice", ALICE),
    ("iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/alice"),
    ("iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/alice-phone-2"),
    ("iam:DeleteVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/alice"),
    ("iam:EnableMFADevice", ALICE),
    ("iam:ResyncMFADevice", ALICE),
]


@pytest.mark.parametrize(("action", "resource"), ENROLMENT, ids=[f"{a}-{r[-11:]}" for a, r in ENROLMENT])
def test_everything_mfa_enrolment_needs_is_allowed_without_mfa(group, action, resource):
    result = _decide(group, action, resource)
    assert result.decision is Decision.ALLOWED
    assert {s.policy for s in result.statements} == {"ForceMFA"}


def test_delete_own_named_virtual_mfa_device_only(group):
    """A failed enrolment leaves `mfa/<username>` unassigned; only that name may be cleaned up."""
    own = _decide(group, "iam:DeleteVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/alice")
    assert [s.sid for s in own.statements] == ["AllowDeleteOwnNamedVirtualMFADevice"]
    other = _decide(group, "iam:DeleteVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/alice-phone-2")
    assert other.decision is Decision.IMPLICITLY_DENIED


def test_initial_password_change_switch(group):
    assert _decide(group, "iam:ChangePassword", ALICE).decision is Decision.ALLOWED
    strict = [power_user_access(), parse_policy(documents.force_mfa(False), "aws", "ForceMFA")]
    assert _decide(strict, "iam:ChangePassword", ALICE).decision is Decision.EXPLICITLY_DENIED
    assert _decide(strict, "iam:GetAccountPasswordPolicy").decision is Decision.EXPLICITLY_DENIED
    assert (
        _decide(strict, "iam:ChangePassword", ALICE, **{"aws:MultiFactorAuthPresent": "true"}).decision
        is Decision.ALLOWED
    )


def test_change_password_of_another_user_is_implicitly_denied(group):
    assert _decide(group, "iam:ChangePassword", BOB).decision is Decision.IMPLICITLY_DENIED


def test_without_username_the_variable_resource_matches_nothing(group):
    result = evaluate(group, Request("iam:EnableMFADevice", ALICE, {}))
    assert result.decision is Decision.IMPLICITLY_DENIED


def test_power_user_has_no_iam_except_listed(group):
    mfa = {"aws:MultiFactorAuthPresent": "true"}
    assert _decide(group, "iam:CreateUser", **mfa).decision is Decision.IMPLICITLY_DENIED
    assert _decide(group, "iam:ListRoles", **mfa).decision is Decision.ALLOWED
    assert _decide(group, "organizations:DescribeOrganization", **mfa).decision is Decision.ALLOWED
    assert _decide(group, "organizations:LeaveOrganization", **mfa).decision is Decision.IMPLICITLY_DENIED


# ---- general semantics ------------------------------------------------------------------


def test_action_names_are_case_insensitive_resources_are_not():
    policy = ram({"Effect": "Allow", "Action": "OSS:Get*", "Resource": "acs:oss:*:*:Bucket/*"})
    assert evaluate([policy], Request("oss:getobject", "acs:oss:*:*:Bucket/a")).decision is Decision.ALLOWED
    assert (
        evaluate([policy], Request("oss:GetObject", "acs:oss:*:*:bucket/a")).decision
        is Decision.IMPLICITLY_DENIED
    )


def test_question_mark_matches_exactly_one_character():
    policy = ram({"Effect": "Allow", "Action": "ecs:Get?", "Resource": "*"})
    assert evaluate([policy], Request("ecs:GetA")).decision is Decision.ALLOWED
    assert evaluate([policy], Request("ecs:Get")).decision is Decision.IMPLICITLY_DENIED
    assert evaluate([policy], Request("ecs:GetAB")).decision is Decision.IMPLICITLY_DENIED


def test_explicit_deny_wins_and_lists_every_applicable_deny():
    policies = [
        ram({"Effect": "Allow", "Action": "*", "Resource": "*"}, name="a"),
        ram(
            {"Effect": "Deny", "Action": "ecs:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "ecs:Delete*", "Resource": "*", "Sid": "NoDelete"},
            name="d",
        ),
    ]
    result = evaluate(policies, Request("ecs:DeleteInstance"))
    assert result.decision is Decision.EXPLICITLY_DENIED
    assert [(s.policy, s.index, s.sid) for s in result.statements] == [("d", 0, None), ("d", 1, "NoDelete")]


def test_allowed_lists_every_applicable_allow():
    policies = [
        ram(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
        )
    ]
    assert [s.index for s in evaluate(policies, Request("ecs:Run")).statements] == [0, 1]


def test_not_resource_allows_everything_but_the_listed_resources():
    policy = aws({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret*"})
    assert evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::public/x")).decision is Decision.ALLOWED
    assert (
        evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::secret/x")).decision
        is Decision.IMPLICITLY_DENIED
    )


def test_not_action_deny_spares_the_listed_actions():
    policies = [
        aws(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": "iam:Get*", "Resource": "*"},
        )
    ]
    assert evaluate(policies, Request("iam:GetUser")).decision is Decision.ALLOWED
    assert evaluate(policies, Request("iam:PutUserPolicy")).decision is Decision.EXPLICITLY_DENIED


def test_policy_variables_are_literal_text_once_substituted():
    """A user named `*` must not become a wildcard."""
    policy = aws({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"})
    own = Request("s3:GetObject", "arn:aws:s3:::home/alice/f", {"aws:username": "alice"})
    star = Request("s3:GetObject", "arn:aws:s3:::home/alice/f", {"aws:username": "*"})
    assert evaluate([policy], own).decision is Decision.ALLOWED
    assert evaluate([policy], star).decision is Decision.IMPLICITLY_DENIED


def test_variable_escapes_and_defaults():
    policy = aws(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${*}${?}${$}"},
        {
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::b/${aws:username, 'shared'}/*",
        },
    )
    assert evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::b/*?$")).decision is Decision.ALLOWED
    assert (
        evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::b/xy$")).decision
        is Decision.IMPLICITLY_DENIED
    )
    assert evaluate([policy], Request("s3:PutObject", "arn:aws:s3:::b/shared/f")).decision is Decision.ALLOWED
    assert (
        evaluate([policy], Request("s3:PutObject", "arn:aws:s3:::b/shared/f", {"aws:username": "x"})).decision
        is Decision.IMPLICITLY_DENIED
    )


def test_multivalued_key_cannot_be_a_variable():
    policy = aws({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${aws:username}"})
    request = Request("s3:GetObject", "arn:aws:s3:::a", {"aws:username": ["a", "b"]})
    assert evaluate([policy], request).decision is Decision.IMPLICITLY_DENIED


def test_condition_keys_are_case_insensitive():
    policy = ram(
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"acs:MFAPresent": "true"}}}
    )
    assert (
        evaluate([policy], Request("ecs:Run", "*", {"ACS:mfapresent": "TRUE"})).decision is Decision.ALLOWED
    )


def test_trust_policy_statement_applies_to_its_role():
    trust = parse_policy(documents.load("ram/fc-trust.json"), "ram", "trust")
    assert evaluate([trust], Request("sts:AssumeRole", "acs:ram::1:role/x")).decision is Decision.ALLOWED
    assert evaluate([trust], Request("sts:GetCallerIdentity")).decision is Decision.IMPLICITLY_DENIED


def test_empty_action_is_rejected():
    with pytest.raises(PolicyError, match=r"^request.action: expected a non-empty action name$"):
        evaluate([], Request(""))


def test_no_policies_is_implicit_deny():
    assert evaluate([], Request("ecs:Run")).decision is Decision.IMPLICITLY_DENIED
