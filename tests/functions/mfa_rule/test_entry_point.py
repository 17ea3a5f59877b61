"""The packaged FC entry point `index.handler(event, context)` end to end.

No hand-built Runtime: the settings come from the environment the MfaComplianceRule component
sets (RAM_ENDPOINT, IMS_ENDPOINT, CONFIG_ENDPOINT, TIME_BUDGET_SECONDS, RAM_RPS_PER_API, RAM_MAX_CONCURRENCY,
LOG_LEVEL), the credentials from the context, and the real SDK clients talk to the loopback
fake cloud.
"""

from __future__ import annotations

import importlib
import json
import re
import time

import pytest

from functions.common import credentials
from tests.fakes import faults
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import TEST_KEY_ID, TEST_TOKEN, change_event, context, load

# The module FC loads as `index` (functions/mfa_rule/index.py at the zip's root).
index = importlib.import_module("functions.mfa_rule.index")

ALICE_ID = "200000000000001"
ALICE_ANNOTATION = (
    "console sign-in without MFA: ecs:* allowed without MFA (e.g. ecs:X) by Custom policy ops-admin (v3) "
    "via group ops"
)
# Everything the rule reads from its environment, cleared so the developer's shell cannot leak in.
READ_VARS = (
    "RAM_ENDPOINT",
    "IMS_ENDPOINT",
    "CONFIG_ENDPOINT",
    "TIME_BUDGET_SECONDS",
    "RAM_RPS_PER_API",
    "EXEMPT_USERS",
    "RAM_MAX_CONCURRENCY",
    "LOG_LEVEL",
    "FC_REGION",
    "ALIBABA_CLOUD_REGION",
    credentials.ENV_ID,
    credentials.ENV_SECRET,
    credentials.ENV_TOKEN,
)


@pytest.fixture
def fc_env(monkeypatch: pytest.MonkeyPatch, cloud: FakeCloud) -> pytest.MonkeyPatch:
    """The component's environment, its endpoints overridden to the fake (host:port, so plain http)."""
    for name in READ_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RAM_ENDPOINT", cloud.endpoint)
    monkeypatch.setenv("IMS_ENDPOINT", cloud.endpoint)
    monkeypatch.setenv("CONFIG_ENDPOINT", cloud.endpoint)
    monkeypatch.setenv("TIME_BUDGET_SECONDS", "20")
    monkeypatch.setenv("RAM_RPS_PER_API", "100")
    monkeypatch.setenv("RAM_MAX_CONCURRENCY", "4")
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    return monkeypatch


def rule_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "baseline.mfa_rule"]


def test_change_notification_through_index_handler_reports_alice_non_compliant(cloud, fc_env, caplog):
    result = index.handler(json.dumps(change_event("alice", ALICE_ID)).encode(), context())
    evaluation = {
        "complianceResourceId": ALICE_ID,
        "complianceResourceType": "ACS::RAM::User",
        "complianceRegionId": "global",
        "complianceType": "NON_COMPLIANT",
        "annotation": ALICE_ANNOTATION,
        "orderingTimestamp": 1600610821106,
        "complianceResourceName": "alice",
        "accountId": 5123456789012345,
    }
    assert result == {
        "status": "reported",
        "messageType": "ConfigurationItemChangeNotification",
        "evaluations": [evaluation],
        "errors": [],
    }
    assert cloud.evaluations == [
        {"ResultToken": "test-result-token-change", "Evaluations": [evaluation], "DeleteMode": False}
    ]
    assert [(c.service, c.action, c.params, c.status) for c in cloud.calls[:-1]] == [
        ("ram", "GetUserMFAInfo", {"UserName": "alice"}, 404),
        ("ram", "GetLoginProfile", {"UserName": "alice"}, 200),
        ("ims", "GetSecurityPreference", {}, 200),
        ("ram", "ListAccessKeys", {"UserName": "alice"}, 200),
        ("ram", "ListPoliciesForUser", {"UserName": "alice"}, 200),
        ("ram", "ListGroupsForUser", {"UserName": "alice"}, 200),
        ("ram", "ListPoliciesForGroup", {"GroupName": "ops"}, 200),
        ("ram", "GetPolicy", {"PolicyName": "ops-admin", "PolicyType": "Custom"}, 200),
    ]
    assert (cloud.calls[-1].service, cloud.calls[-1].action, cloud.calls[-1].status) == (
        "config",
        "PutEvaluations",
        200,
    )
    # The context's STS credentials, on every call to both endpoints.
    assert {(c.access_key_id, c.security_token) for c in cloud.calls} == {(TEST_KEY_ID, TEST_TOKEN)}
    # LOG_LEVEL=INFO: the verdict line is logged.
    assert rule_lines(caplog) == [
        {
            "event": "evaluated",
            "user": "alice",
            "resource_id": ALICE_ID,
            "compliance": "NON_COMPLIANT",
            "annotation": ALICE_ANNOTATION,
            "reported": True,
        }
    ]


