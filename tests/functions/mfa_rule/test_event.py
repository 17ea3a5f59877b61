"""Parsing the Cloud Config rule event and the dangerousActions parameter."""

from __future__ import annotations

import json

import pytest

from functions.common.errors import EventError
from functions.mfa_rule.event import dangerous_actions, parse_event
from tests.fakes.fixtures import load


def test_change_notification_fixture_parses_to_the_user_item():
    ev = parse_event(json.dumps(load("events/config_change.json")).encode())
    assert (ev.result_token, ev.ordering_timestamp, ev.message_type) == (
        "test-result-token-change",
        1600610821106,
        "ConfigurationItemChangeNotification",
    )
    assert ev.item is not None
    assert (ev.item.resource_id, ev.item.user_name, ev.item.region_id) == (
        "200000000000001",
        "alice",
        "global",
    )
    assert ev.account_id == "5123456789012345"
    assert not ev.sweep and not ev.oversize


def test_scheduled_fixture_without_item_is_a_sweep():
    ev = parse_event(json.dumps(load("events/config_scheduled.json")))
    assert ev.sweep and ev.item is None
    assert ev.account_id == "5123456789012345"  # from invokingEvent: there is no item


def test_account_of_the_evaluation_is_the_resource_owner_from_the_item():
    event = load("events/config_change.json")
    event["invokingEvent"]["accountId"] = 1111111111111111  # e.g. the account that runs the rule
    assert parse_event(json.dumps(event)).account_id == "5123456789012345"


def test_scheduled_run_naming_one_resource_evaluates_just_that_resource():
    event = load("events/config_change.json")
    event["invokingEvent"]["messageType"] = "ScheduledNotification"
    assert not parse_event(json.dumps(event)).sweep


def test_invoking_event_given_as_a_json_string_is_accepted():
    event = load("events/config_change.json")
    event["invokingEvent"] = json.dumps(event["invokingEvent"])
    assert parse_event(json.dumps(event)).item.user_name == "alice"


def test_oversize_item_needs_no_configuration():
    ev = parse_event(json.dumps(load("events/config_oversize.json")))
    assert ev.oversize and ev.item.configuration is None and ev.item.user_name is None


def test_dangerous_actions_tolerate_spaces_and_drop_case_insensitive_duplicates():
    assert dangerous_actions({"dangerousActions": " ecs:* ,oss:Get*, ECS:*,ram:?etUser ,*"}) == (
        "ecs:*",
        "oss:Get*",
        "ram:?etUser",
        "*",
    )


@pytest.mark.parametrize(
    ("value", "field", "reason"),
    [
        (None, "ruleParameters.dangerousActions", "missing"),
        (7, "ruleParameters.dangerousActions", "expected a comma-separated string"),
        ("ecs:*,,oss:*", "ruleParameters.dangerousActions[1]", "empty (stray comma?)"),
        ("ecs:*, ecs", "ruleParameters.dangerousActions[1]", "'ecs' is not 'service:action'"),
        (
            "ecs:Run Instances",
            "ruleParameters.dangerousActions[0]",
            "'ecs:Run Instances' is not 'service:action'",
        ),
    ],
)
def test_bad_dangerous_actions_name_the_item(value, field, reason):
    params = {} if value is None else {"dangerousActions": value}
    with pytest.raises(EventError) as info:
        dangerous_actions(params)
    assert (info.value.field, info.value.reason) == (field, reason)
    assert str(info.value) == f"{field}: {reason}"
