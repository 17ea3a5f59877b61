"""The remediation end to end: oss2 over loopback HTTP against the fake OSS, one audit line per event."""

from __future__ import annotations

import base64
import copy
import datetime
import json

import pytest

from functions.common.env import Endpoint
from functions.common.exemptions import Exemption
from functions.common.retry import RetryPolicy
from functions.oss_acl_remediation.handler import Runtime, handle
from functions.oss_acl_remediation.settings import Settings
from tests.fakes import faults
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import ACCOUNT_ID, TEST_KEY_ID, TEST_TOKEN, context, load
from tests.functions.conftest import Sleeps

RULE = "oss-bucket-public-read-prohibited"
CONFIG_EVENT = load("events/config_noncompliance_oss.json")


@pytest.fixture
def oss() -> FakeCloud:
    with FakeCloud(load("snapshots/account.json"), expected_token=TEST_TOKEN) as fake:
        fake.account.add_bucket("config-snapshot", "public-read", "ap-southeast-1")
        yield fake


def runtime(
    cloud: FakeCloud, sleeps: Sleeps | None = None, today: datetime.date | None = None, **overrides: object
) -> Runtime:
    values: dict[str, object] = {
        "rule_name": RULE,
        "oss_endpoint": Endpoint(cloud.endpoint, "http"),
        "timeout": 0.3,
        "retry": RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05),
        "time_budget_seconds": 10.0,
    }
    values.update(overrides)
    day = today or datetime.date(2026, 12, 2)
    return Runtime(Settings(**values), sleep=sleeps or Sleeps(), today=lambda: day)  # type: ignore[arg-type]


def mns(event: dict | None = None, **qualifier: str) -> bytes:
    """The JSON delivery format of an MNS topic trigger, wrapping a (modified) Config event."""
    body = copy.deepcopy(event or CONFIG_EVENT)
    body["evaluationResultIdentifier"]["evaluationResultQualifier"].update(qualifier)
    return json.dumps({**load("events/mns_json.json"), "Message": json.dumps(body)}).encode()


def audit_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "baseline.oss_acl_remediation"]


def test_public_read_bucket_is_made_private_with_sts_credentials_and_one_audit_line(oss, caplog):
    result = handle(mns(), context(), runtime(oss))
    assert result["status"] == "remediated"
    assert (result["previousAcl"], result["newAcl"]) == ("public-read", "private")
    assert oss.account.buckets["config-snapshot"]["acl"] == "private"
    assert [(c.action, c.params) for c in oss.calls] == [
        ("GetBucketAcl", {"bucket": "config-snapshot"}),
        ("PutBucketAcl", {"bucket": "config-snapshot", "acl": "private"}),
    ]
    assert {(c.access_key_id, c.security_token) for c in oss.calls} == {(TEST_KEY_ID, TEST_TOKEN)}
    lines = audit_lines(caplog)
    assert len(lines) == 1
    assert lines[0]["event"] == "oss_acl_remediation"
    assert (lines[0]["status"], lines[0]["bucket"], lines[0]["request_id"]) == (
        "remediated",
        "config-snapshot",
        "test-request",
    )


def test_stream_delivery_with_base64_body_is_remediated_too(oss):
    raw = json.dumps(load("events/mns_stream_attrs.json")).encode()
    assert handle(raw, context(), runtime(oss))["status"] == "remediated"
    raw = base64.b64encode(json.dumps(CONFIG_EVENT).encode())
    oss.account.buckets["config-snapshot"]["acl"] = "public-read-write"
    result = handle(raw, context(), runtime(oss))
    assert (result["status"], result["previousAcl"], result["delivery"]) == (
        "remediated",
        "public-read-write",
        "stream",
    )


def test_already_private_bucket_is_a_noop_without_a_write(oss):
    oss.account.buckets["config-snapshot"]["acl"] = "private"
    result = handle(mns(), context(), runtime(oss))
    assert result["status"] == "noop"
    assert [c.action for c in oss.calls] == ["GetBucketAcl"]


