"""Parsing and validating the event Cloud Config sends a custom rule function.

Shape (bytes or str of JSON):
    {"ruleParameters": {"dangerousActions": "ecs:*, oss:*"},
     "invokingEvent": {"messageType": "ConfigurationItemChangeNotification" | "ScheduledNotification"
                                      | "Manual",
                       "configurationType": "COMMON" | "OVERSIZE" | "NONE" (optional),
                       "accountId": ..., "configurationItem": {...} (optional on scheduled runs)},
     "resultToken": "...", "orderingTimestamp": 1600610821106}
`invokingEvent` may itself be a JSON string, and `configurationItem.configuration` is one.

Alibaba's own documented sample ("Data structure of functions for custom rules",
https://www.alibabacloud.com/help/doc-detail/182296.htm; tests/fixtures/events/config_doc_sample.json)
has no top-level `orderingTimestamp` (it carries `invokingEvent.notificationCreationTimestamp`
and `configurationItem.captureTime`) and a `configuration` string that is not valid JSON. Such
an event is still evaluated: the timestamp falls back to those documented fields, and the user
to `resourceName` (the table there: "The name of the resource").

The envelope (everything but the rule parameters) is parsed first: if it is broken there is
no trustworthy token or resource to report on. Rule parameters are parsed separately so a
bad `dangerousActions` on an otherwise valid event can still be reported as
INSUFFICIENT_DATA for that resource, naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from functions.common.decode import as_text, is_decimal, json_object, parse_json, require, require_str
from functions.common.errors import EventError
from functions.mfa_rule.decide import PATHS
from policies.action_patterns import check_action_patterns

CHANGE = "ConfigurationItemChangeNotification"
SCHEDULED = "ScheduledNotification"
MANUAL = "Manual"  # a re-evaluation started from the console or API; handled like a scheduled run
MESSAGE_TYPES = (CHANGE, SCHEDULED, MANUAL)
CONFIGURATION_TYPES = ("COMMON", "OVERSIZE", "NONE")
RAM_USER = "ACS::RAM::User"


@dataclass(frozen=True)
class ResourceItem:
    resource_id: str
    resource_type: str
    region_id: str
    resource_name: str | None
    configuration: Mapping[str, Any] | None
    account_id: str | None = None

    @property
    def user_name(self) -> str | None:
        """RAM user name: the configuration's UserName, else the item's resourceName."""
        if self.configuration is not None:
            name = self.configuration.get("UserName")
            if isinstance(name, str) and name:
                return name
        return self.resource_name


@dataclass(frozen=True)
class RuleEvent:
    result_token: str
    ordering_timestamp: int
    message_type: str
    configuration_type: str | None
    item: ResourceItem | None
    account_id: str | None
    rule_parameters: Mapping[str, Any]

    @property
    def oversize(self) -> bool:
        return self.configuration_type == "OVERSIZE"

    @property
    def sweep(self) -> bool:
        """Evaluate every user: a scheduled (or manual) run that names no single resource."""
        return self.message_type in (SCHEDULED, MANUAL) and self.item is None


def parse_event(raw: object) -> RuleEvent:
    """Parse the envelope; raises EventError naming the field at fault."""
    text = as_text(raw)
    if not text.strip():
        raise EventError("event", "empty")
    body = json_object(parse_json(text, "event"), "event")
    token = require_str(body, "resultToken", "resultToken")
    ordering = None
    if body.get("orderingTimestamp") is not None:
        ordering = _timestamp(body["orderingTimestamp"], "orderingTimestamp")
    params = body.get("ruleParameters", {})
    if params is None:
        params = {}
    params = json_object(params, "ruleParameters")
    invoking = json_object(require(body, "invokingEvent", "invokingEvent"), "invokingEvent")
    message_type = require_str(invoking, "messageType", "invokingEvent.messageType")
    if message_type not in MESSAGE_TYPES:
        raise EventError(
            "invokingEvent.messageType", f"expected one of {', '.join(MESSAGE_TYPES)}, got {message_type!r}"
        )
    configuration_type = invoking.get("configurationType")
    if configuration_type is not None and configuration_type not in CONFIGURATION_TYPES:
        raise EventError(
            "invokingEvent.configurationType",
            f"expected one of {', '.join(CONFIGURATION_TYPES)}, got {configuration_type!r}",
        )
    account_id = _opt_id(invoking.get("accountId"), "invokingEvent.accountId")
    raw_item = invoking.get("configurationItem")
    item = None
    if raw_item is not None:
        item = _item(raw_item, "invokingEvent.configurationItem", oversize=configuration_type == "OVERSIZE")
    elif message_type == CHANGE:
        raise EventError(
            "invokingEvent.configurationItem", "missing (a change notification names the resource)"
        )
    if ordering is None:
        ordering = _fallback_ordering(invoking)
    # The item's accountId is the resource owner's (Cloud Config's own sample reports that one);
    # the invoking event's is the fallback, e.g. for a sweep, which has no item.
    return RuleEvent(
        token,
        ordering,
        message_type,
        configuration_type,
        item,
        (item.account_id if item else None) or account_id,
        params,
    )


def dangerous_actions(params: Mapping[str, Any]) -> tuple[str, ...]:
    """The `dangerousActions` patterns: comma-separated, spaces tolerated, each validated with
    the grammar the stack config and the guard apply too (a repeat is dropped, not an error)."""
    field = "ruleParameters.dangerousActions"
    raw = params.get("dangerousActions")
    if raw is None:
        raise EventError(field, "missing")
    if not isinstance(raw, str):
        # Cloud Config passes rule parameters as text; anything else is not what the rule was given.
        raise EventError(field, "expected a comma-separated string")
    patterns, problems = check_action_patterns(raw, allow_duplicates=True)
    if problems:
        raise EventError(problems[0].path(field), problems[0].reason)
    return patterns


ACCOUNT = "account"
ORGANIZATION = "organization"
ACCOUNT_SCOPES = (ACCOUNT, ORGANIZATION)


def account_scope(params: Mapping[str, Any]) -> str:
    """The `accountScope` parameter: `organization` on the aggregate rule (its sweep evaluates the
    member accounts, components/organization.py), else `account` (the function's own account).
    Config's event does not say which rule invoked the function, so the rule says it itself."""
    field = "ruleParameters.accountScope"
    raw = params.get("accountScope")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ACCOUNT
    if not isinstance(raw, str) or raw.strip() not in ACCOUNT_SCOPES:
        raise EventError(field, f"expected one of {', '.join(ACCOUNT_SCOPES)}, got {raw!r}")
    return raw.strip()


def rule_paths(params: Mapping[str, Any]) -> tuple[str, ...]:
    """The `paths` parameter: comma-separated credential paths to check (default every path).
    `console` alone is the seed's check: is an MFA device bound, for console sign-in."""
    field = "ruleParameters.paths"
    raw = params.get("paths")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return PATHS
    if not isinstance(raw, str):
        raise EventError(field, "expected a comma-separated string")
    chosen: list[str] = []
    for index, part in enumerate(raw.split(",")):
        name = part.strip()
        if name not in PATHS:
            raise EventError(f"{field}[{index}]", f"{name!r} is not one of {', '.join(PATHS)}")
        if name not in chosen:
            chosen.append(name)
    return tuple(p for p in PATHS if p in chosen)


def _item(data: object, path: str, *, oversize: bool) -> ResourceItem:
    obj = json_object(data, path)
    resource_id = _id(require(obj, "resourceId", f"{path}.resourceId"), f"{path}.resourceId")
    resource_type = require_str(obj, "resourceType", f"{path}.resourceType")
    region = require_str(obj, "regionId", f"{path}.regionId")
    name = obj.get("resourceName")
    if name is not None and not isinstance(name, str):
        raise EventError(f"{path}.resourceName", "expected a string")
    configuration = None
    raw_configuration = obj.get("configuration")
    if raw_configuration not in (None, ""):
        try:
            configuration = json_object(raw_configuration, f"{path}.configuration")
        except EventError:
            # Unreadable (as in the documented sample): the resourceName still names the user.
            if not name:
                raise
    elif not oversize and not name:
        raise EventError(f"{path}.configuration", "missing (and no resourceName to identify the user)")
    account = _opt_id(obj.get("accountId"), f"{path}.accountId")
    return ResourceItem(resource_id, resource_type, region, name or None, configuration, account)


def _fallback_ordering(invoking: Mapping[str, Any]) -> int:
    """Without `orderingTimestamp`: the documented sample's notification or capture time."""
    if invoking.get("notificationCreationTimestamp") is not None:
        return _timestamp(
            invoking["notificationCreationTimestamp"], "invokingEvent.notificationCreationTimestamp"
        )
    item = invoking.get("configurationItem")
    if isinstance(item, Mapping) and item.get("captureTime") is not None:
        return _timestamp(item["captureTime"], "invokingEvent.configurationItem.captureTime")
    raise EventError(
        "orderingTimestamp",
        "missing (and no invokingEvent.notificationCreationTimestamp or configurationItem.captureTime)",
    )


def _timestamp(value: object, field: str) -> int:
    if isinstance(value, bool):
        raise EventError(field, "expected epoch milliseconds, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_decimal(value.strip()) and len(value.strip()) <= 16:
        return int(value.strip())
    raise EventError(field, f"expected epoch milliseconds, got {value!r}")


def _id(value: object, field: str) -> str:
    # Config sends numeric ids for some resources; they are identifiers, kept as text.
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise EventError(field, "expected a non-empty string")
    return str(value)


def _opt_id(value: object, field: str) -> str | None:
    return None if value is None else _id(value, field)
