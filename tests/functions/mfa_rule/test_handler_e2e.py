"""The MFA rule end to end: real SDK clients over loopback HTTP against the fake RAM/Config server."""

from __future__ import annotations

import dataclasses
import json
import re
import time

import pytest

from functions.common.retry import RetryPolicy
from functions.mfa_rule.handler import handle
from tests.fakes import faults
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import TEST_KEY_ID, TEST_TOKEN, change_event, context, load, synthetic_account
from tests.functions.conftest import Sleeps, rule_runtime

USERS = {u["userName"]: u["userId"] for u in load("snapshots/account.json")["users"]}


def invoke(cloud: FakeCloud, user: str, sleeps: Sleeps | None = None, **settings: object) -> dict:
    event = json.dumps(change_event(user, USERS[user])).encode()
    return handle(event, context(), rule_runtime(cloud, sleeps, **settings))


def only_evaluation(cloud: FakeCloud) -> dict:
    reported = cloud.reported()
    assert len(reported) == 1
    return reported[0]


def last_request_id(cloud: FakeCloud, action: str) -> str:
    """The RequestId the fake answered the last `action` call with (error messages quote it)."""
    return [c.request_id for c in cloud.calls if c.action == action][-1]


UNAVAILABLE = "HTTP 503 ServiceUnavailable: The request has failed due to a temporary failure of the server."


def test_group_grants_ecs_without_mfa_device_is_non_compliant_naming_pattern_witness_policy_group(cloud):
    result = invoke(cloud, "alice")
    evaluation = only_evaluation(cloud)
    assert result["status"] == "reported"
    assert evaluation["complianceType"] == "NON_COMPLIANT"
    assert evaluation["complianceResourceId"] == "200000000000001"
    assert evaluation["complianceResourceName"] == "alice"
    assert evaluation["complianceResourceType"] == "ACS::RAM::User"
    assert evaluation["complianceRegionId"] == "global"
    assert evaluation["orderingTimestamp"] == 1600610821106
    assert evaluation["accountId"] == 5123456789012345
    # ops-admin allows ecs:*; the witness is the pattern's concrete stand-in action ecs:X.
    assert evaluation["annotation"] == (
        "console sign-in without MFA: ecs:* allowed without MFA (e.g. ecs:X) by Custom policy "
        "ops-admin (v3) via group ops"
    )
    assert cloud.evaluations[0]["ResultToken"] == "test-result-token-change"
    assert cloud.evaluations[0]["DeleteMode"] is False


def test_same_group_grant_with_an_mfa_device_is_compliant(cloud):
    invoke(cloud, "bob")
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "COMPLIANT"
    assert evaluation["annotation"] == "no path without MFA: MFA device bound (VMFA); no active AccessKey"
    # A bound device and no active key: no path is open, so the policies are not even read.
    assert [c.action for c in cloud.calls] == ["GetUserMFAInfo", "ListAccessKeys", "PutEvaluations"]


def test_alice_becomes_compliant_once_she_binds_a_device(cloud):
    cloud.account.bind_mfa("alice", "acs:ram::5123456789012345:mfa/alice")
    invoke(cloud, "alice")
    assert only_evaluation(cloud)["complianceType"] == "COMPLIANT"


def test_allow_everything_minus_deny_of_every_dangerous_service_is_compliant(cloud):
    invoke(cloud, "carol")
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "COMPLIANT"
    assert evaluation["annotation"] == (
        "none of ecs:*, oss:*, log:* is allowed without MFA to console sign-in (no active AccessKey)"
    )
    # Without a device the login profile says whether the console is open: one lookup, then the policies.
    assert cloud.count("GetLoginProfile") == 1


def test_allow_notaction_ram_grants_ecs_so_non_compliant(cloud):
    invoke(cloud, "dave")
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "NON_COMPLIANT"
    # The first dangerous pattern is named, with a concrete ecs action as the witness.
    assert evaluation["annotation"] == (
        "console sign-in without MFA: ecs:* allowed without MFA (e.g. ecs:X) by Custom policy "
        "everything-but-ram (v1)"
    )


