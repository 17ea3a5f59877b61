"""A scheduled run: evaluate every RAM user with bounded concurrency.

Pages of ListUsers are read in order (each Marker depends on the previous page) while the
users already listed are evaluated by a pool of `max_concurrency` workers; the shared token
bucket inside the API wrapper caps the request rate of the whole invocation.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from functions.mfa_rule.decide import Verdict
from functions.mfa_rule.facts import LookupFailed, UserRef
from functions.mfa_rule.ram_facts import RamFacts
from functions.mfa_rule.rule import evaluate_user


@dataclass(frozen=True)
class SweepResult:
    results: tuple[tuple[UserRef, Verdict], ...]
    listing_error: str | None  # set when not every user could be listed

    @property
    def complete(self) -> bool:
        return self.listing_error is None


def sweep(facts: RamFacts, patterns: Sequence[str], *, max_concurrency: int) -> SweepResult:
    pending: list[tuple[UserRef, Future[Verdict]]] = []
    listing_error = None
    with ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="mfa-rule") as pool:
        try:
            for user in facts.iter_users():
                pending.append((user, pool.submit(evaluate_user, facts, user.name, patterns)))
        except LookupFailed as exc:
            listing_error = str(exc)
        results = tuple((user, future.result()) for user, future in pending)
    return SweepResult(results, listing_error)
