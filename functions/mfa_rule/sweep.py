"""A scheduled run: evaluate every RAM user, in calls that grow with what matters, not with users.

1. ListVirtualMFADevices, once: users bound to a virtual device need no GetUserMFAInfo.
2. The inventory (inventory.py): the policies that could matter and who holds them, so each
   user's policy verdict per path comes from the graph, computed once per distinct grant set.
3. The IMS credential report when a fresh one can be had (credential_report.py): MFA, password
   and AccessKey state of every user at once.
4. ListUsers pages (1,000 per page). A user none of whose paths is at risk is COMPLIANT with no
   further call; the others (candidates) are evaluated by a pool of `max_concurrency` workers
   that read only the credential facts their at-risk paths need and the listings did not give
   (GetUserMFAInfo, GetLoginProfile, ListAccessKeys).
Fallbacks never weaken a verdict: without the virtual-device listing or the report every
candidate is asked per user; without the inventory every user's policies are read per user (as a change
notification does). Both are returned as warnings. A user listing that fails or loops (a
Marker seen before) ends the sweep with what was established: `complete` is False, so no
DeleteMode is sent and nothing is deleted on a partial view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from functions.common import logjson
from functions.mfa_rule.credential_report import CredentialReport, ReportUnavailable
from functions.mfa_rule.decide import Verdict
from functions.mfa_rule.facts import LookupFailed, MfaDevice, UserRef, VirtualMfaBindings
from functions.mfa_rule.inventory import Inventory, RiskCache, read_inventory
from functions.mfa_rule.ram_facts import RamFacts
from functions.mfa_rule.rule import Known, Rule

_log = logjson.get_logger("mfa_rule")


@dataclass(frozen=True)
class SweepResult:
    results: tuple[tuple[UserRef, Verdict], ...]
    listing_error: str | None  # set when not every user could be listed
    mfa_listing_error: str | None = None  # set when ListVirtualMFADevices failed (verdicts unaffected)
    inventory_error: str | None = None  # set when the inventory failed (per-user reads instead)
    policy_sets: int = 0  # distinct grant sets decided
    report_error: str | None = None  # why no fresh credential report was used (per-user calls instead)
    undated_users: int = 0  # users whose report row went unused: ListUsers gave no readable CreateDate

    @property
    def complete(self) -> bool:
        return self.listing_error is None

    @property
    def warnings(self) -> tuple[str, ...]:
        found = []
        if self.mfa_listing_error:
            found.append(
                f"virtual MFA listing unavailable, devices confirmed per user: {self.mfa_listing_error}"
            )
        if self.inventory_error:
            found.append(f"policy inventory unavailable, policies read per user: {self.inventory_error}")
        if self.report_error:
            found.append(f"credential report not used, credentials read per user: {self.report_error}")
        if self.undated_users:
            found.append(
                f"credential report not used for {self.undated_users} users whose ListUsers CreateDate "
                "is unreadable (a row could be a deleted namesake's): their credentials read per user"
            )
        return tuple(found)


def known_for(user: UserRef, bindings: VirtualMfaBindings, report: CredentialReport | None) -> Known:
    """What the bulk listings say about one user's credentials (nothing, when they do not name them)."""
    listed = bindings.device_for(user)
    row = None
    # Rows are keyed by name: one for a user created after the report is a deleted namesake's.
    if report is not None and user.created is not None and user.created < report.generated:
        row = report.row(user.name)
    if row is None:
        return Known.bound(listed)
    device = listed or (MfaDevice("", "") if row.mfa_active else None)
    return Known(True, device, password=row.password_exist, no_active_key=not row.any_key_active)


def sweep(
    facts: RamFacts,
    rule: Rule,
    *,
    max_concurrency: int,
    credential_report: Callable[[], CredentialReport] | None = None,
) -> SweepResult:
    # The report's generation polls wait on IMS, not on RAM: they run beside the inventory.
    side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mfa-report")
    report_job = side.submit(credential_report) if credential_report is not None else None
    side.shutdown(wait=False)
    try:
        bindings = facts.virtual_mfa_devices()
        mfa_listing_error = None
    except LookupFailed as exc:
        bindings, mfa_listing_error = VirtualMfaBindings(), str(exc)
        logjson.log(_log, logging.WARNING, "virtual_mfa_listing_failed", error=mfa_listing_error)
    inventory: Inventory | None = None
    inventory_error = None
    try:
        inventory = read_inventory(facts, rule.patterns, max_concurrency=max_concurrency)
    except LookupFailed as exc:
        inventory_error = str(exc)
        logjson.log(_log, logging.WARNING, "inventory_failed", error=inventory_error)
    report: CredentialReport | None = None
    report_error = None
    if report_job is not None:
        try:
            report = report_job.result()
        except ReportUnavailable as exc:
            report_error = str(exc)
            logjson.log(_log, logging.WARNING, "credential_report_unavailable", error=report_error)
    cache = RiskCache(rule.patterns, rule.paths)
    pending: list[tuple[UserRef, Verdict | Future[Verdict]]] = []
    seen: set[tuple[str, str]] = set()
    listing_error = None
    with ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="mfa-rule") as pool:
        try:
            for user in facts.iter_users():
                if (user.name, user.user_id) in seen:
                    continue  # a listing that repeats itself: each user is reported once
                seen.add((user.name, user.user_id))
                known = known_for(user, bindings, report)
                if inventory is None:
                    pending.append(
                        (user, pool.submit(rule.evaluate_risk_first, facts, user.name, None, known))
                    )
                    continue
                broken = inventory.broken.get(user.name)
                risks = None if broken else cache.risks(inventory, user.name)
                if risks is not None and not risks.any:
                    pending.append((user, rule.evaluate_risk_first(facts, user.name, risks, known)))
                else:
                    job = pool.submit(rule.evaluate_risk_first, facts, user.name, risks, known, broken)
                    pending.append((user, job))
        except LookupFailed as exc:
            listing_error = str(exc)
        results = tuple(
            (user, outcome.result() if isinstance(outcome, Future) else outcome) for user, outcome in pending
        )
    undated = sum(user.created is None for user, _ in results) if report is not None else 0
    return SweepResult(
        results, listing_error, mfa_listing_error, inventory_error, len(cache), report_error, undated
    )