def test_ecs_granted_only_when_mfa_present_is_compliant(cloud):
    invoke(cloud, "erin")
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "COMPLIANT"
    assert evaluation["annotation"] == (
        "none of ecs:*, oss:*, log:* is allowed without MFA to console sign-in (no active AccessKey)"
    )
    # Credential facts first (the console is open, no key), then the policies of the open path.
    assert [c.action for c in cloud.calls] == [
        "GetUserMFAInfo",
        "GetLoginProfile",
        "GetSecurityPreference",
        "ListAccessKeys",
        "ListPoliciesForUser",
        "ListGroupsForUser",
        "GetPolicy",
        "PutEvaluations",
    ]


def test_group_deleted_meanwhile_grants_nothing(cloud):
    gone = faults.error(404, "EntityNotExist.Group", "The group does not exist.")
    cloud.inject("ListPoliciesForGroup", gone)
    invoke(cloud, "alice")
    evaluation = only_evaluation(cloud)
    assert (evaluation["complianceType"], evaluation["annotation"]) == (
        "COMPLIANT",
        "none of ecs:*, oss:*, log:* is allowed without MFA to console sign-in (no active AccessKey)",
    )
    assert cloud.count("GetPolicy") == 0


def test_group_policies_unreadable_is_insufficient_data_not_compliant(cloud, sleeps):
    cloud.break_("ListPoliciesForGroup", faults.UNAVAILABLE)
    invoke(cloud, "alice", sleeps)
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "INSUFFICIENT_DATA"
    assert evaluation["annotation"] == (
        f"could not evaluate: ListPoliciesForGroup failed after 4 attempts: {UNAVAILABLE} "
        f"(request id {last_request_id(cloud, 'ListPoliciesForGroup')})"
    )


def test_login_profile_requiring_binding_closes_the_console_as_alibabas_own_check_does(cloud):
    """Alibaba's managed `ram-user-mfa-check` counts MFABindRequired as compliant: sign-in forces a device."""
    invoke(cloud, "heidi")
    evaluation = only_evaluation(cloud)
    assert (evaluation["complianceType"], evaluation["annotation"]) == (
        "COMPLIANT",
        "no path without MFA: console sign-in must bind an MFA device (login profile); no active AccessKey",
    )
    cloud.reset_calls()
    cloud.account.set_access_key("heidi", "LTAI5tHEIDI")
    invoke(cloud, "heidi")
    assert only_evaluation(cloud)["annotation"] == (
        "AccessKey LTAI5tHEIDI: oss:* allowed without MFA (e.g. oss:X) by System policy "
        "AliyunOSSFullAccess (v1)"
    )


def test_policy_document_that_does_not_parse_is_insufficient_data_with_the_path(cloud):
    invoke(cloud, "grace")
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "INSUFFICIENT_DATA"
    assert evaluation["annotation"] == (
        "could not evaluate: Custom policy broken (v1) does not parse: "
        "Statement[0].Effect: expected Allow or Deny"
    )


def test_user_deleted_meanwhile_is_not_applicable(cloud):
    cloud.account.delete_user("alice")
    invoke(cloud, "alice")
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "NOT_APPLICABLE"
    assert evaluation["annotation"] == "the RAM user no longer exists"


def test_throttled_twice_then_fine_gives_the_correct_verdict_after_two_backoffs(cloud, sleeps):
    cloud.inject("ListPoliciesForUser", faults.THROTTLE, faults.THROTTLE)
    invoke(cloud, "alice", sleeps)
    assert only_evaluation(cloud)["complianceType"] == "NON_COMPLIANT"
    assert cloud.count("ListPoliciesForUser") == 3
    assert len(sleeps.calls) == 2
    # Full jitter under a capped exponential: retry n waits at most min(cap, base * 2**n).
    assert 0 <= sleeps.calls[0] <= 0.01 and 0 <= sleeps.calls[1] <= 0.02


