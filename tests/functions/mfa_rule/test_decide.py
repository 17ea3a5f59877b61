"""The pure decision over parsed policies (no cloud)."""

from __future__ import annotations

from functions.mfa_rule.decide import (
    ANNOTATION_LIMIT,
    Grant,
    Risk,
    find_risk,
    insufficient,
    verdict,
)
from functions.mfa_rule.facts import LoginProfile, MfaDevice, PolicyRef
from policies import parse_policy

PATTERNS = ("ecs:*", "oss:*", "log:*")


def held(name: str, statements: list[dict], group: str | None = None) -> tuple[Grant, object]:
    ref = PolicyRef(name, "Custom", "v1")
    return Grant(ref, group), parse_policy({"Version": "1", "Statement": statements}, "ram", name=ref.label)


def test_first_matching_pattern_is_reported_with_the_granting_policy_and_group():
    risk = find_risk(
        [
            held("vpc-admin", [{"Effect": "Allow", "Action": "vpc:*", "Resource": "*"}]),
            held("oss-read", [{"Effect": "Allow", "Action": "oss:Get*", "Resource": "*"}], group="data"),
        ],
        PATTERNS,
    )
    assert risk is not None
    assert risk.pattern == "oss:*"
    # The witness is the pattern's concrete stand-in: oss:Get* with its wildcard dropped.
    assert risk.witness == "oss:Get"
    assert risk.grant == Grant(PolicyRef("oss-read", "Custom", "v1"), "data")


def test_deny_when_mfa_absent_removes_the_risk():
    risk = find_risk(
        [
            held("all", [{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
            held(
                "force-mfa",
                [
                    {
                        "Effect": "Deny",
                        "Action": "*",
                        "Resource": "*",
                        "Condition": {"Bool": {"acs:MFAPresent": "false"}},
                    }
                ],
            ),
        ],
        PATTERNS,
    )
    assert risk is None


def test_allow_with_an_unrelated_condition_is_assumed_satisfiable():
    risk = find_risk(
        [
            held(
                "ip",
                [
                    {
                        "Effect": "Allow",
                        "Action": "log:*",
                        "Resource": "*",
                        "Condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}},
                    }
                ],
            )
        ],
        PATTERNS,
    )
    assert risk is not None and risk.pattern == "log:*"


def test_verdicts_and_annotations():
    grant = Grant(PolicyRef("ops-admin", "Custom", "v3"), "ops")
    risk = Risk("ecs:*", "ecs:RunInstances", grant)
    assert verdict(risk, None, None, PATTERNS).compliance_type == "NON_COMPLIANT"
    assert verdict(risk, None, None, PATTERNS).annotation == (
        "no MFA device; ecs:* allowed without MFA (e.g. ecs:RunInstances) "
        "by Custom policy ops-admin (v3) via group ops"
    )
    with_device = verdict(risk, MfaDevice("acs:ram::1:mfa/a", "VMFA"), None, PATTERNS)
    assert with_device.compliance_type == "COMPLIANT"
    assert with_device.annotation == (
        "MFA device bound (VMFA); ecs:* allowed without MFA (e.g. ecs:RunInstances) "
        "by Custom policy ops-admin (v3) via group ops"
    )
    bind_required = verdict(risk, None, LoginProfile(mfa_bind_required=True), PATTERNS)
    assert bind_required.compliance_type == "NON_COMPLIANT"
    assert bind_required.annotation == (
        "no MFA device; ecs:* allowed without MFA (e.g. ecs:RunInstances) "
        "by Custom policy ops-admin (v3) via group ops; login profile requires MFA binding but none is bound"
    )
    assert (
        verdict(None, None, None, PATTERNS).annotation == "none of ecs:*, oss:*, log:* is allowed without MFA"
    )


def test_annotations_are_capped():
    long = insufficient("x" * 1000)
    assert long.compliance_type == "INSUFFICIENT_DATA"
    assert len(long.annotation) == ANNOTATION_LIMIT
    assert long.annotation == "could not evaluate: " + "x" * (ANNOTATION_LIMIT - 23) + "..."
