"""The rule's question on every credential path (DESIGN.md "Rule semantics"), over snapshots, no cloud.

Each row of the path table both ways, in both lookup orders (`evaluate`, `evaluate_risk_first`),
with the exact verdict and annotation.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from functions.common.exemptions import Exemption
from functions.mfa_rule.facts import MfaDevice, UserRef, VirtualMfaBindings
from functions.mfa_rule.rule import Rule
from functions.mfa_rule.snapshot import SnapshotFacts, parse_snapshot
from tests.fakes.fixtures import load

PATTERNS = ("ecs:*", "oss:*", "log:*")
DEVICE = {"serialNumber": "acs:ram::5123456789012345:mfa/u", "type": "VMFA"}
ADMIN = {"policyName": "AdministratorAccess", "policyType": "System", "defaultVersion": "v1"}
GUARD = {"policyName": "deny-without-mfa", "policyType": "Custom", "defaultVersion": "v1"}
POLICIES = [
    {
        **ADMIN,
        "document": {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    },
    {
        **GUARD,
        # The guard most guides recommend: it stops console sessions without MFA, not AccessKey calls.
        "document": {
            "Version": "1",
            "Statement": [
                {
                    "Effect": "Deny",
                    "NotAction": ["ram:CreateVirtualMFADevice", "ram:BindMFADevice", "ram:GetUserMFAInfo"],
                    "Resource": "*",
                    "Condition": {"Bool": {"acs:MFAPresent": "false"}},
                }
            ],
        },
    },
]
KEY = "LTAI5tEXAMPLEKEY01"
ADMIN_BY = "by System policy AdministratorAccess (v1)"


def _facts(*, device=None, login=None, keys=(), policies=(ADMIN,), preference="independent"):
    user = {
        "userName": "u",
        "userId": "1",
        "mfaDevice": device,
        "loginProfile": login,
        "accessKeys": [{"accessKeyId": k, "status": s} for k, s in keys],
        "policies": list(policies),
    }
    snapshot = {
        "accountId": "5123456789012345",
        "securityPreference": {"mfaOperationForLogin": preference},
        "users": [user],
        "groups": [],
        "policies": POLICIES,
    }
    return SnapshotFacts(parse_snapshot(snapshot))


def _both(facts: SnapshotFacts, rule: Rule | None = None) -> tuple[str, str]:
    rule = rule or Rule(PATTERNS)
    first, risk_first = rule.evaluate(facts, "u"), rule.evaluate_risk_first(facts, "u")
    assert (first.compliance_type, first.annotation) == (risk_first.compliance_type, risk_first.annotation)
    return first.compliance_type, first.annotation


PASSWORD = {"mfaBindRequired": False}
BIND_REQUIRED = {"mfaBindRequired": True}

PATH_TABLE: list[tuple[str, dict[str, Any], tuple[str, str]]] = [
    (
        "device + active key + admin: the key is a path without MFA",
        {"device": DEVICE, "login": PASSWORD, "keys": [(KEY, "Active")]},
        ("NON_COMPLIANT", f"AccessKey {KEY}: ecs:* allowed without MFA (e.g. ecs:X) {ADMIN_BY}"),
    ),
    (
        "device + inactive key: nothing is open",
        {"device": DEVICE, "login": PASSWORD, "keys": [(KEY, "Inactive")]},
        ("COMPLIANT", "no path without MFA: MFA device bound (VMFA); no active AccessKey"),
    ),
    (
        "admin + Bool MFAPresent=false guard + active key: the guard does not stop key-signed calls",
        {"login": PASSWORD, "keys": [(KEY, "Active")], "policies": (ADMIN, GUARD)},
        ("NON_COMPLIANT", f"AccessKey {KEY}: ecs:* allowed without MFA (e.g. ecs:X) {ADMIN_BY}"),
    ),
    (
        "admin + guard, no key, no device: the console is denied",
        {"login": PASSWORD, "policies": (ADMIN, GUARD)},
        (
            "COMPLIANT",
            "none of ecs:*, oss:*, log:* is allowed without MFA to console sign-in (no active AccessKey)",
        ),
    ),
    (
        "MFABindRequired without a key: sign-in forces a device",
        {"login": BIND_REQUIRED},
        (
            "COMPLIANT",
            "no path without MFA: console sign-in must bind an MFA device (login profile); no "
            "active AccessKey",
        ),
    ),
    (
        "MFABindRequired with a key: the key is still open",
        {"login": BIND_REQUIRED, "keys": [(KEY, "Active")]},
        ("NON_COMPLIANT", f"AccessKey {KEY}: ecs:* allowed without MFA (e.g. ecs:X) {ADMIN_BY}"),
    ),
    (
        "the account forces MFA at every console sign-in",
        {"login": PASSWORD, "preference": "mandatory"},
        (
            "COMPLIANT",
            "no path without MFA: the account requires MFA at every console sign-in; no active AccessKey",
        ),
    ),
    (
        "adaptive login MFA is not a second factor on every sign-in",
        {"login": PASSWORD, "preference": "adaptive"},
        ("NON_COMPLIANT", f"console sign-in without MFA: ecs:* allowed without MFA (e.g. ecs:X) {ADMIN_BY}"),
    ),
    (
        "no login profile counts as open, even in a mandatory account",
        {"login": None, "preference": "mandatory"},
        ("NON_COMPLIANT", f"console sign-in without MFA: ecs:* allowed without MFA (e.g. ecs:X) {ADMIN_BY}"),
    ),
    (
        "both paths open on one risk are named together",
        {"login": PASSWORD, "keys": [(KEY, "Active"), ("LTAI5tEXAMPLEKEY02", "Active")]},
        (
            "NON_COMPLIANT",
            f"console sign-in without MFA, AccessKey {KEY}, AccessKey LTAI5tEXAMPLEKEY02: ecs:* allowed "
            f"without MFA (e.g. ecs:X) {ADMIN_BY}",
        ),
    ),
]


@pytest.mark.parametrize(
    ("facts", "expected"), [row[1:] for row in PATH_TABLE], ids=[r[0] for r in PATH_TABLE]
)
def test_path_table_row(facts, expected):
    assert _both(_facts(**facts)) == expected


def test_nothing_dangerous_granted_is_compliant_with_open_paths_named_or_unneeded():
    """Credential facts first names the open paths; policies first never needs to look them up."""
    facts = _facts(login=PASSWORD, keys=[(KEY, "Active")], policies=())
    rule = Rule(PATTERNS)
    first, risk_first = rule.evaluate(facts, "u"), rule.evaluate_risk_first(facts, "u")
    assert (first.compliance_type, first.annotation) == (
        "COMPLIANT",
        f"none of ecs:*, oss:*, log:* is allowed without MFA to console sign-in, AccessKey {KEY}",
    )
    assert (risk_first.compliance_type, risk_first.annotation) == (
        "COMPLIANT",
        "none of ecs:*, oss:*, log:* is allowed without MFA (console sign-in, AccessKeys)",
    )


def test_console_only_reproduces_the_device_only_check():
    console = Rule(PATTERNS, ("console",))
    with_key = _facts(device=DEVICE, login=PASSWORD, keys=[(KEY, "Active")])
    without_device = _facts(login=PASSWORD, keys=[(KEY, "Active")])
    assert _both(with_key, console) == ("COMPLIANT", "no path without MFA: MFA device bound (VMFA)")
    assert _both(without_device, console) == (
        "NON_COMPLIANT",
        f"console sign-in without MFA: ecs:* allowed without MFA (e.g. ecs:X) {ADMIN_BY}",
    )


def test_access_key_only_ignores_the_console():
    keys_only = Rule(PATTERNS, ("accessKey",))
    assert _both(_facts(login=PASSWORD), keys_only) == (
        "COMPLIANT",
        "no path without MFA: no active AccessKey",
    )


def test_finding_detail_names_path_key_pattern_witness_and_policy():
    verdict = Rule(PATTERNS).evaluate(_facts(device=DEVICE, login=PASSWORD, keys=[(KEY, "Active")]), "u")
    assert verdict.detail == {
        "mfaDevice": DEVICE,
        "accessKeys": [{"accessKeyId": KEY, "status": "Active"}],
        "findings": [
            {
                "path": "accessKey",
                "accessKeyId": KEY,
                "pattern": "ecs:*",
                "witness": "ecs:X",
                "policyName": "AdministratorAccess",
                "policyType": "System",
                "group": None,
            }
        ],
    }


TODAY = datetime.date(2026, 12, 2)
BREAK_GLASS = Exemption("u", "secops@example.com", "break-glass account", datetime.date(2026, 12, 31))
LAPSED = Exemption("u", "secops@example.com", "migration", datetime.date(2026, 12, 1))


def test_an_exempt_user_is_compliant_with_owner_reason_and_expiry_without_lookups():
    rule = Rule(PATTERNS, exemptions=(BREAK_GLASS,), today=TODAY)
    verdict = rule.evaluate(_facts(login=PASSWORD, keys=[(KEY, "Active")]), "u")
    assert (verdict.compliance_type, verdict.annotation) == (
        "COMPLIANT",
        "exempt until 2026-12-31: break-glass account (secops@example.com)",
    )
    assert verdict.detail == {
        "exemption": {
            "owner": "secops@example.com",
            "reason": "break-glass account",
            "expires": "2026-12-31",
            "active": True,
        }
    }


def test_an_exemption_applies_through_its_last_day_and_not_after():
    facts = _facts(login=PASSWORD)
    assert Rule(PATTERNS, exemptions=(LAPSED,), today=datetime.date(2026, 12, 1)).evaluate(
        facts, "u"
    ).compliance_type == ("COMPLIANT")
    expired = Rule(PATTERNS, exemptions=(LAPSED,), today=TODAY).evaluate(facts, "u")
    assert expired.compliance_type == "NON_COMPLIANT"
    assert expired.detail is not None and expired.detail["exemption"]["active"] is False


def test_a_user_missing_from_the_source_is_not_applicable_in_either_order():
    facts = SnapshotFacts(parse_snapshot(load("snapshots/account.json")))
    rule = Rule(PATTERNS)
    for evaluate in (rule.evaluate, rule.evaluate_risk_first):
        result = evaluate(facts, "mallory")
        assert (result.compliance_type, result.annotation) == (
            "NOT_APPLICABLE",
            "the RAM user no longer exists",
        )


def test_orders_agree_for_every_fixture_user():
    facts = SnapshotFacts(parse_snapshot(load("snapshots/account.json")))
    rule = Rule(PATTERNS)
    first = {u.name: rule.evaluate(facts, u.name).compliance_type for u in facts.users()}
    risk_first = {u.name: rule.evaluate_risk_first(facts, u.name).compliance_type for u in facts.users()}
    assert first == risk_first
    assert first == {
        "alice": "NON_COMPLIANT",
        "bob": "COMPLIANT",
        "carol": "COMPLIANT",
        "dave": "NON_COMPLIANT",
        "erin": "COMPLIANT",
        "frank": "COMPLIANT",
        "grace": "INSUFFICIENT_DATA",
        "heidi": "COMPLIANT",
    }


def test_virtual_bindings_match_by_name_and_by_id_when_both_are_known():
    device = MfaDevice("acs:ram::1:mfa/alice", "VMFA")
    bindings = VirtualMfaBindings.of([(UserRef("alice", "101"), device), (UserRef("bob", ""), device)])
    assert bindings.device_for(UserRef("alice", "101")) == device
    # Same name, another id: a user re-created after the device's owner was deleted has no device.
    assert bindings.device_for(UserRef("alice", "999")) is None
    assert bindings.device_for(UserRef("bob", "202")) == device  # listing without an id: name decides
    assert bindings.device_for(UserRef("carol", "303")) is None
    assert len(bindings) == 2 and len(VirtualMfaBindings()) == 0