def test_scheduled_sweep_through_index_handler_honours_rate_concurrency_and_log_level(cloud, fc_env, caplog):
    fc_env.setenv("RAM_RPS_PER_API", "20")
    fc_env.setenv("RAM_MAX_CONCURRENCY", "2")
    fc_env.setenv("LOG_LEVEL", "WARNING")
    started = time.monotonic()
    result = index.handler(json.dumps(load("events/config_scheduled.json")), context())
    elapsed = time.monotonic() - started
    assert result == {
        "status": "reported",
        "messageType": "ScheduledNotification",
        "users": 8,
        "counts": {"COMPLIANT": 5, "INSUFFICIENT_DATA": 1, "NON_COMPLIANT": 2},
        "deleteMode": True,
        "errors": [],
        "warnings": [],
    }
    assert cloud.counts() == {
        "ListVirtualMFADevices": 1,
        "ListPolicies": 1,
        "GetPolicy": 7,
        "ListEntitiesForPolicy": 7,
        "ListUsersForGroup": 1,
        "ListUsers": 1,
        # The credential report (generation started, completed, read) answers MFA and keys.
        "GetCredentialReport": 2,
        "GenerateCredentialReport": 2,
        "GetLoginProfile": 2,
        "GetSecurityPreference": 1,
        "PutEvaluations": 1,
    }
    assert [(r["ResultToken"], len(r["Evaluations"]), r["DeleteMode"]) for r in cloud.evaluations] == [
        ("test-result-token-scheduled", 8, True)
    ]
    # RAM_RPS_PER_API=20 per API, with a burst of min(rps, RAM_MAX_CONCURRENCY) = 2 tokens: the 7
    # GetPolicy calls alone take >= (7 - 2) / 20 s, whatever the other APIs do meanwhile.
    assert elapsed >= (7 - 2) / 20
    # LOG_LEVEL=WARNING: a successful sweep logs nothing (its summary is INFO).
    assert rule_lines(caplog) == []


def test_time_budget_from_the_environment_bounds_a_hung_call_as_insufficient_data(cloud, fc_env):
    fc_env.setenv("TIME_BUDGET_SECONDS", "1")  # 0.1 s of it kept back for PutEvaluations
    cloud.break_("ListPoliciesForUser", faults.hang(5.0))
    started = time.monotonic()
    result = index.handler(json.dumps(change_event("alice", ALICE_ID)), context())
    assert time.monotonic() - started < 1.5
    assert result["status"] == "reported"
    (evaluation,) = cloud.reported()
    assert evaluation["complianceType"] == "INSUFFICIENT_DATA"
    # One attempt whose read timeout is the ~0.9 s left (the SDK default would be 10 s): the exact
    # milliseconds depend on timing, everything else is fixed.
    port = cloud.endpoint.rsplit(":", 1)[1]
    expected = (
        re.escape(
            "could not evaluate: ListPoliciesForUser failed after 1 attempts: RetryError: "
            f"{{'message': \"HTTPConnectionPool(host='127.0.0.1', port={port}): "
            "Read timed out. (read timeout="
        )
        + r"0\.[6-9]\d*\)\"\}"
    )
    assert re.fullmatch(expected, evaluation["annotation"]), evaluation["annotation"]
    assert cloud.count("ListPoliciesForUser") == 1


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("RAM_RPS_PER_API", "0", "RAM_RPS_PER_API: expected 0.1..100, got 0"),
        ("RAM_MAX_CONCURRENCY", "many", "RAM_MAX_CONCURRENCY: expected an integer, got 'many'"),
        ("TIME_BUDGET_SECONDS", "soon", "TIME_BUDGET_SECONDS: expected a number, got 'soon'"),
        (
            "LOG_LEVEL",
            "chatty",
            "LOG_LEVEL: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'chatty'",
        ),
        (
            "CONFIG_ENDPOINT",
            "http://config.example.com",
            "CONFIG_ENDPOINT: plain http is only allowed for loopback addresses, "
            "got 'http://config.example.com'",
        ),
    ],
)
def test_bad_setting_fails_the_invocation_naming_the_variable_and_calls_nothing(
    cloud, fc_env, name, value, error
):
    fc_env.setenv(name, value)
    result = index.handler(json.dumps(change_event("alice", ALICE_ID)), context())
    assert result == {"status": "failed", "reason": error}
    assert cloud.calls == []
