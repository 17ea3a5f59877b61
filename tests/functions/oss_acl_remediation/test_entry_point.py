"""The packaged FC entry point `index.handler(event, context)` end to end.

No hand-built Runtime: the settings come from the environment the NonComplianceRemediation
component sets (RULE_NAME, DRY_RUN, OSS_ENDPOINT, TIME_BUDGET_SECONDS, LOG_LEVEL), the
credentials from the context, and oss2 talks to the loopback fake OSS.
"""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Iterator

import pytest

from functions.common import credentials
from tests.fakes import faults
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import TEST_KEY_ID, TEST_TOKEN, context, load
from tests.functions.oss_acl_remediation.test_handler_e2e import RULE, audit_lines, mns

# The module FC loads as `index` (functions/oss_acl_remediation/index.py at the zip's root).
index = importlib.import_module("functions.oss_acl_remediation.index")

READ_VARS = (
    "RULE_NAME",
    "DRY_RUN",
    "OSS_ENDPOINT",
    "TIME_BUDGET_SECONDS",
    "LOG_LEVEL",
    "ACCOUNT_ID",
    "EXEMPT_BUCKETS",
    credentials.ENV_ID,
    credentials.ENV_SECRET,
    credentials.ENV_TOKEN,
)
# What the handler reports about the fixture's Config event, whatever it then does.
EVENT_FIELDS = {
    "rule": RULE,
    "bucket": "config-snapshot",
    "resourceType": "ACS::OSS::Bucket",
    "region": "ap-southeast-1",
    "account": "5123456789012345",
    "complianceType": "NON_COMPLIANT",
    "delivery": "json",
}


@pytest.fixture
def oss() -> Iterator[FakeCloud]:
    with FakeCloud(load("snapshots/account.json"), expected_token=TEST_TOKEN) as fake:
        fake.account.add_bucket("config-snapshot", "public-read", "ap-southeast-1")
        yield fake


@pytest.fixture
def fc_env(monkeypatch: pytest.MonkeyPatch, oss: FakeCloud) -> pytest.MonkeyPatch:
    """The component's environment, OSS_ENDPOINT overridden to the fake (host:port, so plain http)."""
    for name in READ_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RULE_NAME", RULE)
    monkeypatch.setenv("OSS_ENDPOINT", oss.endpoint)
    monkeypatch.setenv("TIME_BUDGET_SECONDS", "10")
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    return monkeypatch


def test_non_compliant_bucket_event_through_index_handler_makes_the_bucket_private(oss, fc_env, caplog):
    result = index.handler(mns(), context())
    expected = {
        **EVENT_FIELDS,
        "dryRun": False,
        "previousAcl": "public-read",
        "status": "remediated",
        "newAcl": "private",
        "reason": "ACL changed from public-read to private",
    }
    assert result == expected
    assert oss.account.buckets["config-snapshot"] == {"acl": "private", "region": "ap-southeast-1"}
    assert [(c.service, c.action, c.params, c.status) for c in oss.calls] == [
        ("oss", "GetBucketAcl", {"bucket": "config-snapshot"}, 200),
        ("oss", "PutBucketAcl", {"bucket": "config-snapshot", "acl": "private"}, 200),
    ]
    assert {(c.access_key_id, c.security_token) for c in oss.calls} == {(TEST_KEY_ID, TEST_TOKEN)}
    assert audit_lines(caplog) == [{"event": "oss_acl_remediation", "request_id": "test-request", **expected}]


def test_dry_run_from_the_environment_reads_but_never_writes(oss, fc_env):
    fc_env.setenv("DRY_RUN", "true")
    oss.account.buckets["config-snapshot"]["acl"] = "public-read-write"
    result = index.handler(mns(), context())
    assert result == {
        **EVENT_FIELDS,
        "dryRun": True,
        "previousAcl": "public-read-write",
        "status": "dry_run",
        "reason": "would set the ACL from public-read-write to private",
    }
    assert [c.action for c in oss.calls] == ["GetBucketAcl"]
    assert oss.account.buckets["config-snapshot"]["acl"] == "public-read-write"


def test_event_of_another_rule_than_rule_name_is_ignored_without_a_call(oss, fc_env):
    fc_env.setenv("RULE_NAME", "some-other-rule")
    result = index.handler(mns(), context())
    assert result == {
        **EVENT_FIELDS,
        "dryRun": False,
        "status": "ignored",
        "reason": f"rule {RULE!r} is not the remediated rule 'some-other-rule'",
    }
    assert oss.calls == []


def test_time_budget_from_the_environment_bounds_a_hung_read_and_changes_nothing(oss, fc_env):
    fc_env.setenv("TIME_BUDGET_SECONDS", "1")
    oss.break_("GetBucketAcl", faults.hang(5.0))
    started = time.monotonic()
    result = index.handler(mns(), context())
    assert time.monotonic() - started < 1.5
    assert {k: v for k, v in result.items() if k != "reason"} == {
        **EVENT_FIELDS,
        "dryRun": False,
        "status": "failed",
    }
    # One attempt, its timeout the ~1 s left (not oss2's 10 s); the exact fraction depends on timing.
    port = oss.endpoint.rsplit(":", 1)[1]
    expected = (
        re.escape(
            "RetriesExhausted: RequestError: {'status': -2, 'x-oss-request-id': '', 'details': "
            f"\"RequestError: HTTPConnectionPool(host='127.0.0.1', port={port}): Read timed out. "
            "(read timeout="
        )
        + r"0\.[6-9]\d*\)\"\}"
    )
    assert re.fullmatch(expected, result["reason"]), result["reason"]
    assert [c.action for c in oss.calls] == ["GetBucketAcl"]
    assert oss.account.buckets["config-snapshot"]["acl"] == "public-read"


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("DRY_RUN", "maybe", "DRY_RUN: expected true or false, got 'maybe'"),
        (
            "OSS_ENDPOINT",
            "http://oss.example.com",
            "OSS_ENDPOINT: plain http is only allowed for loopback addresses, got 'http://oss.example.com'",
        ),
        ("RULE_NAME", " ", "RULE_NAME: missing (the Config rule whose events this function remediates)"),
    ],
)
def test_bad_setting_fails_with_one_audit_line_naming_the_variable_and_calls_nothing(
    oss, fc_env, caplog, name, value, reason
):
    fc_env.setenv(name, value)
    result = index.handler(mns(), context())
    assert result == {"status": "failed", "reason": reason}
    assert oss.calls == []
    assert audit_lines(caplog) == [
        {"event": "oss_acl_remediation", "request_id": "test-request", "status": "failed", "reason": reason}
    ]