def test_server_errors_reset_connections_and_hangs_are_retried(cloud, sleeps):
    cloud.inject("ListGroupsForUser", faults.UNAVAILABLE, faults.RESET)
    cloud.inject("GetPolicy", faults.INTERNAL, faults.hang(1.0))
    invoke(cloud, "alice", sleeps)
    assert only_evaluation(cloud)["complianceType"] == "NON_COMPLIANT"
    assert cloud.count("ListGroupsForUser") == 3
    assert cloud.count("GetPolicy") == 3
    assert len(sleeps.calls) == 4


def test_ram_down_is_insufficient_data_never_compliant(cloud, sleeps):
    cloud.break_("ram", faults.UNAVAILABLE)
    result = invoke(cloud, "carol", sleeps)
    evaluation = only_evaluation(cloud)
    assert result["status"] == "reported"
    assert evaluation["complianceType"] == "INSUFFICIENT_DATA"
    assert evaluation["annotation"] == (
        f"could not evaluate: GetUserMFAInfo failed after 4 attempts: {UNAVAILABLE} "
        f"(request id {last_request_id(cloud, 'GetUserMFAInfo')})"
    )
    assert cloud.count("GetUserMFAInfo") == 4


def test_access_denied_is_not_retried_and_is_insufficient_data(cloud, sleeps):
    cloud.break_("GetUserMFAInfo", faults.error(403, "NoPermission", "not authorized"))
    invoke(cloud, "alice", sleeps)
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "INSUFFICIENT_DATA"
    assert evaluation["annotation"] == (
        "could not evaluate: GetUserMFAInfo failed: HTTP 403 NoPermission: not authorized "
        f"(request id {last_request_id(cloud, 'GetUserMFAInfo')})"
    )
    assert cloud.count("GetUserMFAInfo") == 1
    assert sleeps.calls == []


def test_time_budget_exhausted_by_hangs_is_insufficient_data(cloud):
    cloud.break_("ListPoliciesForUser", faults.hang(0.5))
    # 1 s budget with a 0.1 s reserve for reporting: the rule gives up instead of running over.
    started = time.monotonic()
    invoke(cloud, "alice", Sleeps(), time_budget_seconds=1.0, retry=RetryPolicy(100, 0.01, 0.02))
    assert time.monotonic() - started < 1.0
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "INSUFFICIENT_DATA"
    # Only the attempt count and the last (time-capped) read timeout depend on timing: either the
    # next backoff would overrun the budget, or the budget is too short to start another attempt.
    attempts = cloud.count("ListPoliciesForUser")
    port = cloud.endpoint.rsplit(":", 1)[1]
    gave_up = (
        re.escape(
            f"could not evaluate: ListPoliciesForUser failed after {attempts} attempts: RetryError: "
            f"{{'message': \"HTTPConnectionPool(host='127.0.0.1', port={port}): "
            "Read timed out. (read timeout="
        )
        + r"0\.\d+\)\"\}"
    )
    out_of_time = re.escape(
        f"could not evaluate: ListPoliciesForUser: time budget exhausted after {attempts} attempts"
    )
    assert re.fullmatch(f"{gave_up}|{out_of_time}", evaluation["annotation"]), evaluation["annotation"]
    assert attempts >= 2


def test_every_call_carries_the_context_sts_credentials(cloud):
    invoke(cloud, "alice")
    assert cloud.calls
    assert {(c.access_key_id, c.security_token) for c in cloud.calls} == {(TEST_KEY_ID, TEST_TOKEN)}


def test_policy_documents_are_fetched_once_per_warm_container_and_refetched_when_changed(cloud):
    invoke(cloud, "alice")
    invoke(cloud, "alice")  # a warm container: same group policy, same default version
    assert cloud.count("GetPolicy") == 1
    assert cloud.count("ListPoliciesForGroup") == 2  # attachments are re-read every invocation
    cloud.account.set_policy(
        "Custom",
        "ops-admin",
        "v4",
        {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "vpc:*", "Resource": "*"}]},
    )
    invoke(cloud, "alice")
    assert cloud.count("GetPolicy") == 2
    assert cloud.reported()[-1]["complianceType"] == "COMPLIANT"


