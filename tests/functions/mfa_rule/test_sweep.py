"""Scheduled sweeps: one ListVirtualMFADevices call, GetUserMFAInfo only for users at risk without one.

Real SDK clients over loopback HTTP against the fake RAM/Config server.
"""

from __future__ import annotations

import json

from functions.mfa_rule.handler import handle
from functions.mfa_rule.rule import evaluate_user
from functions.mfa_rule.snapshot import SnapshotFacts, parse_snapshot
from tests.fakes import faults
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import TEST_TOKEN, context, load, synthetic_account
from tests.functions.conftest import Sleeps, rule_runtime

PATTERNS = ("ecs:*", "oss:*", "log:*")


def run_sweep(cloud: FakeCloud, sleeps: Sleeps | None = None) -> dict:
    return handle(json.dumps(load("events/config_scheduled.json")), context(), rule_runtime(cloud, sleeps))


def verdicts(cloud: FakeCloud) -> dict[str, str]:
    return {e["complianceResourceName"]: e["complianceType"] for e in cloud.reported()}


def users_asked(cloud: FakeCloud, action: str) -> list[str]:
    return sorted(c.params["UserName"] for c in cloud.calls if c.action == action)


# The fixture account: bob has a virtual device; alice (group ecs:*), dave (NotAction ram:*) and
# heidi (oss:*) are at risk; grace's policy does not parse; carol, erin, frank are not at risk.
FIXTURE_VERDICTS = {
    "alice": "NON_COMPLIANT",
    "bob": "COMPLIANT",
    "carol": "COMPLIANT",
    "dave": "NON_COMPLIANT",
    "erin": "COMPLIANT",
    "frank": "COMPLIANT",
    "grace": "INSUFFICIENT_DATA",
    "heidi": "NON_COMPLIANT",
}


def test_sweep_lists_virtual_devices_once_and_confirms_only_users_at_risk_without_one(cloud):
    result = run_sweep(cloud)
    assert result["status"] == "reported" and result["warnings"] == []
    assert verdicts(cloud) == FIXTURE_VERDICTS
    assert cloud.count("ListVirtualMFADevices") == 1
    # At risk without a virtual device (grace: unreadable policy, so her device decides if she has one).
    assert users_asked(cloud, "GetUserMFAInfo") == ["alice", "dave", "grace", "heidi"]
    # bob's virtual device decides alone: no call names him.
    assert all(c.params.get("UserName") != "bob" for c in cloud.calls)
    assert users_asked(cloud, "ListPoliciesForUser") == sorted(set(FIXTURE_VERDICTS) - {"bob"})
    assert cloud.count("GetLoginProfile") == 0  # annotation-only, left out of sweeps
    bob = next(e for e in cloud.reported() if e["complianceResourceName"] == "bob")
    assert bob["annotation"] == "MFA device bound (VMFA)"


def test_sweep_over_250_users_spends_one_listing_and_mfa_calls_only_on_the_non_compliant():
    account = synthetic_account(250, groups=5, policies=10)
    virtual = {u["userName"] for u in account["users"] if u["mfaDevice"]}
    with FakeCloud(account, expected_token=TEST_TOKEN) as cloud:
        result = run_sweep(cloud)
        reported = verdicts(cloud)
        non_compliant = sorted(name for name, kind in reported.items() if kind == "NON_COMPLIANT")
        assert result["status"] == "reported" and result["users"] == 250
        assert cloud.count("ListVirtualMFADevices") == 1
        # No U2F in this account, so every user at risk without a virtual device is NON_COMPLIANT.
        assert users_asked(cloud, "GetUserMFAInfo") == non_compliant
        assert len(non_compliant) > 100
        assert users_asked(cloud, "ListPoliciesForUser") == sorted(set(reported) - virtual)
        assert {name for name in virtual if reported[name] != "COMPLIANT"} == set()
    # Same verdicts as the device-first order the offline evaluator and change notifications use.
    facts = SnapshotFacts(parse_snapshot(account))
    assert reported == {
        u.name: evaluate_user(facts, u.name, PATTERNS).compliance_type for u in facts.snapshot.users
    }


