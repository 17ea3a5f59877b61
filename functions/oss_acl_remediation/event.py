"""Every shape an MNS topic trigger can deliver, down to the Cloud Config non-compliance event.

Delivery shapes (the trigger's NotifyContentFormat):
- JSON: `{"TopicOwner", "TopicName", "Subscriber", "SubscriptionName", "MessageId",
  "MessageMD5", "PublishTime", "Message": "<body>"}`, plus the message's attributes as
  extra top-level keys when it has any
- STREAM: the raw body, or `{"body": "<body>", "attrs": {...}}` when the message has attributes.
The body is the event's JSON text, or that text base64-encoded (publishers may encode it).

Config event (inside the body; "Example of resource non-compliance events",
https://help.aliyun.com/en/document_detail/309463.html):
    {"evaluationResultIdentifier": {"evaluationResultQualifier": {"configRuleName", "resourceId",
      "resourceType", "regionId", "resourceName"?, "resourceOwnerId"?}, "orderingTimestamp"},
     "complianceType", "accountId", ...}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from functions.common.decode import (
    as_text,
    b64_text,
    is_decimal,
    json_object,
    parse_json,
    require,
    require_str,
)
from functions.common.errors import EventError

QUALIFIER = "evaluationResultIdentifier.evaluationResultQualifier"
# Bucket names and region ids end up in a URL: only their documented alphabets are accepted,
# matched whole (`fullmatch`: `$` would also accept a trailing newline).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
_REGION = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")


@dataclass(frozen=True)
class NonComplianceEvent:
    delivery: str  # json | stream | stream+attrs
    topic: str | None
    rule_name: str
    resource_id: str
    resource_type: str
    region_id: str
    compliance_type: str
    # The resource owner (qualifier `resourceOwnerId`, else the event's `accountId`), as text.
    account_id: str | None = None

    @property
    def bucket(self) -> str:
        return self.resource_id


def parse_event(raw: object) -> NonComplianceEvent:
    text = as_text(raw, "event")
    outer = _json_or_b64(text, "event")
    topic = None
    if isinstance(outer, Mapping) and "Message" in outer:
        delivery, field = "json", "Message"
        topic = outer.get("TopicName") if isinstance(outer.get("TopicName"), str) else None
        body = _body(outer["Message"], field)
    elif isinstance(outer, Mapping) and "body" in outer and set(outer) <= {"body", "attrs"}:
        delivery, field = "stream+attrs", "body"
        body = _body(outer["body"], field)
    else:
        delivery, field = "stream", "event"
        body = json_object(outer, field)
    return _config_event(body, field, delivery, topic)


def _config_event(
    body: Mapping[str, Any], field: str, delivery: str, topic: str | None
) -> NonComplianceEvent:
    identifier = json_object(
        require(body, "evaluationResultIdentifier", f"{field}.evaluationResultIdentifier"),
        f"{field}.evaluationResultIdentifier",
    )
    path = f"{field}.{QUALIFIER}"
    qualifier = json_object(require(identifier, "evaluationResultQualifier", path), path)
    rule = require_str(qualifier, "configRuleName", f"{path}.configRuleName")
    resource_id = require_str(qualifier, "resourceId", f"{path}.resourceId")
    resource_type = require_str(qualifier, "resourceType", f"{path}.resourceType")
    region = require_str(qualifier, "regionId", f"{path}.regionId")
    compliance = require_str(body, "complianceType", f"{field}.complianceType")
    if not _REGION.fullmatch(region):
        raise EventError(f"{path}.regionId", f"{region!r} is not a region id")
    if resource_type == "ACS::OSS::Bucket" and not _BUCKET.fullmatch(resource_id):
        raise EventError(f"{path}.resourceId", f"{resource_id!r} is not a valid bucket name")
    account = _account(qualifier.get("resourceOwnerId"), f"{path}.resourceOwnerId")
    account = account or _account(body.get("accountId"), f"{field}.accountId")
    return NonComplianceEvent(delivery, topic, rule, resource_id, resource_type, region, compliance, account)


def _account(value: object, field: str) -> str | None:
    """Config writes account ids as numbers or as digit strings (its MNS and SLS examples differ)."""
    if value is None:
        return None
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not is_decimal(text) or len(text) > 20:
        raise EventError(field, f"{value!r} is not an account id")
    return text


def _body(value: object, field: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise EventError(field, "expected the message body as a string")
    return json_object(_json_or_b64(value, field), field)


def _json_or_b64(text: str, field: str) -> Any:
    stripped = text.strip()
    if not stripped:
        raise EventError(field, "empty")
    try:
        return parse_json(stripped, field)
    except EventError as exc:
        if not exc.reason.startswith("not valid JSON"):
            raise  # JSON, but beyond the size, depth or integer bounds: that is the answer
    decoded = b64_text(stripped)
    if decoded is not None:
        try:
            return parse_json(decoded, field)
        except EventError as exc:
            if not exc.reason.startswith("not valid JSON"):
                raise
            raise EventError(field, "base64 body does not decode to JSON") from None
    raise EventError(field, "neither JSON nor base64-encoded JSON")
