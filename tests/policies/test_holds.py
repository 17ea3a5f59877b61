"""holds: exact reasoning over wildcard languages, conditions and resources."""

from __future__ import annotations

import pytest

from policies import OTHER_KEYS_UNKNOWN, PolicyError, documents, holds, parse_policy
from tests.policies.helpers import aws, power_user_access, ram

NO_MFA = {"acs:MFAPresent": "false"}


@pytest.fixture(scope="module")
def rule_role():
    return [parse_policy(documents.load("ram/mfa-rule-function.json"), "ram", "rule")]


@pytest.fixture(scope="module")
def remediation_role():
    return [parse_policy(documents.load("ram/oss-acl-remediation.json"), "ram", "remediation")]


# ---- least privilege of the function roles ------------------------------------------------


@pytest.mark.parametrize(
    "pattern", ["ram:Create*", "ram:Attach*", "oss:*", "ecs:*", "ram:Update*", "*:Delete*"]
)
def test_rule_role_holds_no_dangerous_action(rule_role, pattern):
    assert holds(rule_role, pattern).holds is False


def test_rule_role_holds_what_the_function_needs(rule_role):
    result = holds(rule_role, "config:Put*")
    assert (result.holds, result.witness) == (True, "config:PutEvaluations")
    assert holds(rule_role, "ram:GetUserMFA*").witness == "ram:GetUserMFAInfo"


@pytest.mark.parametrize(
    "pattern", ["oss:DeleteBucket", "oss:PutObject", "ram:*", "oss:*Object*", "*:Delete*"]
)
def test_remediation_role_holds_no_dangerous_action(remediation_role, pattern):
    assert holds(remediation_role, pattern).holds is False


def test_remediation_role_can_only_touch_bucket_acls(remediation_role):
    assert holds(remediation_role, "oss:*").witness == "oss:GetBucketAcl"
    assert holds(remediation_role, "oss:Put*").witness == "oss:PutBucketAcl"


# ---- wildcard overlap ----------------------------------------------------------------------


def test_describe_star_overlaps_star_instances():
    policy = ram({"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}, name="ecs-read")
    result = holds([policy], "ecs:*Instances")
    assert (result.holds, result.witness) == (True, "ecs:DescribeInstances")
    assert result.statement.to_json() == {"policy": "ecs-read", "index": 0, "sid": None, "effect": "Allow"}


def test_witness_is_readable_and_uses_literal_pattern_text():
    policy = ram({"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"})
    assert holds([policy], "ecs:*").witness == "ecs:Describe"


def test_allow_not_action_ram_holds_ecs():
    policy = ram({"Effect": "Allow", "NotAction": "ram:*", "Resource": "*"})
    assert holds([policy], "ecs:*").witness == "ecs:X"
    assert holds([policy], "RAM:Get*").holds is False


def test_allow_star_minus_deny_oss_does_not_hold_upper_case_oss():
    policy = ram(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "oss:*", "Resource": "*"},
    )
    assert holds([policy], "OSS:*").holds is False
    assert holds([policy], "ecs:*").holds is True


def test_deny_of_part_of_the_pattern_leaves_the_rest():
    policy = ram(
        {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["ecs:Describe*", "ecs:List*"], "Resource": "*"},
    )
    assert holds([policy], "ecs:*").witness == "ecs:X"
    # The placeholder steps aside for the denied names: `ecs:D`, `ecs:L` are still allowed.
    assert holds([policy], "ecs:D*").witness == "ecs:D"
    assert holds([policy], "ecs:Describe*").holds is False
    assert holds([policy], "ecs:List*").holds is False


def test_deny_not_action_keeps_only_the_listed_actions():
    policy = ram(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "ecs:Describe*", "Resource": "*"},
    )
    assert holds([policy], "ecs:*").witness == "ecs:Describe"
    assert holds([policy], "oss:*").holds is False


def test_question_mark_patterns_intersect_exactly():
    policy = ram({"Effect": "Allow", "Action": "ecs:Get??", "Resource": "*"})
    assert holds([policy], "ecs:*X").witness == "ecs:GetYX"
    assert holds([policy], "ecs:Get???").holds is False