def test_user_with_only_a_u2f_key_and_dangerous_policies_is_compliant(cloud):
    cloud.account.bind_mfa("alice", "acs:ram::5123456789012345:u2f/alice", kind="U2F")
    run_sweep(cloud)
    alice = next(e for e in cloud.reported() if e["complianceResourceName"] == "alice")
    assert alice["complianceType"] == "COMPLIANT"
    assert alice["annotation"] == (
        "MFA device bound (U2F); ecs:* allowed without MFA (e.g. ecs:X) by Custom policy ops-admin (v3) "
        "via group ops"
    )
    assert "alice" in users_asked(cloud, "GetUserMFAInfo")  # the virtual listing does not show U2F


def test_u2f_user_whose_policy_does_not_parse_is_compliant_as_in_a_change_notification(cloud):
    cloud.account.bind_mfa("grace", "acs:ram::5123456789012345:u2f/grace", kind="U2F")
    run_sweep(cloud)
    assert verdicts(cloud)["grace"] == "COMPLIANT"


def test_unbound_virtual_devices_are_ignored(cloud):
    cloud.account.create_unbound_vmfa("acs:ram::5123456789012345:mfa/spare")
    run_sweep(cloud)
    assert verdicts(cloud) == FIXTURE_VERDICTS
    assert users_asked(cloud, "GetUserMFAInfo") == ["alice", "dave", "grace", "heidi"]


def test_virtual_listing_down_falls_back_to_per_user_confirmation_with_the_same_verdicts(cloud, sleeps):
    cloud.break_("ListVirtualMFADevices", faults.UNAVAILABLE)
    result = run_sweep(cloud, sleeps)
    assert verdicts(cloud) == FIXTURE_VERDICTS
    assert cloud.count("ListVirtualMFADevices") == 4  # retried, then given up
    # bob is at risk through group ops: his device is now confirmed one by one.
    assert users_asked(cloud, "GetUserMFAInfo") == ["alice", "bob", "dave", "grace", "heidi"]
    assert result["status"] == "reported" and result["errors"] == []
    assert result["deleteMode"] is True  # every user was listed and evaluated
    listing_id = [c.request_id for c in cloud.calls if c.action == "ListVirtualMFADevices"][-1]
    assert result["warnings"] == [
        "virtual MFA listing unavailable, devices confirmed per user: ListVirtualMFADevices failed "
        "after 4 attempts: HTTP 503 ServiceUnavailable: The request has failed due to a temporary "
        f"failure of the server. (request id {listing_id})"
    ]


def test_virtual_listing_and_mfa_info_both_down_never_make_users_at_risk_compliant(cloud, sleeps):
    cloud.break_("ListVirtualMFADevices", faults.UNAVAILABLE)
    cloud.break_("GetUserMFAInfo", faults.UNAVAILABLE)
    run_sweep(cloud, sleeps)
    reported = verdicts(cloud)
    # Users at risk (bob included: his device cannot be seen) cannot be decided.
    assert {n for n, kind in reported.items() if kind == "INSUFFICIENT_DATA"} == {
        "alice",
        "bob",
        "dave",
        "grace",
        "heidi",
    }
    # Not at risk: no device needed, so the MFA outage does not matter to them.
    assert {n for n, kind in reported.items() if kind == "COMPLIANT"} == {"carol", "erin", "frank"}
    evaluations = {e["complianceResourceName"]: e["annotation"] for e in cloud.reported()}
    alice_id = [
        c.request_id for c in cloud.calls if c.action == "GetUserMFAInfo" and c.params["UserName"] == "alice"
    ][-1]
    assert evaluations["alice"] == (
        "could not evaluate: GetUserMFAInfo failed after 4 attempts: HTTP 503 ServiceUnavailable: "
        f"The request has failed due to a temporary failure of the server. (request id {alice_id})"
    )
    # grace's first failure (her policy) is the reason given, not the device lookup after it.
    assert evaluations["grace"] == (
        "could not evaluate: Custom policy broken (v1) does not parse: "
        "Statement[0].Effect: expected Allow or Deny"
    )


def test_user_deleted_after_listing_is_not_applicable_in_a_sweep(cloud):
    # ListUsers names the user, then their first per-user lookup finds them gone.
    cloud.inject("ListPoliciesForUser", faults.error(404, "EntityNotExist.User", "The user does not exist."))
    run_sweep(cloud)
    gone = next(
        c.params["UserName"] for c in cloud.calls if c.action == "ListPoliciesForUser" and c.status == 404
    )
    assert verdicts(cloud) == {**FIXTURE_VERDICTS, gone: "NOT_APPLICABLE"}
