"""Scheduled sweeps: the account read as a graph, credential facts only for users at risk.

Real SDK clients over loopback HTTP against the fake RAM/IMS/Config server.
"""

from __future__ import annotations

import json
import time

from functions.mfa_rule.handler import handle
from functions.mfa_rule.rule import Rule
from functions.mfa_rule.snapshot import SnapshotFacts, parse_snapshot
from tests.fakes import faults
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import TEST_TOKEN, context, load, synthetic_account
from tests.functions.conftest import Sleeps, rule_runtime

PATTERNS = ("ecs:*", "oss:*", "log:*")
# The fake's report of tests/fixtures/snapshots/account.json (logon names, N/A blanks, <root> first).
REPORT_OF_FIXTURE = "\n".join(
    [
        "user,password_exist,mfa_active,access_key_1_active,access_key_2_active",
        "<root>,N/A,true,N/A,N/A",
        *(
            f"{name}@5123456789012345.onaliyun.com,{password},{mfa},N/A,N/A"
            for name, password, mfa in [
                ("alice", "true", "false"),
                ("bob", "true", "true"),
                ("carol", "false", "false"),
                ("dave", "false", "false"),
                ("erin", "true", "false"),
                ("frank", "false", "false"),
                ("grace", "false", "false"),
                ("heidi", "true", "false"),
            ]
        ),
    ]
)


def run_sweep(cloud: FakeCloud, sleeps: Sleeps | None = None, **overrides: object) -> dict:
    runtime = rule_runtime(cloud, sleeps, **overrides)
    return handle(json.dumps(load("events/config_scheduled.json")), context(), runtime)


def verdicts(cloud: FakeCloud) -> dict[str, str]:
    return {e["complianceResourceName"]: e["complianceType"] for e in cloud.reported()}


def users_asked(cloud: FakeCloud, action: str) -> list[str]:
    return sorted(c.params["UserName"] for c in cloud.calls if c.action == action)


def offline(account: dict) -> dict[str, str]:
    """The change-notification order over the same account, without the cloud."""
    facts = SnapshotFacts(parse_snapshot(account))
    return {u.name: Rule(PATTERNS).evaluate(facts, u.name).compliance_type for u in facts.snapshot.users}


# The fixture account: bob has a virtual device; alice (group ecs:*) and dave (NotAction ram:*)
# are at risk without one; heidi must bind a device at sign-in; grace's policy does not parse;
# carol, erin and frank are allowed nothing dangerous without MFA.
FIXTURE_VERDICTS = {
    "alice": "NON_COMPLIANT",
    "bob": "COMPLIANT",
    "carol": "COMPLIANT",
    "dave": "NON_COMPLIANT",
    "erin": "COMPLIANT",
    "frank": "COMPLIANT",
    "grace": "INSUFFICIENT_DATA",
    "heidi": "COMPLIANT",
}


def test_sweep_reads_the_graph_once_and_credentials_only_of_users_at_risk(cloud):
    result = run_sweep(cloud)
    assert result["status"] == "reported" and result["warnings"] == [] and result["deleteMode"] is True
    assert verdicts(cloud) == FIXTURE_VERDICTS == offline(load("snapshots/account.json"))
    assert cloud.counts() == {
        "ListVirtualMFADevices": 1,
        "ListPolicies": 1,
        "GetPolicy": 7,
        "ListEntitiesForPolicy": 7,  # every attached policy here has a Deny or a dangerous Allow
        "ListUsersForGroup": 1,
        "ListUsers": 1,
        # A fresh credential report answers MFA, password and keys for everyone: no
        # GetUserMFAInfo, no ListAccessKeys; GetLoginProfile only for passwords that exist.
        "GetCredentialReport": 2,
        "GenerateCredentialReport": 2,
        "GetLoginProfile": 2,
        "GetSecurityPreference": 1,
        "PutEvaluations": 1,
    }
    assert users_asked(cloud, "GetLoginProfile") == ["alice", "heidi"]
    bob = next(e for e in cloud.reported() if e["complianceResourceName"] == "bob")
    assert bob["annotation"] == "no path without MFA: MFA device bound (VMFA); no active AccessKey"


