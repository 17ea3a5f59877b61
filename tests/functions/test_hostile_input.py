"""Regression tests for the hostile-input defects of issue 10: each input that used to fail
without naming a field (or slip through validation) is now rejected naming it, through the
real handlers against the loopback fake cloud; nothing is called or reported on rejection."""

from __future__ import annotations

import base64
import json

import pytest

from functions.common.decode import MAX_JSON_DEPTH, parse_json
from functions.common.env import SettingsError, integer, number
from functions.common.errors import EventError
from functions.mfa_rule.handler import handle as rule_handle
from functions.oss_acl_remediation.handler import handle as remediation_handle
from functions.oss_acl_remediation.settings import from_env
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import TEST_TOKEN, change_event, context, load
from tests.functions.conftest import rule_runtime
from tests.functions.oss_acl_remediation.test_handler_e2e import mns, runtime

QUALIFIER = "Message.evaluationResultIdentifier.evaluationResultQualifier"


@pytest.fixture
def oss() -> FakeCloud:
    with FakeCloud(load("snapshots/account.json"), expected_token=TEST_TOKEN) as fake:
        fake.account.add_bucket("config-snapshot", "public-read", "ap-southeast-1")
        yield fake


def _mns_body(body: str) -> bytes:
    return json.dumps({**load("events/mns_json.json"), "Message": body}).encode()


def _rejected(result: dict, field: str) -> str:
    assert (result["status"], result["field"]) == ("rejected", field), result
    return result["reason"]


# -- defect 1: non-ASCII text that is not JSON -----------------------------------------------

@pytest.mark.parametrize("text", ["你好世界", "配置审计", "Grüße!!!"])
def test_non_ascii_text_as_the_message_is_rejected_naming_the_message(oss, text):
    assert len(text) % 4 == 0  # the length that used to reach b64decode and raise ValueError
    reason = _rejected(remediation_handle(_mns_body(text), context(), runtime(oss)), "Message")
    assert reason == "neither JSON nor base64-encoded JSON"
    assert oss.calls == []


def test_non_ascii_text_as_the_whole_event_is_rejected_naming_the_event(oss):
    reason = _rejected(remediation_handle("配置审计".encode(), context(), runtime(oss)), "event")
    assert reason == "neither JSON nor base64-encoded JSON"
    assert oss.calls == []


# -- defect 2: trailing newlines --------------------------------------------------------------

@pytest.mark.parametrize(
    ("key", "value"), [("resourceId", "config-snapshot\n"), ("regionId", "ap-southeast-1\n")]
)
def test_a_trailing_newline_in_bucket_or_region_is_rejected(oss, key, value):
    reason = _rejected(remediation_handle(mns(**{key: value}), context(), runtime(oss)), f"{QUALIFIER}.{key}")
    assert repr(value) in reason
    assert oss.calls == []
    assert oss.account.buckets["config-snapshot"]["acl"] == "public-read"


# -- defect 3: unicode digits -----------------------------------------------------------------

@pytest.mark.parametrize("digits", ["²", "١٢٣", "5123456789012345²"])
def test_unicode_digits_as_ordering_timestamp_are_rejected_naming_it(cloud, digits):
    event = change_event("alice", "200000000000001", orderingTimestamp=digits)
    result = rule_handle(json.dumps(event).encode(), context(), rule_runtime(cloud))
    assert "expected epoch milliseconds" in _rejected(result, "orderingTimestamp")
    assert cloud.reported() == []


@pytest.mark.parametrize("digits", ["²", "١٢٣٤"])
def test_unicode_digits_as_account_id_are_rejected_before_any_lookup(oss, digits):
    reason = _rejected(
        remediation_handle(mns(resourceOwnerId=digits), context(), runtime(oss)),
        f"{QUALIFIER}.resourceOwnerId",
    )
    assert "is not an account id" in reason
    assert oss.calls == []


def test_settings_take_ascii_numerals_only_naming_the_variable():
    for raw in ("١٢", "1_000", "²"):
        with pytest.raises(SettingsError, match=r"^RETRIES: expected an integer"):
            integer({"RETRIES": raw}, "RETRIES", 3, 1, 10)
    for raw in ("nan", "١.5", "inf"):
        with pytest.raises(SettingsError, match=r"^TIMEOUT: expected a number"):
            number({"TIMEOUT": raw}, "TIMEOUT", 1.0, 0.1, 60.0)
    assert (integer({"R": " +7 "}, "R", 3, 1, 10), number({"T": "2.5"}, "T", 1.0, 0.1, 60.0)) == (7, 2.5)
    with pytest.raises(SettingsError, match=r"^ACCOUNT_ID: expected digits"):
        from_env({"ACCOUNT_ID": "51234567890123٤٥", "RULE_NAME": "r"})


