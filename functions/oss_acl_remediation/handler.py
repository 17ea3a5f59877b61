"""FC entry point of the OSS ACL remediation (MNS topic trigger). Never raises.

Acts only on a NON_COMPLIANT verdict of the configured rule (RULE_NAME) about an
`ACS::OSS::Bucket` of the function's own account; anything else is returned as ignored, with the
reason. The own account is FC's invocation context `account_id` ("the ID of the Alibaba Cloud
account the function belongs to", Python runtime context,
https://help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/context-1), checked against the
ACCOUNT_ID the component deployed; an event naming no account, or another one, is never ours to
act on (a message on the topic is not proof of where it came from). An exempt bucket (EXEMPT_BUCKETS,
until its expiry) is skipped with status `exempt`. The ACL is read first (already private:
nothing to do), then set to `private` unless DRY_RUN. Exactly one structured audit line is
logged per event, whatever the outcome.
"""

from __future__ import annotations

import logging
from typing import Any

from functions.common import cloud_errors, credentials, entry, logjson
from functions.common.errors import EventError
from functions.common.exemptions import find
from functions.common.retry import Deadline, DeadlineExceeded, RetriesExhausted
from functions.common.runtime import Runtime
from functions.oss_acl_remediation import settings
from functions.oss_acl_remediation.event import NonComplianceEvent, parse_event
from functions.oss_acl_remediation.remediate import PRIVATE, BucketAcl, BucketGone
from functions.oss_acl_remediation.settings import Settings

BUCKET_TYPE = "ACS::OSS::Bucket"
NON_COMPLIANT = "NON_COMPLIANT"
_log = logjson.get_logger("oss_acl_remediation")


def handler(event: object, context: object) -> dict[str, Any]:
    result = entry.run(event, context, settings.from_env, _handle, None)  # audited below, once
    return _audit(result, _level(result), context)


def handle(event: object, context: object, runtime: Runtime[Settings]) -> dict[str, Any]:
    # Nothing is changed on a path that raises: the shell turns it into a failed result.
    result = entry.guarded(_handle, event, context, runtime, None)
    return _audit(result, _level(result), context)


def _level(result: dict[str, Any]) -> int:
    return logging.ERROR if result["status"] in ("failed", "rejected") else logging.INFO


def _handle(event: object, context: object, runtime: Runtime[Settings]) -> dict[str, Any]:
    conf = runtime.settings
    logjson.configure(conf.log_level)
    try:
        ev = parse_event(event)
    except EventError as exc:
        return entry.rejected(exc.field, exc.reason)
    result: dict[str, Any] = {
        "rule": ev.rule_name,
        "bucket": ev.resource_id,
        "resourceType": ev.resource_type,
        "region": ev.region_id,
        "account": ev.account_id,
        "complianceType": ev.compliance_type,
        "delivery": ev.delivery,
        "dryRun": conf.dry_run,
    }
    own_account, problem = _own_account(context, conf)
    if problem:
        return {**result, "status": "failed", "reason": problem}
    reason = _ignored_because(ev, conf) or _foreign(ev, own_account)
    if reason:
        return {**result, "status": "ignored", "reason": reason}
    exemption = find(conf.exempt_buckets, ev.bucket, runtime.today())
    if exemption is not None:
        return {**result, "status": "exempt", "reason": exemption.annotation()}
    try:
        creds = credentials.resolve(context, runtime.environ)
    except credentials.CredentialsError as exc:
        return {**result, "status": "failed", "reason": str(exc)}
    acl = BucketAcl(
        creds,
        ev.bucket,
        ev.region_id,
        endpoint=conf.oss_endpoint,
        timeout=conf.timeout,
        retry=conf.retry,
        deadline=Deadline(conf.time_budget_seconds, runtime.clock),
        sleep=runtime.sleep,
        rng=runtime.rng,
    )
    try:
        previous = acl.read()
        result["previousAcl"] = previous
        if previous == PRIVATE:
            return {**result, "status": "noop", "reason": "bucket ACL is already private"}
        if conf.dry_run:
            return {**result, "status": "dry_run", "reason": f"would set the ACL from {previous} to private"}
        acl.make_private()
    except BucketGone:
        return {**result, "status": "ignored", "reason": "bucket no longer exists"}
    except (DeadlineExceeded, RetriesExhausted) as exc:
        last = exc.last if isinstance(exc, RetriesExhausted) else exc
        return {
            **result,
            "status": "failed",
            "reason": f"{exc.__class__.__name__}: {cloud_errors.describe(last)}",
        }
    except Exception as exc:
        return {**result, "status": "failed", "reason": str(cloud_errors.describe(exc))}
    return {
        **result,
        "status": "remediated",
        "newAcl": PRIVATE,
        "reason": f"ACL changed from {previous} to private",
    }


def _ignored_because(ev: NonComplianceEvent, conf: Settings) -> str | None:
    if ev.rule_name != conf.rule_name:
        return f"rule {ev.rule_name!r} is not the remediated rule {conf.rule_name!r}"
    if ev.resource_type != BUCKET_TYPE:
        return f"resource type {ev.resource_type} is not {BUCKET_TYPE}"
    if ev.compliance_type != NON_COMPLIANT:
        return f"compliance type {ev.compliance_type} is not {NON_COMPLIANT}"
    return None


def _own_account(context: object, conf: Settings) -> tuple[str | None, str | None]:
    """(account id, None), or (None, why it cannot be known): fail closed, change nothing."""
    from_context = getattr(context, "account_id", None)
    from_context = str(from_context) if from_context else None
    if from_context and conf.account_id and from_context != conf.account_id:
        return None, (f"invocation context account {from_context} is not the deployed ACCOUNT_ID "
                      f"{conf.account_id}")
    account = from_context or conf.account_id
    if account is None:
        return None, "own account unknown: no account_id in the invocation context and no ACCOUNT_ID"
    return account, None


def _foreign(ev: NonComplianceEvent, own_account: str | None) -> str | None:
    if ev.account_id is None:
        return "event names no account (accountId / resourceOwnerId)"
    if ev.account_id != own_account:
        return f"account {ev.account_id} is not this function's account {own_account}"
    return None


def _audit(result: dict[str, Any], level: int, context: object) -> dict[str, Any]:
    request_id = getattr(context, "request_id", None)
    logjson.log(_log, level, "oss_acl_remediation", request_id=request_id, **result)
    return result