def test_where_the_account_forces_mfa_at_every_sign_in_a_sweep_reads_no_login_profile(cloud):
    """The report says who has a password; `mandatory` login MFA closes their console path, so
    MFABindRequired is moot. Dave has no password: sign-ins without one (SSO) stay open."""
    cloud.account.mfa_operation_for_login = "mandatory"
    run_sweep(cloud)
    account = load("snapshots/account.json")
    account["securityPreference"] = {"mfaOperationForLogin": "mandatory"}
    assert verdicts(cloud) == {**FIXTURE_VERDICTS, "alice": "COMPLIANT"} == offline(account)
    assert (cloud.count("GetLoginProfile"), cloud.count("GetSecurityPreference")) == (0, 1)
    annotations = {e["complianceResourceName"]: e["annotation"] for e in cloud.reported()}
    forced = "no path without MFA: the account requires MFA at every console sign-in; no active AccessKey"
    assert annotations["alice"] == annotations["heidi"] == forced


def test_a_user_who_must_bind_a_device_is_annotated_alike_by_a_sweep_and_a_change(cloud):
    """Heidi's profile requires binding and the account forces MFA: both orders name the account's
    setting, so a change notification does not rewrite the sweep's annotation."""
    cloud.account.mfa_operation_for_login = "mandatory"
    run_sweep(cloud)
    swept = next(e for e in cloud.reported() if e["complianceResourceName"] == "heidi")
    account = load("snapshots/account.json")
    account["securityPreference"] = {"mfaOperationForLogin": "mandatory"}
    alone = Rule(PATTERNS).evaluate(SnapshotFacts(parse_snapshot(account)), "heidi")
    assert (alone.compliance_type, alone.annotation) == (swept["complianceType"], swept["annotation"])


def test_an_unreadable_security_preference_fails_only_the_users_whose_verdict_needs_it(cloud, sleeps):
    """Heidi's own profile requires binding a device, which closes her console path either way;
    alice's verdict depends on the account's setting, so it cannot be established."""
    cloud.break_("GetSecurityPreference", faults.UNAVAILABLE)
    run_sweep(cloud, sleeps)
    annotations = {e["complianceResourceName"]: e["annotation"] for e in cloud.reported()}
    assert (verdicts(cloud)["heidi"], annotations["heidi"]) == (
        "COMPLIANT",
        "no path without MFA: console sign-in must bind an MFA device (login profile); no active AccessKey",
    )
    assert verdicts(cloud)["alice"] == "INSUFFICIENT_DATA"
    assert "GetSecurityPreference" in annotations["alice"]


def test_the_inventory_asks_who_holds_a_policy_while_other_policies_are_still_being_read(cloud):
    """Each API has its own quota, so the listings overlap instead of waiting for every GetPolicy;
    the verdicts (and the policy each annotation names) stay those of the fixture."""
    run_sweep(cloud, max_concurrency=2)
    order = [c.action for c in cloud.calls]
    last_read = max(i for i, action in enumerate(order) if action == "GetPolicy")
    assert order.index("ListEntitiesForPolicy") < last_read
    assert verdicts(cloud) == FIXTURE_VERDICTS


def test_sweep_over_120_users_matches_the_per_user_order_without_per_user_policy_reads():
    account = synthetic_account(120, groups=5, policies=10)
    with FakeCloud(account, expected_token=TEST_TOKEN, quota_per_second=None) as cloud:
        result = run_sweep(cloud)
        reported = verdicts(cloud)
        assert result["status"] == "reported" and result["users"] == 120
        assert reported == offline(account)
        assert cloud.count("ListPoliciesForUser") == cloud.count("ListGroupsForUser") == 0
        virtual = {u["userName"] for u in account["users"] if u["mfaDevice"]}
        assert not set(users_asked(cloud, "GetUserMFAInfo")) & virtual


def test_an_active_access_key_is_found_in_a_sweep_and_named(cloud):
    cloud.account.set_access_key("bob", "LTAI5tBOB")
    run_sweep(cloud)
    bob = next(e for e in cloud.reported() if e["complianceResourceName"] == "bob")
    assert (bob["complianceType"], bob["annotation"]) == (
        "NON_COMPLIANT",
        "AccessKey LTAI5tBOB: ecs:* allowed without MFA (e.g. ecs:X) by Custom policy ops-admin "
        "(v3) via group ops",
    )


