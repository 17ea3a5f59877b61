"""Both lookup orders of one user's evaluation reach the same verdict (over account snapshots, no cloud)."""

from __future__ import annotations

import pytest

from functions.mfa_rule.facts import MfaDevice, UserRef, VirtualMfaBindings
from functions.mfa_rule.rule import evaluate_user, evaluate_user_risk_first
from functions.mfa_rule.snapshot import SnapshotFacts, parse_snapshot
from tests.fakes.fixtures import load

PATTERNS = ("ecs:*", "oss:*", "log:*")
DEVICES = {
    "none": None,
    "virtual": {"serialNumber": "acs:ram::5123456789012345:mfa/x", "type": "VMFA"},
    "u2f": {"serialNumber": "acs:ram::5123456789012345:u2f/x", "type": "U2F"},
}


@pytest.mark.parametrize("device", list(DEVICES))
def test_risk_first_and_device_first_agree_for_every_fixture_user(device):
    snapshot = load("snapshots/account.json")
    for user in snapshot["users"]:
        user["mfaDevice"] = DEVICES[device]
    facts = SnapshotFacts(parse_snapshot(snapshot))
    device_first = {u.name: evaluate_user(facts, u.name, PATTERNS).compliance_type for u in facts.users()}
    risk_first = {
        u.name: evaluate_user_risk_first(facts, u.name, PATTERNS).compliance_type for u in facts.users()
    }
    assert risk_first == device_first
    if device != "none":
        # A bound device makes everyone compliant, even grace whose policy does not parse.
        assert set(risk_first.values()) == {"COMPLIANT"}


def test_risk_first_names_the_risk_next_to_the_device_and_skips_the_device_when_not_at_risk():
    snapshot = load("snapshots/account.json")
    facts = SnapshotFacts(parse_snapshot(snapshot))
    bob = evaluate_user_risk_first(facts, "bob", PATTERNS)
    assert bob.compliance_type == "COMPLIANT"
    assert bob.annotation == (
        "MFA device bound (VMFA); ecs:* allowed without MFA (e.g. ecs:X) by Custom policy ops-admin (v3) "
        "via group ops"
    )
    carol = evaluate_user_risk_first(facts, "carol", PATTERNS)
    assert carol.annotation == "none of ecs:*, oss:*, log:* is allowed without MFA"


def test_a_user_missing_from_the_source_is_not_applicable_in_either_order():
    facts = SnapshotFacts(parse_snapshot(load("snapshots/account.json")))
    for evaluate in (evaluate_user, evaluate_user_risk_first):
        result = evaluate(facts, "mallory", PATTERNS)
        assert (result.compliance_type, result.annotation) == (
            "NOT_APPLICABLE",
            "the RAM user no longer exists",
        )


def test_virtual_bindings_match_by_name_and_by_id_when_both_are_known():
    device = MfaDevice("acs:ram::1:mfa/alice", "VMFA")
    bindings = VirtualMfaBindings.of([(UserRef("alice", "101"), device), (UserRef("bob", ""), device)])
    assert bindings.device_for(UserRef("alice", "101")) == device
    # Same name, another id: a user re-created after the device's owner was deleted has no device.
    assert bindings.device_for(UserRef("alice", "999")) is None
    assert bindings.device_for(UserRef("bob", "202")) == device  # listing without an id: name decides
    assert bindings.device_for(UserRef("carol", "303")) is None
    assert len(bindings) == 2 and len(VirtualMfaBindings()) == 0