def test_dry_run_reads_but_does_not_write(oss, caplog):
    result = handle(mns(), context(), runtime(oss, dry_run=True))
    assert (result["status"], result["reason"]) == (
        "dry_run",
        "would set the ACL from public-read to private",
    )
    assert [c.action for c in oss.calls] == ["GetBucketAcl"]
    assert oss.account.buckets["config-snapshot"]["acl"] == "public-read"
    assert audit_lines(caplog)[0]["dryRun"] is True


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (mns(configRuleName="another-rule"), f"rule 'another-rule' is not the remediated rule '{RULE}'"),
        (
            mns(resourceType="ACS::ECS::Instance", resourceId="i-123"),
            "resource type ACS::ECS::Instance is not ACS::OSS::Bucket",
        ),
        (
            mns({**CONFIG_EVENT, "complianceType": "COMPLIANT"}),
            "compliance type COMPLIANT is not NON_COMPLIANT",
        ),
    ],
    ids=["other-rule", "other-type", "compliant"],
)
def test_events_it_must_not_act_on_are_ignored_with_the_reason(oss, event, reason):
    result = handle(event, context(), runtime(oss))
    assert (result["status"], result["reason"]) == ("ignored", reason)
    assert oss.calls == []


def test_throttling_and_resets_are_retried(oss, sleeps):
    oss.inject("GetBucketAcl", faults.error(503, "ServiceUnavailable"), faults.RESET)
    oss.inject("PutBucketAcl", faults.hang(1.0))
    result = handle(mns(), context(), runtime(oss, sleeps))
    assert result["status"] == "remediated"
    assert len(sleeps.calls) == 3
    assert oss.account.buckets["config-snapshot"]["acl"] == "private"


def test_persistent_failure_is_reported_failed_and_changes_nothing(oss, sleeps):
    oss.break_("PutBucketAcl", faults.error(403, "AccessDenied", "not allowed"))
    result = handle(mns(), context(), runtime(oss, sleeps))
    assert result["status"] == "failed"
    assert result["reason"] == "HTTP 403 AccessDenied: not allowed"
    assert sleeps.calls == []


def test_deleted_bucket_is_ignored(oss):
    result = handle(mns(resourceId="gone-bucket"), context(), runtime(oss))
    assert (result["status"], result["reason"]) == ("ignored", "bucket no longer exists")


MALFORMED = [
    (b"", "event", "empty"),
    (b"\xff", "event", "not UTF-8 (invalid start byte at byte 0)"),
    (b"not json, not base64!", "event", "neither JSON nor base64-encoded JSON"),
    (base64.b64encode(b"not json"), "event", "base64 body does not decode to JSON"),
    (json.dumps({"Message": 42}).encode(), "Message", "expected the message body as a string"),
    (json.dumps({"Message": "{}"}).encode(), "Message.evaluationResultIdentifier", "missing"),
    (json.dumps({"body": "[]", "attrs": {}}).encode(), "body", "expected a JSON object, got array"),
    (
        json.dumps({"evaluationResultIdentifier": {}}).encode(),
        "event.evaluationResultIdentifier.evaluationResultQualifier",
        "missing",
    ),
    (
        mns(configRuleName=""),
        "Message.evaluationResultIdentifier.evaluationResultQualifier.configRuleName",
        "empty",
    ),
    (
        mns(resourceId="Bad_Bucket"),
        "Message.evaluationResultIdentifier.evaluationResultQualifier.resourceId",
        "'Bad_Bucket' is not a valid bucket name",
    ),
    (
        mns({k: v for k, v in CONFIG_EVENT.items() if k != "complianceType"}),
        "Message.complianceType",
        "missing",
    ),
]