def test_user_with_only_a_u2f_key_and_dangerous_policies_is_compliant(cloud):
    cloud.account.bind_mfa("alice", "acs:ram::5123456789012345:u2f/alice", kind="U2F")
    run_sweep(cloud)
    alice = next(e for e in cloud.reported() if e["complianceResourceName"] == "alice")
    # The virtual listing does not show U2F keys; the credential report's mfa_active does.
    assert (alice["complianceType"], alice["annotation"]) == (
        "COMPLIANT",
        "no path without MFA: MFA device bound; no active AccessKey",
    )
    assert cloud.count("GetUserMFAInfo") == 0


def test_without_the_report_a_u2f_key_is_found_per_user(cloud, sleeps):
    cloud.break_("GenerateCredentialReport", faults.UNAVAILABLE)
    cloud.account.bind_mfa("alice", "acs:ram::5123456789012345:u2f/alice", kind="U2F")
    result = run_sweep(cloud, sleeps)
    alice = next(e for e in cloud.reported() if e["complianceResourceName"] == "alice")
    assert alice["annotation"] == "no path without MFA: MFA device bound (U2F); no active AccessKey"
    assert "alice" in users_asked(cloud, "GetUserMFAInfo")
    assert [w.split(":")[0] for w in result["warnings"]] == [
        "credential report not used, credentials read per user"
    ]


def test_a_stale_report_that_cannot_be_regenerated_is_not_used(cloud):
    """Older than CREDENTIAL_REPORT_MAX_AGE_SECONDS, regenerated at most every 4 hours: per-user calls."""
    cloud.account.credential_report = (
        time.time() - 2 * 3600,
        "user,password_exist,mfa_active\nalice,false,true",
    )
    result = run_sweep(cloud, credential_report_max_age_seconds=3600.0)
    assert verdicts(cloud) == FIXTURE_VERDICTS
    assert result["warnings"] == [
        "credential report not used, credentials read per user: the credential report is 120 minutes old "
        "(more than 60) and cannot be regenerated yet"
    ]
    assert users_asked(cloud, "GetUserMFAInfo") == ["alice", "dave", "grace", "heidi"]


def test_a_fresh_report_is_used_as_it_is_without_generating_one(cloud):
    cloud.account.credential_report = (time.time() - 60, REPORT_OF_FIXTURE)
    run_sweep(cloud)
    assert cloud.count("GenerateCredentialReport") == 0 and cloud.count("GetCredentialReport") == 1
    assert verdicts(cloud) == FIXTURE_VERDICTS


def test_a_report_row_older_than_its_user_is_a_deleted_namesakes_and_is_not_used(cloud):
    """The report (keyed by name) says alice has a device; this alice was created after it and has
    none, so her facts are read per user and she is NON_COMPLIANT, not COMPLIANT."""
    cloud.account.credential_report = (
        time.time() - 300,
        REPORT_OF_FIXTURE.replace(
            "alice@5123456789012345.onaliyun.com,true,false", "alice@5123456789012345.onaliyun.com,true,true"
        ),
    )
    cloud.account.users["alice"].created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    run_sweep(cloud)
    assert verdicts(cloud) == FIXTURE_VERDICTS
    assert users_asked(cloud, "GetUserMFAInfo") == ["alice"]


def test_without_a_readable_creation_date_no_report_row_is_trusted_and_the_sweep_says_so(cloud):
    for user in cloud.account.users.values():
        user.created = "yesterday"
    result = run_sweep(cloud)
    assert verdicts(cloud) == FIXTURE_VERDICTS
    assert result["warnings"] == [
        "credential report not used for 8 users whose ListUsers CreateDate is unreadable (a row "
        "could be a deleted namesake's): their credentials read per user"
    ]
    assert cloud.count("GetUserMFAInfo") > 0


def test_unbound_virtual_devices_are_ignored(cloud):
    cloud.account.create_unbound_vmfa("acs:ram::5123456789012345:mfa/spare")
    run_sweep(cloud)
    assert verdicts(cloud) == FIXTURE_VERDICTS


