"""A scheduled run: evaluate every RAM user with bounded concurrency.

1. ListVirtualMFADevices, once: a user bound to a virtual MFA device is COMPLIANT whatever
   their policies allow, so nothing more is asked about them. The listing is taken at the
   start of the sweep, like the user listing; a device unbound during the sweep shows at the
   next run (or at once through the change notification of that user).
2. Every other user (ListUsers pages, read in order since each Marker depends on the
   previous page) is evaluated by a pool of `max_concurrency` workers, policies first
   (`rule.evaluate_user_risk_first`): GetUserMFAInfo only for users at risk, which catches
   devices the virtual-device listing does not show (U2F) before reporting NON_COMPLIANT.
If ListVirtualMFADevices fails after retries, the sweep goes on as if no user had a virtual
device: every user's policies are read and every user at risk is confirmed with
GetUserMFAInfo. The verdicts are the same (only more calls are spent), so nothing becomes
COMPLIANT on that error; the failure is returned as a warning.
The shared token bucket inside the API wrapper caps the request rate of the whole invocation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from functions.common import logjson
from functions.mfa_rule import decide
from functions.mfa_rule.decide import Verdict
from functions.mfa_rule.facts import LookupFailed, UserRef, VirtualMfaBindings
from functions.mfa_rule.ram_facts import RamFacts
from functions.mfa_rule.rule import evaluate_user_risk_first

_log = logjson.get_logger("mfa_rule")


@dataclass(frozen=True)
class SweepResult:
    results: tuple[tuple[UserRef, Verdict], ...]
    listing_error: str | None  # set when not every user could be listed
    mfa_listing_error: str | None = None  # set when ListVirtualMFADevices failed (verdicts unaffected)

    @property
    def complete(self) -> bool:
        return self.listing_error is None


def sweep(facts: RamFacts, patterns: Sequence[str], *, max_concurrency: int) -> SweepResult:
    try:
        bindings = facts.virtual_mfa_devices()
        mfa_listing_error = None
    except LookupFailed as exc:
        bindings, mfa_listing_error = VirtualMfaBindings(), str(exc)
        logjson.log(_log, logging.WARNING, "virtual_mfa_listing_failed", error=mfa_listing_error)
    pending: list[tuple[UserRef, Verdict | Future[Verdict]]] = []
    listing_error = None
    with ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="mfa-rule") as pool:
        try:
            for user in facts.iter_users():
                device = bindings.device_for(user)
                if device is not None:
                    pending.append((user, decide.verdict(None, device, None, patterns)))
                else:
                    pending.append((user, pool.submit(evaluate_user_risk_first, facts, user.name, patterns)))
        except LookupFailed as exc:
            listing_error = str(exc)
        results = tuple(
            (user, outcome.result() if isinstance(outcome, Future) else outcome) for user, outcome in pending
        )
    return SweepResult(results, listing_error, mfa_listing_error)
