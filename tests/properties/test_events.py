"""Properties of both functions' event parsers and handlers over hostile input: arbitrary JSON,
wrong types, missing and extra fields, huge strings, unicode, bad base64.

Never an exception (not even one the handlers' shell turns into `unexpected ...`); every
rejection names a field, and a single damaged element is rejected under that element (or one
inside or around it); a rejected event calls nothing and reports nothing; the rule never reports
COMPLIANT for what a damaged event names (its one real user, alice, is at risk; any other name is
no user) unless the event and its parameters are valid; the remediation changes an ACL only for
an event that parses as the configured rule's NON_COMPLIANT verdict on a bucket of its own
account. Handlers run against one loopback fake per module (they keep no state between events).
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from functions.common.errors import EventError
from functions.mfa_rule import event as rule_event
from functions.mfa_rule.handler import handle as rule_handle
from functions.oss_acl_remediation import event as oss_event
from functions.oss_acl_remediation.handler import handle as remediation_handle
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import ACCOUNT_ID, TEST_TOKEN, change_event, context, load
from tests.functions.conftest import rule_runtime
from tests.functions.oss_acl_remediation.test_handler_e2e import RULE, runtime

SNAPSHOT = load("snapshots/account.json")
BUCKET = "config-snapshot"

# -- strategies ------------------------------------------------------------------------------------

hostile_short = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["你好世界", "配置审计", "²", "١٢٣", "5123456789012345²", "x\n", " ", "\x00", "%00", "ﬁ"]
    ),
    st.binary(max_size=30).map(lambda b: base64.b64encode(b).decode()),
    st.text(alphabet="ABCDabcd+/=", min_size=1, max_size=12),  # base64-looking, mostly not
    st.integers(min_value=1, max_value=4).map(lambda n: "界" * (n * 4)),
)
hostile_text = hostile_short | st.just("a" * 70_000)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), hostile_text
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)

# Within the JSON reader's bounds (functions/common/decode.py: integers of at most 20 digits, 1 MiB).
bounded_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**15), 10**15) | hostile_short,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)

RULE_PATHS = (
    "resultToken",
    "orderingTimestamp",
    "ruleParameters",
    "ruleParameters.dangerousActions",
    "ruleParameters.paths",
    "ruleParameters.accountScope",
    "invokingEvent",
    "invokingEvent.messageType",
    "invokingEvent.configurationType",
    "invokingEvent.accountId",
    "invokingEvent.configurationItem",
    "invokingEvent.configurationItem.resourceId",
    "invokingEvent.configurationItem.resourceType",
    "invokingEvent.configurationItem.regionId",
    "invokingEvent.configurationItem.resourceName",
    "invokingEvent.configurationItem.configuration",
    "invokingEvent.configurationItem.accountId",
)
QUALIFIER = "evaluationResultIdentifier.evaluationResultQualifier"
OSS_PATHS = (
    "evaluationResultIdentifier",
    QUALIFIER,
    f"{QUALIFIER}.configRuleName",
    f"{QUALIFIER}.resourceId",
    f"{QUALIFIER}.resourceType",
    f"{QUALIFIER}.regionId",
    f"{QUALIFIER}.resourceOwnerId",
    "complianceType",
    "accountId",
)
DELETE = object()
damage = st.one_of(st.just(DELETE), json_values)


def damaged(document: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    out = copy.deepcopy(document)
    *parents, leaf = path.split(".")
    node = out
    for key in parents:
        node = node[key]
    if value is DELETE:
        node.pop(leaf, None)
    else:
        node[leaf] = value
    return out


def with_extra(document: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Unknown keys added at the top and inside every object of the event."""
    out = copy.deepcopy(document)
    stack = [out]
    while stack:
        node = stack.pop()
        stack.extend(v for v in node.values() if isinstance(v, dict))
        for key, value in extra.items():
            node.setdefault(key, copy.deepcopy(value))
    return out


def alice() -> dict[str, Any]:
    event = change_event("alice", "200000000000001")
    event["invokingEvent"]["configurationItem"]["configuration"] = json.loads(
        event["invokingEvent"]["configurationItem"]["configuration"]
    )
    return event


def encoded(event: dict[str, Any]) -> bytes:
    return json.dumps(event, allow_nan=True).encode()


BOUNDS = ("JSON holds an integer", "characters of JSON", "JSON nested deeper")


def names_the_damage(exc: EventError, path: str, text: str) -> bool:
    """The rejected field is the damaged element, inside it, or the object holding it; or, for a
    bound of the JSON reader (checked while reading, before any key is known), the JSON text
    that holds it (`text`: the event, or the MNS message)."""
    field = exc.field
    if any(bound in exc.reason for bound in BOUNDS):
        return field == text
    return field == path or field.startswith((f"{path}.", f"{path}[")) or path.startswith(f"{field}.")


# -- the rule's parser -----------------------------------------------------------------------------

raw_events = st.one_of(
    st.binary(max_size=60), hostile_text, json_values.map(lambda v: json.dumps(v, allow_nan=True))
)


@given(raw_events)
def test_rule_parser_on_anything_returns_an_event_or_an_error_naming_a_field(raw):
    try:
        rule_event.parse_event(raw)
    except EventError as exc:
        assert exc.field and exc.reason


