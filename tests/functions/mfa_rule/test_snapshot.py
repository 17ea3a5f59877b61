"""Account snapshots: errors name the document path; the snapshot facts source answers like RAM."""

from __future__ import annotations

import pytest

from functions.mfa_rule.facts import BadPolicyDocument, MfaDevice, PolicyRef, UserGone
from functions.mfa_rule.rule import Rule
from functions.mfa_rule.snapshot import SnapshotError, SnapshotFacts, load_snapshot, parse_snapshot
from tests.fakes.fixtures import load


def broken(mutate) -> dict:
    data = load("snapshots/account.json")
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "field", "reason"),
    [
        (lambda d: d.pop("accountId"), "accountId", "missing"),
        (
            lambda d: d["users"][3]["policies"][0].pop("policyName"),
            "users[3].policies[0].policyName",
            "missing",
        ),
        (
            lambda d: d["users"][0].update(groups=["nope"]),
            "users[0].groups[0]",
            "unknown group 'nope' (not in groups)",
        ),
        (
            lambda d: d["users"][1]["mfaDevice"].pop("serialNumber"),
            "users[1].mfaDevice.serialNumber",
            "missing",
        ),
        (
            lambda d: d["policies"][0].update(policyType="Managed"),
            "policies[0].policyType",
            "expected System or Custom, got 'Managed'",
        ),
        (
            lambda d: d["groups"][0]["policies"][0].update(policyName="ghost"),
            "groups[0].policies[0]",
            "no document for Custom policy ghost in policies",
        ),
        (lambda d: d["users"].append(dict(d["users"][0])), "users[8].userName", "duplicate user 'alice'"),
        (
            lambda d: d["users"][0]["loginProfile"].update(mfaBindRequired="yes"),
            "users[0].loginProfile.mfaBindRequired",
            "expected true or false",
        ),
    ],
)
def test_malformed_snapshot_errors_name_the_path(mutate, field, reason):
    with pytest.raises(SnapshotError) as info:
        parse_snapshot(broken(mutate))
    assert (info.value.field, info.value.reason) == (field, reason)


def test_invalid_json_names_the_source():
    with pytest.raises(SnapshotError, match=r"^snap\.json: not valid JSON"):
        load_snapshot("{", source="snap.json")


def test_snapshot_facts_answer_like_the_ram_api():
    facts = SnapshotFacts(parse_snapshot(load("snapshots/account.json")))
    assert facts.user_groups("alice") == ("ops",)
    assert facts.group_policies("ops") == (PolicyRef("ops-admin", "Custom", "v3"),)
    assert facts.group_policies("deleted-group") == ()
    assert facts.mfa_device("bob") == MfaDevice("acs:ram::5123456789012345:mfa/bob", "VMFA")
    with pytest.raises(UserGone):
        facts.user_policies("nobody")
    with pytest.raises(BadPolicyDocument, match=r"Statement\[0\]\.Effect"):
        facts.policy(PolicyRef("broken", "Custom", "v1"))


def test_same_decision_code_over_the_snapshot():
    facts = SnapshotFacts(parse_snapshot(load("snapshots/account.json")))
    verdicts = {
        u: Rule(("ecs:*", "oss:*", "log:*")).evaluate(facts, u).compliance_type
        for u in ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "gone")
    }
    assert verdicts == {
        "alice": "NON_COMPLIANT",
        "bob": "COMPLIANT",
        "carol": "COMPLIANT",
        "dave": "NON_COMPLIANT",
        "erin": "COMPLIANT",
        "frank": "COMPLIANT",
        "grace": "INSUFFICIENT_DATA",
        "heidi": "COMPLIANT",
        "gone": "NOT_APPLICABLE",
    }