def test_several_allow_policies_are_unioned_and_the_witness_names_its_grant():
    policies = [
        ram({"Effect": "Allow", "Action": "oss:Get*", "Resource": "*"}, name="a"),
        ram({"Effect": "Allow", "Action": "ecs:Start*", "Resource": "*", "Sid": "Start"}, name="b"),
    ]
    result = holds(policies, "ecs:*")
    assert (result.witness, result.statement.policy, result.statement.sid) == ("ecs:Start", "b", "Start")


def test_no_action_catalogue_is_involved():
    """Service and action names nobody has heard of work the same: the answer is over languages."""
    policy = ram({"Effect": "Allow", "Action": "*", "Resource": "*"},
                 {"Effect": "Deny", "Action": "zz9:Qq*", "Resource": "*"})  # fmt: skip
    assert holds([policy], "zz9:Qq*").holds is False
    assert holds([policy], "zz9:Q*").witness == "zz9:Q"
    assert holds([policy], "zz9:Q?").witness == "zz9:QX"


def test_a_name_only_a_wildcard_supplies_is_a_placeholder_not_a_typo():
    """`ecs:X` for "some ecs action": concrete, in the language, and readable in an annotation."""
    allow_all = ram({"Effect": "Allow", "Action": "ecs:*", "Resource": "*"})
    assert holds([allow_all], "ecs:*").witness == "ecs:X"
    assert holds([allow_all], "ECS:Describe*").witness == "ecs:Describe"  # the grant spells first
    # Services are lower-case by convention: a placeholder there stays lower-case.
    allow_any = ram({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert holds([allow_any], "*:Delete*").witness == "x:Delete"
    # When a Deny takes the placeholder letter, the next one is used: the witness is never denied.
    denied_x = ram(
        {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ecs:X*", "Resource": "*"},
    )
    assert holds([denied_x], "ecs:*").witness == "ecs:Y"


def test_strings_that_are_not_service_colon_name_are_no_actions():
    """`ecs:` (empty name) matches `ecs:*` but is no action: leaving only it allowed does not hold."""
    policy = ram(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ecs:?*", "Resource": "*"},
    )
    assert holds([policy], "ecs:*").holds is False
    assert holds([policy], "*").witness == "x:X"


def test_pattern_star_in_service_matches_across_services():
    policy = ram({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})
    assert holds([policy], "*:Decrypt").witness == "kms:Decrypt"


# ---- conditions ------------------------------------------------------------------------------


def test_allow_conditioned_on_mfa_does_not_hold_without_mfa():
    policy = ram(
        {
            "Effect": "Allow",
            "Action": "ecs:*",
            "Resource": "*",
            "Condition": {"Bool": {"acs:MFAPresent": "true"}},
        }
    )
    assert holds([policy], "ecs:*", NO_MFA, OTHER_KEYS_UNKNOWN).holds is False
    assert holds([policy], "ecs:*", {"acs:MFAPresent": "true"}).holds is True


def test_deny_without_mfa_subtracts():
    policy = ram(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"acs:MFAPresent": "false"}},
        },
    )
    assert holds([policy], "ecs:*", NO_MFA, OTHER_KEYS_UNKNOWN).holds is False


def test_unknown_keys_may_grant_but_never_deny():
    """The rule cannot know the caller's source IP: stay conservative both ways."""
    policy = ram(
        {
            "Effect": "Allow",
            "Action": "ecs:*",
            "Resource": "*",
            "Condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}},
        },
        {
            "Effect": "Deny",
            "Action": "ecs:*",
            "Resource": "*",
            "Condition": {"NotIpAddress": {"acs:SourceIp": "10.0.0.0/8"}},
        },
    )
    result = holds([policy], "ecs:*", NO_MFA, OTHER_KEYS_UNKNOWN)
    assert (result.holds, result.witness) == (True, "ecs:X")
    # Known absent instead of unknown: the IpAddress Allow is false, the NotIpAddress Deny true.
    assert holds([policy], "ecs:*", NO_MFA).holds is False
    # Named unknown keys behave like OTHER_KEYS_UNKNOWN for those keys only.
    assert holds([policy], "ecs:*", NO_MFA, ["ACS:SourceIp"]).holds is True


