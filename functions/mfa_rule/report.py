"""Reporting verdicts to Cloud Config with PutEvaluations (alibabacloud_config20200907).

Batching and DeleteMode: evaluations go in batches of at most 100 (Cloud Config does not
publish a per-call limit; 100 is AWS Config's and keeps requests small). DeleteMode
("delete results not updated during this evaluation", tied to the result token) is sent
only on the last batch of a sweep, only when the user listing was complete, and only if
every earlier batch was accepted: so it can only ever drop users that really are gone,
never users whose results failed to arrive. (A user created after the listing passed their
page is not in the report either; their change notification, or the next sweep, evaluates
them.)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from alibabacloud_config20200907 import models as cfg

from functions.common import cloud_errors, logjson
from functions.common.retry import RetriesExhausted
from functions.common.tea_api import TeaApi
from functions.mfa_rule.decide import Verdict

MAX_PER_CALL = 100
_log = logjson.get_logger("mfa_rule.report")


@dataclass(frozen=True)
class Resource:
    resource_id: str
    name: str | None
    type: str
    region: str
    account_id: str | None = None


@dataclass(frozen=True)
class ReportOutcome:
    batches: int
    failed_batches: int  # refused, or never reached Config
    delete_mode_sent: bool
    errors: tuple[str, ...]
    # Sent, but every reply was lost (reset or timed out after the request went out): Config may
    # well hold these results. Writing the same batch again is harmless, so this is no failure,
    # yet it is not confirmed either.
    unconfirmed_batches: int = 0

    @property
    def ok(self) -> bool:
        return self.failed_batches == 0 and self.unconfirmed_batches == 0

    @property
    def status(self) -> str:
        """`reported`, `unconfirmed` (only lost replies), `partial` or `failed` (nothing arrived)."""
        if self.ok:
            return "reported"
        if self.failed_batches == 0:
            return "unconfirmed"
        return "failed" if self.failed_batches == self.batches else "partial"


def record(resource: Resource, verdict: Verdict, ordering_timestamp: int) -> dict[str, Any]:
    """One evaluation as PutEvaluations takes it (camelCase, echoing the event's orderingTimestamp)."""
    item: dict[str, Any] = {
        "complianceResourceId": resource.resource_id,
        "complianceResourceType": resource.type,
        "complianceRegionId": resource.region,
        "complianceType": verdict.compliance_type,
        "annotation": verdict.annotation,
        "orderingTimestamp": ordering_timestamp,
    }
    if resource.name:
        item["complianceResourceName"] = resource.name
    if resource.account_id:
        item["accountId"] = int(resource.account_id) if resource.account_id.isdigit() else resource.account_id
    return item


def put_evaluations(
    api: TeaApi, result_token: str, records: Sequence[dict[str, Any]], *, delete_mode: bool = False
) -> ReportOutcome:
    batches = [records[i : i + MAX_PER_CALL] for i in range(0, len(records), MAX_PER_CALL)]
    failed = unconfirmed = 0
    errors: list[str] = []
    delete_sent = False
    for index, batch in enumerate(batches):
        last = index == len(batches) - 1
        # DeleteMode only after every earlier batch is confirmed: it deletes what this token did not write.
        with_delete = delete_mode and last and failed == 0 and unconfirmed == 0
        request = cfg.PutEvaluationsRequest(
            result_token=result_token,
            evaluations=json.dumps(list(batch), separators=(",", ":"), ensure_ascii=False),
            delete_mode=True if with_delete else None,
        )
        try:
            body = api.call("put_evaluations", request)
            if body is not None and body.result is False:
                raise RuntimeError("PutEvaluations answered Result=false")
        except Exception as exc:
            last_error = exc.last if isinstance(exc, RetriesExhausted) else exc
            detail = cloud_errors.describe(last_error)
            if _reply_lost(last_error):
                unconfirmed += 1
                errors.append(f"batch {index + 1}/{len(batches)}: unconfirmed, the reply was lost: {detail}")
            else:
                failed += 1
                errors.append(f"batch {index + 1}/{len(batches)}: {detail}")
            logjson.log(
                _log,
                logging.ERROR,
                "put_evaluations_failed",
                batch=index + 1,
                of=len(batches),
                error=str(detail),
            )
            continue
        delete_sent = delete_sent or with_delete
    return ReportOutcome(len(batches), failed, delete_sent, tuple(errors), unconfirmed)


def _reply_lost(exc: BaseException) -> bool:
    """A transport error after the request may have been delivered (reset, read timeout), as
    opposed to one that proves it never left (refused, DNS, connect timeout)."""
    if cloud_errors.describe(exc).kind != "network":
        return False
    text = str(getattr(exc, "inner_exception", None) or exc).lower()
    never_sent = ("refused", "failed to establish", "name or service", "nodename", "connect timeout")
    return not any(marker in text for marker in never_sent)