def test_oversized_item_is_fetched_with_get_discovered_resource(cloud):
    cloud.account.add_discovered(
        "200000000000004",
        "ACS::RAM::User",
        {"ResourceName": "dave", "Configuration": json.dumps({"UserName": "dave"}), "ResourceDeleted": 0},
    )
    result = handle(json.dumps(load("events/config_oversize.json")), context(), rule_runtime(cloud))
    assert result["status"] == "reported"
    evaluation = only_evaluation(cloud)
    assert (evaluation["complianceResourceName"], evaluation["complianceType"]) == ("dave", "NON_COMPLIANT")
    get = [c for c in cloud.calls if c.action == "GetDiscoveredResource"]
    assert [c.params for c in get] == [
        {"ResourceId": "200000000000004", "ResourceType": "ACS::RAM::User", "Region": "global"}
    ]


def test_oversized_item_that_cannot_be_fetched_is_insufficient_data(cloud):
    handle(json.dumps(load("events/config_oversize.json")), context(), rule_runtime(cloud))
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "INSUFFICIENT_DATA"
    assert evaluation["annotation"] == (
        "could not evaluate: oversized item: GetDiscoveredResource failed: HTTP 404 ResourceNotExists: "
        "The resource does not exist: 200000000000004. "
        f"(request id {last_request_id(cloud, 'GetDiscoveredResource')})"
    )


def test_bad_rule_parameter_on_a_named_resource_reports_insufficient_data_naming_the_parameter(cloud):
    event = change_event("alice", USERS["alice"], ruleParameters={"dangerousActions": "ecs:*,ecs*"})
    result = handle(json.dumps(event), context(), rule_runtime(cloud))
    assert result["status"] == "reported"
    evaluation = only_evaluation(cloud)
    assert evaluation["complianceType"] == "INSUFFICIENT_DATA"
    assert evaluation["annotation"] == (
        "could not evaluate: rule parameter "
        "ruleParameters.dangerousActions[1]: 'ecs*' is not 'service:action'"
    )
    assert cloud.count(service="ram") == 0


def test_resource_of_another_type_is_not_applicable_without_ram_calls(cloud):
    event = change_event("alice", USERS["alice"])
    event["invokingEvent"]["configurationItem"]["resourceType"] = "ACS::ECS::Instance"
    handle(json.dumps(event), context(), rule_runtime(cloud))
    assert only_evaluation(cloud)["complianceType"] == "NOT_APPLICABLE"
    assert cloud.count(service="ram") == 0


def test_put_evaluations_failing_after_retries_is_a_failed_invocation(cloud, sleeps):
    cloud.break_("PutEvaluations", faults.UNAVAILABLE)
    result = invoke(cloud, "alice", sleeps)
    assert result["status"] == "failed"
    assert result["errors"] == [
        f"batch 1/1: {UNAVAILABLE} (request id {last_request_id(cloud, 'PutEvaluations')})"
    ]
    assert cloud.count("PutEvaluations") == 4


def test_scheduled_run_over_250_users_reads_three_pages_and_reports_everyone_with_delete_mode_last():
    account = synthetic_account(210, groups=5, policies=10)
    # Backoff sleeps are recorded, not slept, so the limiter cannot pace: RAM's quota is off here.
    with FakeCloud(account, expected_token=TEST_TOKEN, default_page_size=100, quota_per_second=None) as cloud:
        runtime = rule_runtime(cloud, list_page_size=100)
        result = handle(json.dumps(load("events/config_scheduled.json")), context(), runtime)
        list_calls = [c.params for c in cloud.calls if c.action == "ListUsers"]
        assert list_calls == [
            {"MaxItems": "100"},
            {"MaxItems": "100", "Marker": "page-100"},
            {"MaxItems": "100", "Marker": "page-200"},
        ]
        assert [len(r["Evaluations"]) for r in cloud.evaluations] == [100, 100, 10]
        assert [r["DeleteMode"] for r in cloud.evaluations] == [False, False, True]
        reported = cloud.reported()
        assert sorted(e["complianceResourceName"] for e in reported) == [f"user-{u:04d}" for u in range(210)]
        assert {e["orderingTimestamp"] for e in reported} == {1600614421106}
        assert result["status"] == "reported" and result["users"] == 210 and result["deleteMode"] is True
        assert sum(result["counts"].values()) == 210
        # The inventory: every policy document read once, holders asked only for the 6 of 10 that
        # could matter (kinds 0, 1, 3 of the synthetic account), members once per group, never per user.
        assert cloud.count("GetPolicy") == 10
        assert cloud.count("ListEntitiesForPolicy") == 6
        assert cloud.count("ListUsersForGroup") == 5
        assert cloud.count("ListPoliciesForUser") == cloud.count("ListPoliciesForGroup") == 0