def test_virtual_listing_down_falls_back_to_per_user_confirmation_with_the_same_verdicts(cloud, sleeps):
    cloud.break_("ListVirtualMFADevices", faults.UNAVAILABLE)
    cloud.break_("GetCredentialReport", faults.UNAVAILABLE)
    result = run_sweep(cloud, sleeps)
    assert verdicts(cloud) == FIXTURE_VERDICTS
    assert "bob" in users_asked(cloud, "GetUserMFAInfo")
    assert result["status"] == "reported" and result["errors"] == [] and result["deleteMode"] is True
    listing_id = [c.request_id for c in cloud.calls if c.action == "ListVirtualMFADevices"][-1]
    assert result["warnings"][:1] == [
        "virtual MFA listing unavailable, devices confirmed per user: ListVirtualMFADevices failed "
        "after 4 attempts: HTTP 503 ServiceUnavailable: The request has failed due to a temporary "
        f"failure of the server. (request id {listing_id})"
    ]


def test_inventory_down_falls_back_to_per_user_policy_reads_with_the_same_verdicts(cloud, sleeps):
    cloud.break_("ListPolicies", faults.UNAVAILABLE)
    result = run_sweep(cloud, sleeps)
    assert verdicts(cloud) == FIXTURE_VERDICTS
    assert cloud.count("ListPoliciesForUser") == 8  # policies first, user by user
    assert result["deleteMode"] is True
    assert [w.split(":")[0] for w in result["warnings"]] == [
        "policy inventory unavailable, policies read per user"
    ]


def test_a_marker_that_never_advances_stops_the_sweep_partial_without_delete_mode(cloud):
    page = {
        "IsTruncated": True,
        "Marker": "page-1",
        "Users": {
            "User": [
                {"UserName": "alice", "UserId": "200000000000001"},
                {"UserName": "bob", "UserId": "200000000000002"},
            ]
        },
    }
    cloud.replace("ListUsers", lambda params: page)
    result = run_sweep(cloud)
    assert cloud.count("ListUsers") == 2
    assert result["status"] == "partial" and result["deleteMode"] is False
    assert result["errors"] == [
        "user listing incomplete: ListUsers: the listing does not advance (Marker 'page-1' again)"
    ]
    # What was established is still reported, each user once.
    assert sorted(e["complianceResourceName"] for e in cloud.reported()) == ["alice", "bob"]
    assert [r["DeleteMode"] for r in cloud.evaluations] == [False]


def test_a_throttling_storm_never_makes_a_user_at_risk_compliant(sleeps):
    """RAM answering Throttling.User to most calls: retries with backoff, then INSUFFICIENT_DATA."""
    account = synthetic_account(25, groups=2, policies=5)
    calm = offline(account)
    with FakeCloud(account, expected_token=TEST_TOKEN, quota_per_second=3) as cloud:
        result = run_sweep(cloud, sleeps)  # backoff is recorded, not slept: a storm
        stormy = verdicts(cloud)
        assert cloud.throttled > 0
    assert result["users"] == 25
    assert sleeps.calls  # the retries backed off
    assert all(stormy[u] in (kind, "INSUFFICIENT_DATA") for u, kind in calm.items() if kind != "COMPLIANT")
    assert "INSUFFICIENT_DATA" in stormy.values()


def test_holders_of_an_unreadable_policy_are_insufficient_data_with_the_reason(cloud):
    run_sweep(cloud)
    grace = next(e for e in cloud.reported() if e["complianceResourceName"] == "grace")
    assert grace["annotation"] == (
        "could not evaluate: Custom policy broken (v1) does not parse: Statement[0].Effect: "
        "expected Allow or Deny"
    )


def test_user_deleted_after_listing_is_not_applicable_in_a_sweep(cloud):
    # ListUsers names the user, then their first per-user lookup finds them gone.
    cloud.inject("GetLoginProfile", faults.error(404, "EntityNotExist.User", "The user does not exist."))
    run_sweep(cloud)
    gone = next(
        c.params["UserName"] for c in cloud.calls if c.action == "GetLoginProfile" and c.status == 404
    )
    assert verdicts(cloud) == {**FIXTURE_VERDICTS, gone: "NOT_APPLICABLE"}