@given(st.sampled_from(RULE_PATHS), damage)
def test_rule_parser_rejects_a_damaged_element_naming_it(path, value):
    try:
        ev = rule_event.parse_event(encoded(damaged(alice(), path, value)))
    except EventError as exc:
        assert names_the_damage(exc, path, "event"), (path, value, exc)
        return
    for parameter in (rule_event.dangerous_actions, rule_event.rule_paths, rule_event.account_scope):
        try:
            parameter(ev.rule_parameters)
        except EventError as exc:
            assert names_the_damage(exc, path, "event"), (path, value, exc)


@given(st.dictionaries(st.text(max_size=8), bounded_values, min_size=1, max_size=3))
def test_rule_parser_ignores_extra_fields(extra):
    extra = {k: v for k, v in extra.items() if k not in {*RULE_PATHS, "notificationCreationTimestamp"}}
    extra = {k: v for k, v in extra.items() if k.split(".")[-1] not in {p.split(".")[-1] for p in RULE_PATHS}}
    ev = rule_event.parse_event(encoded(with_extra(alice(), extra)))
    assert ev.item is not None and ev.item.user_name == "alice"


# -- the remediation's parser ----------------------------------------------------------------------

CONFIG_EVENT = load("events/config_noncompliance_oss.json")
MNS = load("events/mns_json.json")


def delivered(body: object, base64_body: bool = False) -> bytes:
    text = body if isinstance(body, str) else json.dumps(body, allow_nan=True)
    if base64_body:
        text = base64.b64encode(text.encode()).decode()
    return json.dumps({**MNS, "Message": text}).encode()


@given(st.one_of(raw_events, raw_events.map(lambda r: delivered(r if isinstance(r, str) else "x"))))
def test_remediation_parser_on_anything_returns_an_event_or_an_error_naming_a_field(raw):
    try:
        oss_event.parse_event(raw)
    except EventError as exc:
        assert exc.field and exc.reason


@given(st.sampled_from(OSS_PATHS), damage, st.booleans())
def test_remediation_parser_rejects_a_damaged_element_naming_it(path, value, base64_body):
    try:
        oss_event.parse_event(delivered(damaged(CONFIG_EVENT, path, value), base64_body))
    except EventError as exc:
        assert names_the_damage(exc, f"Message.{path}", "Message"), (path, value, exc)


# -- both handlers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cloud():
    with FakeCloud(SNAPSHOT, expected_token=TEST_TOKEN) as fake:
        fake.account.add_bucket(BUCKET, "public-read", "ap-southeast-1")
        yield fake


damaged_rule_events = st.builds(
    lambda p, v: encoded(damaged(alice(), p, v)), st.sampled_from(RULE_PATHS), damage
)
rule_inputs = st.one_of(raw_events, damaged_rule_events, damaged_rule_events)


@given(rule_inputs)
def test_rule_handler_never_raises_and_never_reports_compliant_for_a_damaged_event(cloud, raw):
    cloud.reset_calls()
    result = rule_handle(raw, context(), rule_runtime(cloud))
    assert not result.get("reason", "").startswith("unexpected "), result  # the shell caught a raise
    reported = cloud.reported()
    if result["status"] == "rejected":
        assert result["field"] and result["reason"]
        assert (reported, cloud.calls) == ([], [])
    event(f"status {result['status']}; reported {sorted({e['complianceType'] for e in reported})}")
    if "COMPLIANT" in {e["complianceType"] for e in reported}:
        # Only a real evaluation: the event and all its rule parameters are valid.
        ev = rule_event.parse_event(raw)
        rule_event.dangerous_actions(ev.rule_parameters)
        rule_event.rule_paths(ev.rule_parameters)
        rule_event.account_scope(ev.rule_parameters)


damaged_deliveries = st.builds(
    lambda p, v, b: delivered(damaged(CONFIG_EVENT, p, v), b),
    st.sampled_from(OSS_PATHS),
    damage,
    st.booleans(),
)
oss_inputs = st.one_of(raw_events, damaged_deliveries, damaged_deliveries)


@given(oss_inputs)
def test_remediation_changes_an_acl_only_for_a_verdict_of_its_rule_on_its_own_bucket(cloud, raw):
    cloud.reset_calls()
    cloud.account.buckets[BUCKET]["acl"] = "public-read"
    result = remediation_handle(raw, context(), runtime(cloud))
    assert not str(result.get("reason", "")).startswith("unexpected "), result
    writes = [c for c in cloud.calls if c.action == "PutBucketAcl"]
    event(f"status {result['status']}")
    if result["status"] == "rejected":
        assert result["field"] and result["reason"]
        assert cloud.calls == []
    if result["status"] != "remediated":
        assert writes == [] and cloud.account.buckets[BUCKET]["acl"] == "public-read"
        return
    ev = oss_event.parse_event(raw)
    assert (ev.rule_name, ev.resource_type, ev.compliance_type) == (RULE, "ACS::OSS::Bucket", "NON_COMPLIANT")
    assert ev.account_id == ACCOUNT_ID and ev.bucket == BUCKET
    assert [c.params for c in writes] == [{"bucket": BUCKET, "acl": "private"}]
