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
    failed_batches: int
    delete_mode_sent: bool
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.failed_batches == 0


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
    failed = 0
    errors: list[str] = []
    delete_sent = False
    for index, batch in enumerate(batches):
        last = index == len(batches) - 1
        with_delete = delete_mode and last and failed == 0
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
            failed += 1
            detail = cloud_errors.describe(exc.last if isinstance(exc, RetriesExhausted) else exc)
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
    return ReportOutcome(len(batches), failed, delete_sent, tuple(errors))
