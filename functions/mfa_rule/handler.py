"""FC entry point of the MFA rule: event -> verdicts -> PutEvaluations. Never raises.

- Change notification (or a scheduled/manual run naming one resource): evaluate that user.
  An OVERSIZE item is fetched first with GetDiscoveredResource.
- Scheduled/manual run without a configuration item: evaluate every user (ListUsers pages;
  users bound to a virtual MFA device known from one ListVirtualMFADevices call, see
  sweep.py) and report them all, with DeleteMode on the final batch when the listing was
  complete (see report.py), so deleted users drop out.
- A malformed event is logged with the field at fault and reported nowhere. If only the rule
  parameters are bad and the event names one resource, that resource is reported
  INSUFFICIENT_DATA naming the parameter, which cannot be mistaken for a verdict.
- Failures after retries become INSUFFICIENT_DATA with the reason, never COMPLIANT.
- The aggregate rule (rule parameter `accountScope` = `organization`): its sweep evaluates the
  member accounts of MEMBER_ACCOUNTS (only the event's account when that is one of them: Config
  may invoke once per member), each through its reader role (org_sweep.py), every evaluation
  with the member's accountId. A member that cannot be read is reported INSUFFICIENT_DATA as an
  account (ACCOUNT_RESOURCE_TYPE) with the reason, and DeleteMode is then never sent. A change
  notification for a member's user is evaluated through that member's role.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from functions.common import credentials, entry, logjson
from functions.common.errors import EventError
from functions.common.retry import Deadline
from functions.common.runtime import Runtime
from functions.common.tea_api import CallSettings, TeaApi
from functions.mfa_rule import clients, credential_report, decide, settings
from functions.mfa_rule.credential_report import CredentialReport
from functions.mfa_rule.decide import Verdict
from functions.mfa_rule.discovered import fetch_item
from functions.mfa_rule.event import (
    ACCOUNT,
    ORGANIZATION,
    RAM_USER,
    RuleEvent,
    account_scope,
    dangerous_actions,
    parse_event,
    rule_paths,
)
from functions.mfa_rule.facts import LookupFailed
from functions.mfa_rule.members import AssumeFailed, MemberSessions
from functions.mfa_rule.org_sweep import AccountSweep, MemberWiring, member_facts, rotation, sweep_accounts
from functions.mfa_rule.ram_facts import RamFacts
from functions.mfa_rule.report import Resource, put_evaluations, record
from functions.mfa_rule.rule import Rule
from functions.mfa_rule.settings import Settings
from functions.mfa_rule.sweep import sweep

# RAM users are not regional: Cloud Config's documentation shows ACS::RAM::User items in region
# `global` (an older custom-rule sample shows the rule's region instead), so a sweep reports them
# there, and a change notification echoes the configuration item's own regionId.
RAM_REGION = "global"
# A member account that could not be read at all is reported as the account itself (Config's
# account-level resource type); a first real deployment must confirm Config accepts it on a rule
# scoped to ACS::RAM::User (README "Organization scale-out").
ACCOUNT_RESOURCE_TYPE = "ACS::::Account"
_log = logjson.get_logger("mfa_rule")


def handler(event: object, context: object) -> dict[str, Any]:
    return entry.run(event, context, settings.from_env, _handle, _log)


def handle(event: object, context: object, runtime: Runtime[Settings]) -> dict[str, Any]:
    return entry.guarded(_handle, event, context, runtime, _log)


def _handle(event: object, context: object, runtime: Runtime[Settings]) -> dict[str, Any]:
    conf = runtime.settings
    logjson.configure(conf.log_level)
    deadline = Deadline(conf.time_budget_seconds, runtime.clock)
    try:
        ev = parse_event(event)
    except EventError as exc:
        logjson.log(_log, logging.ERROR, "malformed_event", field=exc.field, reason=exc.reason)
        return entry.rejected(exc.field, exc.reason)
    scope = ACCOUNT
    try:
        rule: Rule | None = Rule(
            dangerous_actions(ev.rule_parameters),
            rule_paths(ev.rule_parameters),
            conf.exempt_users,
            runtime.today(),
        )
        scope = account_scope(ev.rule_parameters)
        param_error = None
    except EventError as exc:
        rule, param_error = None, exc
        logjson.log(_log, logging.ERROR, "malformed_rule_parameters", field=exc.field, reason=exc.reason)
        if ev.sweep:
            return entry.rejected(exc.field, exc.reason)
    if scope == ORGANIZATION and not conf.members:
        reason = "organization, but MEMBER_ACCOUNTS lists no member account to read"
        logjson.log(_log, logging.ERROR, "no_member_accounts", reason=reason)
        return entry.rejected("ruleParameters.accountScope", reason)
    try:
        creds = credentials.resolve(context, runtime.environ)
    except credentials.CredentialsError as exc:
        logjson.log(_log, logging.ERROR, "no_credentials", error=str(exc))
        return entry.failed(str(exc))

    region = conf.region or _context_region(context)
    call = CallSettings(conf.retry, conf.connect_timeout, conf.read_timeout, runtime.sleep, runtime.rng)
    gathering = deadline.sub(conf.report_reserve_seconds)
    ram_api = TeaApi(
        clients.ram_client(creds, conf, region),
        settings=call,
        deadline=gathering,
        limiter=clients.rate_limits(conf, runtime.clock, runtime.sleep),
    )
    ims_api = TeaApi(
        clients.ims_client(creds, conf, region),
        settings=call,
        deadline=gathering,
        limiter=clients.rate_limits(conf, runtime.clock, runtime.sleep),
    )
    config_api = TeaApi(clients.config_client(creds, conf, region), settings=call, deadline=deadline)
    facts = RamFacts(ram_api, page_size=conf.list_page_size, ims_api=ims_api)

    if scope == ORGANIZATION:
        sessions = MemberSessions(
            TeaApi(clients.sts_client(creds, conf, region), settings=call, deadline=gathering),
            caller_key_id=creds.access_key_id,
            role_name=conf.member_role_name,
            external_id=conf.member_external_id,
            keep_for_seconds=conf.time_budget_seconds + 60,
        )
        wiring = MemberWiring(conf, region, call, gathering, runtime.clock, runtime.sleep)
        owner = ev.account_id
        if ev.sweep and rule is not None:
            # Config may invoke the aggregate rule once per member (the event then names it) or
            # once for the group (the administrator's account): both are answered.
            accounts = (
                (owner,)
                if owner in conf.members
                else rotation(
                    conf.members, ev.ordering_timestamp, conf.max_accounts_in_flight, conf.sweep_period_hours
                )
            )
            return _org_sweep(ev, config_api, rule, sweep_accounts(accounts, sessions, rule, wiring))
        if owner in conf.members:
            try:
                facts = member_facts(owner, sessions.credentials(owner), wiring)[0]
            except AssumeFailed as exc:
                param_error = EventError("invokingEvent.accountId", f"member account unreadable: {exc}")
                rule = None
        elif owner is not None and owner != conf.account_id:
            param_error = EventError(
                "invokingEvent.accountId", f"account {owner} is not one of MEMBER_ACCOUNTS (no reader role)"
            )
            rule = None

    if ev.sweep and rule is not None:
        report = functools.partial(
            credential_report.fetch,
            ims_api,
            now=lambda: datetime.datetime.now(datetime.timezone.utc),
            max_age=datetime.timedelta(seconds=conf.credential_report_max_age_seconds),
            sleep=runtime.sleep,
        )
        return _sweep(ev, facts, config_api, rule, conf, report)
    return _single(ev, facts, config_api, rule, param_error)


def _single(
    ev: RuleEvent,
    facts: RamFacts,
    config_api: TeaApi,
    rule: Rule | None,
    param_error: EventError | None,
) -> dict[str, Any]:
    item = ev.item
    if item is None:  # parse_event only builds a non-sweep event with an item; never report blind
        return entry.rejected("invokingEvent.configurationItem", "missing")
    resource = Resource(item.resource_id, item.user_name, item.resource_type, item.region_id, ev.account_id)
    verdict: Verdict | None = None
    if param_error is not None:
        verdict = decide.insufficient(
            f"rule parameter {param_error}"
            if param_error.field.startswith("ruleParameters")
            else str(param_error)
        )
    elif ev.oversize:
        try:
            item, deleted = fetch_item(config_api, item)
            resource = Resource(
                item.resource_id, item.user_name, item.resource_type, item.region_id, ev.account_id
            )
            if deleted:
                verdict = decide.not_applicable("Config records the resource as deleted")
        except LookupFailed as exc:
            verdict = decide.insufficient(f"oversized item: {exc}")
    if verdict is None:
        if item.resource_type != RAM_USER:
            verdict = decide.not_applicable(
                f"resource type {item.resource_type} is not evaluated by this rule"
            )
        elif not item.user_name:
            verdict = decide.insufficient("the configuration item names no RAM user")
        elif rule is None:
            verdict = decide.insufficient(f"rule parameter {param_error}")
        else:
            verdict = rule.evaluate(facts, item.user_name)
    evaluation = record(resource, verdict, ev.ordering_timestamp)
    outcome = put_evaluations(config_api, ev.result_token, [evaluation])
    logjson.log(
        _log,
        logging.INFO,
        "evaluated",
        user=resource.name,
        resource_id=resource.resource_id,
        compliance=verdict.compliance_type,
        annotation=verdict.annotation,
        reported=outcome.ok,
    )
    return {
        "status": outcome.status,
        "messageType": ev.message_type,
        "evaluations": [evaluation],
        "errors": list(outcome.errors),
    }


def _sweep(
    ev: RuleEvent,
    facts: RamFacts,
    config_api: TeaApi,
    rule: Rule,
    conf: Settings,
    report: Callable[[], CredentialReport],
) -> dict[str, Any]:
    result = sweep(facts, rule, max_concurrency=conf.max_concurrency, credential_report=report)
    records = []
    for user, verdict in result.results:
        records.append(
            record(
                Resource(user.user_id, user.name, RAM_USER, RAM_REGION, ev.account_id),
                verdict,
                ev.ordering_timestamp,
            )
        )
        if verdict.compliance_type in (decide.NON_COMPLIANT, decide.INSUFFICIENT_DATA):
            logjson.log(
                _log,
                logging.INFO,
                "evaluated",
                user=user.name,
                compliance=verdict.compliance_type,
                annotation=verdict.annotation,
            )
    counts = Counter(r["complianceType"] for r in records)
    # Not errors of the report: without those listings every verdict was still established per user.
    warnings = list(result.warnings)
    errors: list[str] = []
    if result.listing_error:
        errors.append(f"user listing incomplete: {result.listing_error}")
    outcome = None
    if records:
        outcome = put_evaluations(config_api, ev.result_token, records, delete_mode=result.complete)
        errors.extend(outcome.errors)
    if outcome is None:
        status = "failed" if errors else "reported"
    elif result.listing_error and outcome.status in ("reported", "unconfirmed"):
        status = "partial"  # what was reported arrived, but not every user was listed
    else:
        status = outcome.status
    delete_sent = bool(outcome and outcome.delete_mode_sent)
    return _sweep_result("sweep_done", ev, status, len(records), counts, delete_sent, errors, warnings)


def _org_sweep(
    ev: RuleEvent, config_api: TeaApi, rule: Rule, sweeps: tuple[AccountSweep, ...]
) -> dict[str, Any]:
    """Report every member's users; an unreadable member as the account, INSUFFICIENT_DATA."""
    records: list[dict[str, Any]] = []
    unreadable: list[dict[str, Any]] = []
    errors: list[str] = []
    warnings: list[str] = []
    accounts: dict[str, dict[str, Any]] = {}
    for done in sweeps:
        account = done.account_id
        if done.result is None:
            reason = done.error or "not read"
            errors.append(reason)
            resource = Resource(account, None, ACCOUNT_RESOURCE_TYPE, RAM_REGION, account)
            verdict = decide.insufficient(f"the member account's users could not be read: {reason}")
            unreadable.append(record(resource, verdict, ev.ordering_timestamp))
            accounts[account] = {"users": 0, "complete": False, "error": reason}
            continue
        mine = [
            record(Resource(u.user_id, u.name, RAM_USER, RAM_REGION, account), verdict, ev.ordering_timestamp)
            for u, verdict in done.result.results
        ]
        records.extend(mine)
        if done.result.listing_error:
            errors.append(f"account {account}: user listing incomplete: {done.result.listing_error}")
        warnings.extend(f"account {account}: {w}" for w in done.result.warnings)
        accounts[account] = {
            "users": len(mine),
            "complete": done.complete,
            "counts": dict(sorted(Counter(r["complianceType"] for r in mine).items())),
        }
    # One token for the whole run: DeleteMode would drop the results of a member not read, so it
    # is sent only when every member's listing was complete.
    complete = all(done.complete for done in sweeps)
    outcomes = []
    if records:
        outcomes.append(put_evaluations(config_api, ev.result_token, records, delete_mode=complete))
    if unreadable:  # a batch of their own: a refusal of the account records loses no user's
        outcomes.append(put_evaluations(config_api, ev.result_token, unreadable))
    not_read = bool(errors)  # a member unread or not fully listed
    for outcome in outcomes:
        errors.extend(outcome.errors)
    statuses = {o.status for o in outcomes}
    if not outcomes:
        status = "failed" if not_read else "reported"
    elif statuses <= {"reported", "unconfirmed"}:
        status = "partial" if not_read else ("reported" if statuses == {"reported"} else "unconfirmed")
    else:
        status = "failed" if statuses == {"failed"} else "partial"
    counts = Counter(r["complianceType"] for r in records + unreadable)
    delete_sent = any(o.delete_mode_sent for o in outcomes)
    result = _sweep_result(
        "organization_sweep_done", ev, status, len(records), counts, delete_sent, errors, warnings,
        accounts=len(sweeps),
    )
    return {**result, "accounts": accounts}


def _sweep_result(
    log_event: str,
    ev: RuleEvent,
    status: str,
    users: int,
    counts: Counter[str],
    delete_sent: bool,
    errors: list[str],
    warnings: list[str],
    **logged: Any,
) -> dict[str, Any]:
    """The one result shape of both sweeps (DESIGN.md "Function contracts"), logged as it
    returns (with `logged` fields on the log line only)."""
    logjson.log(
        _log,
        logging.INFO if not errors else logging.ERROR,
        log_event,
        users=users,
        counts=dict(counts),
        delete_mode=delete_sent,
        errors=errors,
        warnings=warnings,
        **logged,
    )
    return {
        "status": status,
        "messageType": ev.message_type,
        "users": users,
        "counts": dict(sorted(counts.items())),
        "deleteMode": delete_sent,
        "errors": errors,
        "warnings": warnings,
    }


def _context_region(context: object) -> str | None:
    region = getattr(context, "region", None)
    return region if isinstance(region, str) and region else None