@pytest.mark.parametrize(
    ("raw", "field", "reason"), MALFORMED, ids=[f"{m[1]}:{m[2][:16]}" for m in MALFORMED]
)
def test_malformed_event_is_rejected_naming_the_field_and_nothing_is_called(oss, raw, field, reason, caplog):
    result = handle(raw, context(), runtime(oss))
    assert (result["status"], result["field"], result["reason"]) == ("rejected", field, reason)
    assert oss.calls == []
    lines = audit_lines(caplog)
    assert len(lines) == 1 and lines[0]["field"] == field


def test_missing_rule_name_setting_fails_with_one_audit_line(monkeypatch, caplog):
    from functions.oss_acl_remediation.handler import handler

    monkeypatch.delenv("RULE_NAME", raising=False)
    result = handler(mns(), context())
    assert result["status"] == "failed"
    assert result["reason"] == "RULE_NAME: missing (the Config rule whose events this function remediates)"
    assert len(audit_lines(caplog)) == 1


# --- own account only (a forged message naming another account is never acted on) -----------------

def _without_account(**qualifier: object) -> bytes:
    body = copy.deepcopy(CONFIG_EVENT)
    body.pop("accountId")
    body["evaluationResultIdentifier"]["evaluationResultQualifier"].pop("resourceOwnerId")
    body["evaluationResultIdentifier"]["evaluationResultQualifier"].update(qualifier)
    return json.dumps({**load("events/mns_json.json"), "Message": json.dumps(body)}).encode()


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (mns(resourceOwnerId=1999999999999999), "account 1999999999999999 is not this function's account "
                                                "5123456789012345"),
        (mns({**CONFIG_EVENT, "accountId": "1999999999999999"}, resourceOwnerId=None),
         "account 1999999999999999 is not this function's account 5123456789012345"),
        (_without_account(), "event names no account (accountId / resourceOwnerId)"),
    ],
    ids=["other-owner", "other-account-as-text", "no-account"],
)
def test_events_about_another_account_are_ignored_without_an_oss_call(oss, caplog, event, reason):
    result = handle(event, context(), runtime(oss))
    assert (result["status"], result["reason"]) == ("ignored", reason)
    assert oss.calls == [] and oss.account.buckets["config-snapshot"]["acl"] == "public-read"
    assert audit_lines(caplog)[-1]["reason"] == reason


def test_without_a_known_own_account_nothing_is_changed(oss):
    result = handle(mns(), context(account_id=None), runtime(oss))
    assert result["status"] == "failed" and result["reason"].startswith("own account unknown")
    assert oss.calls == []


def test_context_account_must_agree_with_the_deployed_account_id(oss):
    result = handle(mns(), context(), runtime(oss, account_id="1999999999999999"))
    assert result == {**result, "status": "failed",
                      "reason": "invocation context account 5123456789012345 is not the deployed "
                                "ACCOUNT_ID 1999999999999999"}
    assert oss.calls == []
    # Without a context account (a runtime that omits it) the deployed ACCOUNT_ID decides.
    fallback = handle(mns(), context(account_id=None), runtime(oss, account_id=ACCOUNT_ID))
    assert fallback["status"] == "remediated"


# --- exemptions --------------------------------------------------------------------------------

EXEMPT = Exemption("config-snapshot", "web-team", "static site origin", datetime.date(2027, 1, 31))


def test_an_exempt_bucket_is_skipped_with_an_exempt_audit_line(oss, caplog):
    on_its_last_day = runtime(oss, exempt_buckets=(EXEMPT,), today=datetime.date(2027, 1, 31))
    result = handle(mns(), context(), on_its_last_day)
    assert (result["status"], result["reason"]) == (
        "exempt", "exempt until 2027-01-31: static site origin (web-team)")
    assert oss.calls == [] and audit_lines(caplog)[-1]["status"] == "exempt"


def test_an_expired_exemption_no_longer_protects_the_bucket(oss):
    the_day_after = runtime(oss, exempt_buckets=(EXEMPT,), today=datetime.date(2027, 2, 1))
    result = handle(mns(), context(), the_day_after)
    assert result["status"] == "remediated"
    assert oss.account.buckets["config-snapshot"]["acl"] == "private"