def test_scheduled_run_with_an_unreadable_page_reports_who_it_could_but_never_deletes(sleeps):
    account = synthetic_account(150, groups=2, policies=5)
    with FakeCloud(account, expected_token=TEST_TOKEN, quota_per_second=None) as cloud:
        cloud.inject("ListUsers", *([faults.latency(0)] + [faults.UNAVAILABLE] * 4))
        result = handle(
            json.dumps(load("events/config_scheduled.json")),
            context(),
            rule_runtime(cloud, sleeps, list_page_size=100),
        )
        assert result["status"] == "partial"
        assert result["users"] == 100
        assert result["errors"] == [
            f"user listing incomplete: ListUsers failed after 4 attempts: {UNAVAILABLE} "
            f"(request id {last_request_id(cloud, 'ListUsers')})"
        ]
        assert [r["DeleteMode"] for r in cloud.evaluations] == [False]


def test_scheduled_run_never_sends_delete_mode_after_a_lost_batch(sleeps):
    account = synthetic_account(110, groups=2, policies=5)
    with FakeCloud(account, expected_token=TEST_TOKEN) as cloud:
        cloud.inject("PutEvaluations", *[faults.UNAVAILABLE] * 4)
        result = handle(
            json.dumps(load("events/config_scheduled.json")), context(), rule_runtime(cloud, sleeps)
        )
        assert result["status"] == "partial"
        assert [len(r["Evaluations"]) for r in cloud.evaluations] == [10]
        assert [r["DeleteMode"] for r in cloud.evaluations] == [False]


def test_sweep_respects_the_configured_request_rate():
    account = synthetic_account(30, groups=2, policies=4)
    with FakeCloud(account, expected_token=TEST_TOKEN) as cloud:
        started = time.monotonic()
        cloud.account.report_pending = True  # the credential report completes at once: no poll wait
        # The limiter must really wait here, so this runtime sleeps for real.
        runtime = dataclasses.replace(rule_runtime(cloud, rps_per_api=60.0), sleep=time.sleep)
        result = handle(json.dumps(load("events/config_scheduled.json")), context(), runtime)
        elapsed = time.monotonic() - started
        busiest = max(n for action, n in cloud.counts().items() if action != "PutEvaluations")
    # Per API: a burst of min(rps, concurrency) = 8 tokens, then 60 per second.
    assert result["status"] == "reported" and cloud.throttled == 0
    assert busiest >= 15
    assert elapsed >= (busiest - 8) / 60.0