# -- defect 4: limits of the JSON reader ------------------------------------------------------

DEEP = "[" * 5000 + "]" * 5000
HUGE_INT = "1" * 4301


def test_json_reader_bounds_depth_integer_digits_and_size_naming_the_field():
    with pytest.raises(EventError, match=rf"^x: JSON nested deeper than {MAX_JSON_DEPTH} levels$"):
        parse_json(DEEP, "x")
    with pytest.raises(EventError, match=rf"^x: JSON nested deeper than {MAX_JSON_DEPTH} levels$"):
        parse_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "x")
    assert parse_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "x") is not None
    with pytest.raises(EventError, match=r"^x: JSON holds an integer of 4301 digits"):
        parse_json(HUGE_INT, "x")
    with pytest.raises(EventError, match=r"^x: .* characters of JSON"):
        parse_json(" " * (2 << 20), "x")


@pytest.mark.parametrize("payload", [DEEP, '{"a": ' + HUGE_INT + "}"])
def test_rule_handler_rejects_deep_or_huge_numbers_naming_the_event(cloud, payload):
    assert _rejected(rule_handle(payload.encode(), context(), rule_runtime(cloud)), "event")
    assert cloud.reported() == [] and cloud.calls == []


@pytest.mark.parametrize("payload", [DEEP, '{"a": ' + HUGE_INT + "}"])
def test_remediation_rejects_deep_or_huge_numbers_in_the_message_naming_it(oss, payload):
    assert _rejected(remediation_handle(_mns_body(payload), context(), runtime(oss)), "Message")
    encoded = base64.b64encode(payload.encode()).decode()
    assert _rejected(remediation_handle(_mns_body(encoded), context(), runtime(oss)), "Message")
    assert oss.calls == []


def test_rule_handler_rejects_a_deep_invoking_event_string_naming_it(cloud):
    event = change_event("alice", "200000000000001")
    event["invokingEvent"] = DEEP
    assert _rejected(rule_handle(json.dumps(event).encode(), context(), rule_runtime(cloud)), "invokingEvent")
    assert cloud.reported() == []


# -- defect 5: Alibaba's documented rule event ------------------------------------------------

def _doc_sample() -> dict:
    event = load("events/config_doc_sample.json")
    event.pop("_source")
    return event


def test_documented_sample_is_evaluated_for_the_user_its_resource_name_names():
    snapshot = load("snapshots/account.json")
    alice = next(u for u in snapshot["users"] if u["userName"] == "alice")
    alice["userName"] = "test123"  # the sample's user, with alice's grants (ecs:* via ops)
    with FakeCloud(snapshot, expected_token=TEST_TOKEN) as cloud:
        result = rule_handle(json.dumps(_doc_sample()).encode(), context(), rule_runtime(cloud))
        assert result["status"] == "reported", result
        [evaluation] = cloud.reported()
    assert (evaluation["complianceResourceId"], evaluation["complianceResourceName"]) == (
        "20082888873117****", "test123")
    assert evaluation["complianceType"] == "NON_COMPLIANT"
    # No orderingTimestamp in the sample: the notification time is what is reported.
    assert evaluation["orderingTimestamp"] == 1600610821106


def test_documented_sample_without_any_timestamp_is_rejected_naming_ordering_timestamp(cloud):
    event = _doc_sample()
    del event["invokingEvent"]["notificationCreationTimestamp"]
    del event["invokingEvent"]["configurationItem"]["captureTime"]
    result = rule_handle(json.dumps(event).encode(), context(), rule_runtime(cloud))
    reason = _rejected(result, "orderingTimestamp")
    assert "notificationCreationTimestamp" in reason
    assert cloud.reported() == []


def test_unreadable_configuration_without_a_resource_name_is_still_rejected_naming_it(cloud):
    event = _doc_sample()
    del event["invokingEvent"]["configurationItem"]["resourceName"]
    result = rule_handle(json.dumps(event).encode(), context(), rule_runtime(cloud))
    _rejected(result, "invokingEvent.configurationItem.configuration")
    assert cloud.reported() == []
