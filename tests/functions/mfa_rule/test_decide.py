"""The pure decision over parsed policies (no cloud)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from functions.mfa_rule.decide import (
    ANNOTATION_LIMIT,
    MFA_KEY,
    NO_MFA_CONTEXT,
    PATHS,
    Grant,
    PathRisks,
    Risk,
    UserFacts,
    find_risk,
    insufficient,
    path_risks,
    verdict,
)
from functions.mfa_rule.facts import AccessKey, LoginProfile, MfaDevice, PolicyRef, SecurityPreference
from policies import OTHER_KEYS_UNKNOWN, PolicyError, holds, parse_policy

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


def test_verdicts_and_annotations_name_the_open_path():
    grant = Grant(PolicyRef("ops-admin", "Custom", "v3"), "ops")
    risk = Risk("ecs:*", "ecs:RunInstances", grant)
    both = PathRisks(risk, risk)
    no_device = UserFacts(None, LoginProfile(mfa_bind_required=False), (), SecurityPreference())
    assert (
        verdict(no_device, both, PATTERNS, PATHS).compliance_type,
        verdict(no_device, both, PATTERNS, PATHS).annotation,
    ) == (
        "NON_COMPLIANT",
        "console sign-in without MFA: ecs:* allowed without MFA (e.g. ecs:RunInstances) "
        "by Custom policy ops-admin (v3) via group ops",
    )
    with_device = UserFacts(
        MfaDevice("acs:ram::1:mfa/a", "VMFA"), None, (AccessKey("AK1", "Inactive"),), None
    )
    assert verdict(with_device, both, PATTERNS, PATHS).annotation == (
        "no path without MFA: MFA device bound (VMFA); no active AccessKey"
    )
    key_open = UserFacts(MfaDevice("acs:ram::1:mfa/a", "VMFA"), None, (AccessKey("AK1", "Active"),), None)
    assert verdict(key_open, both, PATTERNS, PATHS).annotation == (
        "AccessKey AK1: ecs:* allowed without MFA (e.g. ecs:RunInstances) by Custom policy "
        "ops-admin (v3) via group ops"
    )


def test_an_unknown_key_status_counts_as_usable():
    assert AccessKey("AK1", "Suspended?").active is True
    assert AccessKey("AK1", "Inactive").active is False


def test_access_key_risk_counts_mfa_absent_not_only_false():
    guard = held(
        "guard",
        [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"Bool": {"acs:MFAPresent": "false"}},
            },
        ],
    )
    risks = path_risks([guard], PATTERNS, PATHS)
    assert risks.console is None
    assert risks.access_key is not None and risks.access_key.pattern == "ecs:*"


def test_annotations_are_capped():
    long = insufficient("x" * 1000)
    assert long.compliance_type == "INSUFFICIENT_DATA"
    assert len(long.annotation) == ANNOTATION_LIMIT
    assert long.annotation == "could not evaluate: " + "x" * (ANNOTATION_LIMIT - 23) + "..."


def test_without_a_deny_the_first_policy_in_grant_order_that_allows_is_named():
    """A user's own narrow grant is named before a group's broader one, even where the broader
    one has the shorter witness: the policies are asked one by one, direct attachments first."""
    risk = find_risk(
        [
            held("ecs-describe", [{"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}]),
            held("admin", [{"Effect": "Allow", "Action": "*", "Resource": "*"}], group="ops"),
        ],
        PATTERNS,
    )
    assert risk == Risk("ecs:*", "ecs:Describe", Grant(PolicyRef("ecs-describe", "Custom", "v1")))


def test_a_shared_memo_never_carries_one_users_allow_past_another_users_deny():
    """The memo keeps each policy's own answer; a user who also holds a Deny is asked as a whole."""
    allow = held("ecs-admin", [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}])
    deny = held("no-ecs", [{"Effect": "Deny", "Action": "ecs:*", "Resource": "*"}], group="locked")
    memo: dict = {}
    alone = path_risks([allow], PATTERNS, PATHS, memo)
    assert alone.console is not None and alone.console.grant == allow[0]
    assert path_risks([allow, deny], PATTERNS, PATHS, memo) == PathRisks(None, None)
    assert path_risks([allow], PATTERNS, PATHS, memo) == alone


def test_risks_with_a_shared_memo_equal_the_union_engine_over_real_policy_sets():
    """Over 300 seeded sets of Alibaba's published RAM documents (some with Deny statements):
    the same risk with and without the memo, and at risk exactly where `holds` over the union
    of the set says so, for either path."""
    documents = []
    for path in sorted((Path(__file__).parents[2] / "fixtures" / "corpora" / "ram").glob("*.json")):
        try:
            policy = parse_policy(json.loads(path.read_text(encoding="utf-8")), "ram", name=path.stem)
        except PolicyError:
            continue  # documentation templates such as `ecs:[ECS RAM Action]`
        documents.append((path.stem, policy))
    assert len(documents) > 100
    rng = random.Random(11)
    patterns = ("ecs:*", "oss:*", "ram:*", "sts:AssumeRole")
    memo: dict = {}
    with_deny = 0
    for _ in range(300):
        chosen = rng.sample(documents, rng.randint(1, 5))
        grants = [(Grant(PolicyRef(name, "System", "v1")), policy) for name, policy in chosen]
        with_deny += any(s.effect == "Deny" for _, p in chosen for s in p.statements)
        risks = path_risks(grants, patterns, PATHS, memo)
        assert risks == path_risks(grants, patterns, PATHS)
        policies = [p for _, p in chosen]
        union_console = any(
            holds(policies, p, NO_MFA_CONTEXT, OTHER_KEYS_UNKNOWN).holds for p in patterns
        )
        union_key = union_console or any(
            holds(policies, p, {}, OTHER_KEYS_UNKNOWN, absent_keys=(MFA_KEY,)).holds for p in patterns
        )
        assert (risks.console is not None, risks.access_key is not None) == (union_console, union_key)
    assert with_deny > 0  # the union path is exercised too


def test_a_shared_memo_keeps_the_console_and_access_key_answers_apart():
    """An Allow that holds only when acs:MFAPresent is absent grants key-signed calls, never a
    password sign-in (which carries it as false): one path's answer must not stand for the other's."""
    only_keys = held(
        "keys-only",
        [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*",
          "Condition": {"StringNotEquals": {"acs:MFAPresent": "false"}}}],
    )
    memo: dict = {}
    for _ in range(2):  # the second round answers from the memo
        risks = path_risks([only_keys], PATTERNS, PATHS, memo)
        assert risks.console is None
        assert risks.access_key is not None and risks.access_key.grant == only_keys[0]
    assert path_risks([only_keys], PATTERNS, PATHS) == risks
