"""Every MNS delivery shape decodes to the same Config non-compliance event; bad ones name the field."""

from __future__ import annotations

import base64
import json

import pytest

from functions.common.errors import EventError
from functions.oss_acl_remediation.event import parse_event
from tests.fakes.fixtures import load

CONFIG_EVENT = load("events/config_noncompliance_oss.json")
TEXT = json.dumps(CONFIG_EVENT)
B64 = base64.b64encode(TEXT.encode()).decode()


@pytest.mark.parametrize(
    ("raw", "delivery"),
    [
        (json.dumps(load("events/mns_json.json")).encode(), "json"),
        (json.dumps({**load("events/mns_json.json"), "Message": B64}).encode(), "json"),
        (json.dumps({**load("events/mns_json.json"), "Message": CONFIG_EVENT}), "json"),
        # JSON format of a message with attributes: FC merges them into the top level.
        (json.dumps({"Extend": "{\"source\":\"config\"}", **load("events/mns_json.json")}), "json"),
        (TEXT.encode(), "stream"),
        (B64.encode(), "stream"),
        (json.dumps(load("events/mns_stream_attrs.json")).encode(), "stream+attrs"),
        (json.dumps({"body": TEXT, "attrs": {}}), "stream+attrs"),
    ],
    ids=[
        "json",
        "json-b64",
        "json-object",
        "json-attrs",
        "stream",
        "stream-b64",
        "stream-attrs-b64",
        "stream-attrs-plain",
    ],
)
def test_every_delivery_shape_yields_the_same_event(raw, delivery):
    ev = parse_event(raw)
    assert ev.delivery == delivery
    assert (ev.rule_name, ev.bucket, ev.resource_type, ev.region_id, ev.compliance_type) == (
        "oss-bucket-public-read-prohibited",
        "config-snapshot",
        "ACS::OSS::Bucket",
        "ap-southeast-1",
        "NON_COMPLIANT",
    )


def test_topic_name_is_kept_from_the_json_format():
    assert parse_event(json.dumps(load("events/mns_json.json"))).topic == "config-noncompliance"


def test_bucket_names_and_regions_are_restricted_to_their_alphabets():
    event = json.loads(TEXT)
    event["evaluationResultIdentifier"]["evaluationResultQualifier"]["regionId"] = "evil.com/x"
    with pytest.raises(EventError, match=r"regionId: 'evil\.com/x' is not a region id"):
        parse_event(json.dumps(event))


def test_not_utf8_names_the_event():
    with pytest.raises(EventError, match=r"^event: not UTF-8"):
        parse_event(b"\xff\xfe")