BAD_JSON = "not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"
MALFORMED = [
    (b"", "event", "empty"),
    (b"\xff\xfe", "event", "not UTF-8 (invalid start byte at byte 0)"),
    (b"{not json", "event", BAD_JSON),
    (b"[1, 2]", "event", "expected a JSON object, got array"),
    (json.dumps({"invokingEvent": {}, "orderingTimestamp": 1}), "resultToken", "missing"),
    (
        json.dumps({"resultToken": "t", "invokingEvent": {"messageType": "ScheduledNotification"}}),
        "orderingTimestamp",
        "missing (and no invokingEvent.notificationCreationTimestamp or configurationItem.captureTime)",
    ),
    (
        json.dumps({"resultToken": "t", "orderingTimestamp": "soon", "invokingEvent": {}}),
        "orderingTimestamp",
        "expected epoch milliseconds, got 'soon'",
    ),
    (
        json.dumps({"resultToken": "t", "orderingTimestamp": 1, "invokingEvent": "{"}),
        "invokingEvent",
        BAD_JSON,
    ),
    (
        json.dumps(
            {"resultToken": "t", "orderingTimestamp": 1, "invokingEvent": {"messageType": "Whenever"}}
        ),
        "invokingEvent.messageType",
        "expected one of ConfigurationItemChangeNotification, ScheduledNotification, Manual, got 'Whenever'",
    ),
    (
        json.dumps(
            {
                "resultToken": "t",
                "orderingTimestamp": 1,
                "invokingEvent": {"messageType": "ConfigurationItemChangeNotification"},
            }
        ),
        "invokingEvent.configurationItem",
        "missing (a change notification names the resource)",
    ),
    (
        json.dumps(
            {
                "resultToken": "t",
                "orderingTimestamp": 1,
                "invokingEvent": {
                    "messageType": "ConfigurationItemChangeNotification",
                    "configurationItem": {"resourceType": "ACS::RAM::User", "regionId": "global"},
                },
            }
        ),
        "invokingEvent.configurationItem.resourceId",
        "missing",
    ),
    (
        json.dumps(
            {
                "resultToken": "t",
                "orderingTimestamp": 1,
                "invokingEvent": {
                    "messageType": "ConfigurationItemChangeNotification",
                    "configurationItem": {
                        "resourceId": "1",
                        "resourceType": "ACS::RAM::User",
                        "regionId": "global",
                        "configuration": "{oops",
                    },
                },
            }
        ),
        "invokingEvent.configurationItem.configuration",
        BAD_JSON,
    ),
    (
        json.dumps(
            {
                "resultToken": "t",
                "orderingTimestamp": 1,
                "ruleParameters": {"dangerousActions": "ecs:*,"},
                "invokingEvent": {"messageType": "ScheduledNotification"},
            }
        ),
        "ruleParameters.dangerousActions[1]",
        "empty (stray comma?)",
    ),
]


@pytest.mark.parametrize(
    ("event", "field", "reason"), MALFORMED, ids=[m[1] + ":" + m[2][:20] for m in MALFORMED]
)
def test_malformed_event_is_rejected_naming_the_field_and_reported_nowhere(
    cloud, event, field, reason, caplog
):
    result = handle(event, context(), rule_runtime(cloud))
    assert (result["status"], result["field"], result["reason"]) == ("rejected", field, reason)
    assert cloud.calls == []
    logged = [json.loads(r.getMessage()) for r in caplog.records if r.name.startswith("baseline")]
    assert logged[-1]["field"] == field


def test_a_lost_reply_that_a_retry_confirms_is_reported(cloud, sleeps):
    cloud.inject("PutEvaluations", faults.lost_reply())
    result = invoke(cloud, "alice", sleeps)
    assert result["status"] == "reported" and result["errors"] == []
    # Written twice, the same result both times: harmless, and Config holds it.
    assert [e["complianceResourceName"] for e in cloud.reported()] == ["alice", "alice"]


def test_every_reply_lost_is_unconfirmed_not_failed(cloud, sleeps):
    """Issue 10 defect 6: Config has the results; the function cannot know it, and says so."""
    cloud.break_("PutEvaluations", faults.lost_reply())
    result = invoke(cloud, "alice", sleeps)
    assert result["status"] == "unconfirmed"
    assert len(result["errors"]) == 1 and result["errors"][0].startswith(
        "batch 1/1: unconfirmed, the reply was lost"
    )
    assert {e["complianceResourceName"] for e in cloud.reported()} == {"alice"}


def test_a_sweep_never_sends_delete_mode_after_an_unconfirmed_batch(sleeps):
    account = synthetic_account(110, groups=2, policies=5)
    with FakeCloud(account, expected_token=TEST_TOKEN, quota_per_second=None) as cloud:
        cloud.inject("PutEvaluations", *[faults.lost_reply()] * 4)  # every attempt of the first batch
        result = handle(
            json.dumps(load("events/config_scheduled.json")), context(), rule_runtime(cloud, sleeps)
        )
        assert result["status"] == "unconfirmed" and result["deleteMode"] is False
        assert [(len(r["Evaluations"]), r["DeleteMode"]) for r in cloud.evaluations] == [(100, False)] * 4 + [
            (10, False)
        ]