def test_mfa_enforcing_group_policy_holds_nothing_dangerous_without_mfa():
    group = [power_user_access(), parse_policy(documents.force_mfa(), "aws", "ForceMFA")]
    no_mfa = {"aws:MultiFactorAuthPresent": "false"}
    assert holds(group, "ec2:*", no_mfa, OTHER_KEYS_UNKNOWN).holds is False
    assert holds(group, "ec2:*", {"aws:MultiFactorAuthPresent": "true"}, OTHER_KEYS_UNKNOWN).holds is True
    # The self-service MFA actions stay available (their resource names the user: some resource).
    assert holds(group, "iam:Enable*", no_mfa, OTHER_KEYS_UNKNOWN).witness == "iam:EnableMFADevice"
    assert holds(group, "iam:Deactivate*", no_mfa, OTHER_KEYS_UNKNOWN).holds is False


# ---- resources ---------------------------------------------------------------------------------


def test_deny_on_a_specific_resource_does_not_subtract():
    policy = ram(
        {"Effect": "Allow", "Action": "oss:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "oss:*", "Resource": "acs:oss:*:*:secret"},
    )
    assert holds([policy], "oss:*").holds is True


def test_deny_with_not_resource_never_applies_regardless_of_resource():
    policy = ram(
        {"Effect": "Allow", "Action": "oss:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "oss:*", "NotResource": "acs:oss:*:*:public"},
    )
    assert holds([policy], "oss:*").holds is True


def test_deny_with_a_variable_resource_is_not_every_resource():
    policy = aws(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::${aws:username}"},
    )
    assert holds([policy], "s3:*", {"aws:username": "*"}).holds is True


def test_allow_with_not_resource_star_grants_nothing():
    policy = ram({"Effect": "Allow", "Action": "oss:*", "NotResource": ["acs:oss:*", "*"]})
    assert holds([policy], "oss:*").holds is False
    partial = ram({"Effect": "Allow", "Action": "oss:*", "NotResource": "acs:oss:*"})
    assert holds([partial], "oss:*").holds is True


def test_allow_whose_resource_needs_an_absent_variable_grants_nothing():
    policy = aws(
        {
            "Effect": "Allow",
            "Action": "iam:EnableMFADevice",
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        }
    )
    assert holds([policy], "iam:*").holds is False
    assert holds([policy], "iam:*", {"aws:username": "alice"}).holds is True
    assert holds([policy], "iam:*", unknown_keys=OTHER_KEYS_UNKNOWN).holds is True


def test_invalid_pattern_is_an_error():
    with pytest.raises(PolicyError, match=r"^pattern: 'ecs: \*' is not an action pattern$"):
        holds([], "ecs: *")
    with pytest.raises(TypeError):
        holds([], "ecs:*", unknown_keys="acs:SourceIp")


def _allow(*actions: str) -> list:
    from policies import parse_policy

    doc = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
    return [parse_policy(doc, "ram", name="p")]


def test_wildcard_service_never_spans_a_second_colon():
    """A real action has one colon: a read-only grant does not overlap `*:Delete*`."""
    from policies import holds

    assert holds(_allow("ecs:Describe*"), "*:Delete*").holds is False
    assert holds(_allow("*:Describe*"), "*:Delete*").holds is False
    assert holds(_allow("s3:Get*"), "*:Put*Policy").holds is False


def test_wildcard_overlap_witness_is_service_colon_name():
    from policies import holds

    result = holds(_allow("ecs:*Instance"), "*:Delete*")
    assert result.holds is True
    assert result.witness == "ecs:DeleteInstance"


def test_absent_keys_are_known_absent_among_unknown_others():
    """AccessKey-signed calls carry no acs:MFAPresent: `Bool ... false` guards do not apply to them."""
    guard = ram(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Effect": "Deny",
            "NotAction": ["ram:*MFA*"],
            "Resource": "*",
            "Condition": {"Bool": {"acs:MFAPresent": "false"}},
        },
    )
    signed_with_key = holds([guard], "ecs:*", {}, OTHER_KEYS_UNKNOWN, absent_keys=["acs:MFAPresent"])
    console_without_mfa = holds([guard], "ecs:*", NO_MFA, OTHER_KEYS_UNKNOWN)
    assert (signed_with_key.holds, signed_with_key.witness) == (True, "ecs:X")
    assert console_without_mfa.holds is False
    unknown = holds([guard], "ecs:*", {}, OTHER_KEYS_UNKNOWN)  # a Deny is not relied on when unknown
    assert unknown.holds is True
