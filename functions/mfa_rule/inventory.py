"""The account as a graph, read in calls that grow with the policies that matter, not with users.

1. ListPolicies (System and Custom, 1,000 per page): `AttachmentCount` says which are attached.
2. GetPolicy per attached policy, through the container's version-keyed cache.
3. A policy *matters* when it has a Deny, or an Allow that could grant a dangerous pattern with
   every condition key unknown (the most it could ever allow). Any other policy cannot change
   any verdict, so who holds it is never asked.
4. ListEntitiesForPolicy per policy that matters: the users and groups holding it.
5. ListUsersForGroup per group holding one: its members.
Steps 2, 4 and 5 are pipelined (each API has its own quota): a policy's holders are asked as soon
as it is read, a group's members as soon as the group is seen.
A user's grants are then their own policies that matter, then their groups', in the order the
per-user lookups give (direct first). Users sharing one set of grants share one decision
(`RiskCache`), so the policy engine runs per distinct set, not per user.

A policy that cannot be read (or parsed) makes its holders' evaluations INSUFFICIENT_DATA
(`Inventory.broken`), never COMPLIANT; a listing that fails makes the inventory unusable
(LookupFailed), and the sweep says why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from functions.mfa_rule import decide
from functions.mfa_rule.decide import Grant, PathRisks
from functions.mfa_rule.facts import BadPolicyDocument, LookupFailed, PolicyRef
from functions.mfa_rule.ram_facts import RamFacts
from policies import OTHER_KEYS_UNKNOWN, Policy, holds


@dataclass(frozen=True)
class Inventory:
    grants: Mapping[str, tuple[Grant, ...]]  # user name -> grants that matter (absent: none)
    policies: Mapping[PolicyRef, Policy]
    broken: Mapping[str, str]  # user name -> why one of their policies could not be read

    def held(self, user: str) -> tuple[tuple[Grant, Policy], ...]:
        return tuple((g, self.policies[g.ref]) for g in self.grants.get(user, ()))


def matters(policy: Policy, patterns: Sequence[str]) -> bool:
    if any(s.effect == "Deny" for s in policy.statements):
        return True
    return any(holds([policy], p, {}, OTHER_KEYS_UNKNOWN).holds for p in patterns)


def read_inventory(facts: RamFacts, patterns: Sequence[str], *, max_concurrency: int) -> Inventory:
    """Raises LookupFailed when a listing fails: without it no verdict may rest on the graph."""
    attached = [ref for ref, count in facts.attached_policies() if count > 0]
    outcomes, entities, members = _read_graph(facts, patterns, attached, max_concurrency)
    # Completion order varies; the order below (ListPolicies', then unreadable ones) does not, and
    # a user's grants follow it, so the policy an annotation names is always the same one.
    relevant: dict[PolicyRef, Policy] = {}
    unreadable: dict[PolicyRef, str] = {}
    for ref in attached:
        outcome = outcomes[ref]
        if isinstance(outcome, str):
            unreadable[ref] = outcome
        elif ref in entities:  # it matters
            relevant[ref] = outcome
    wanted = [*relevant, *unreadable]

    direct: dict[str, list[Grant]] = {}
    via_groups: dict[str, list[Grant]] = {}
    broken: dict[str, str] = {}
    for ref in wanted:
        users, held_by = entities[ref]
        for user in users:
            direct.setdefault(user, []).append(Grant(ref))
        for group in held_by:
            for user in members[group]:
                via_groups.setdefault(user, []).append(Grant(ref, group))
        if ref in unreadable:
            for user in {*users, *(u for g in held_by for u in members[g])}:
                broken.setdefault(user, unreadable[ref])
    grants = {
        user: tuple(direct.get(user, [])) + tuple(via_groups.get(user, []))
        for user in {*direct, *via_groups}
        if user not in broken
    }
    return Inventory(grants, relevant, broken)


def _read_graph(
    facts: RamFacts, patterns: Sequence[str], attached: Sequence[PolicyRef], max_concurrency: int
) -> tuple[
    dict[PolicyRef, Policy | str],
    dict[PolicyRef, tuple[tuple[str, ...], tuple[str, ...]]],
    dict[str, tuple[str, ...]],
]:
    """GetPolicy per attached policy; ListEntitiesForPolicy as soon as one turns out to matter (or
    cannot be read); ListUsersForGroup as soon as a group is first seen holding one. Pipelined,
    because each API has its own quota: the three listings overlap instead of waiting in turn."""
    outcomes: dict[PolicyRef, Policy | str] = {}
    entities: dict[PolicyRef, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    members: dict[str, tuple[str, ...]] = {}
    pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="mfa-inventory")
    jobs: dict[Future[Any], tuple[str, Any]] = {}
    to_read = iter(attached)

    def read_next() -> None:
        ref = next(to_read, None)
        if ref is not None:
            jobs[pool.submit(_read, facts, ref)] = ("policy", ref)

    try:
        # The queue is first in, first out: a few reads at a time, so the listings a read
        # unlocks run next instead of behind every remaining read.
        for _ in range(max(1, max_concurrency // 2)):
            read_next()
        while jobs:
            done, _ = wait(jobs, return_when=FIRST_COMPLETED)
            for job in done:
                kind, key = jobs.pop(job)
                result = job.result()  # a listing's LookupFailed ends the inventory
                if kind == "policy":
                    read_next()
                    outcomes[key] = result
                    if isinstance(result, str) or matters(result, patterns):
                        jobs[pool.submit(facts.policy_entities, key)] = ("entities", key)
                elif kind == "entities":
                    entities[key] = result
                    for group in result[1]:
                        if group not in members:
                            members[group] = ()
                            jobs[pool.submit(facts.group_members, group)] = ("members", group)
                else:
                    members[key] = result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return outcomes, entities, members


def _read(facts: RamFacts, ref: PolicyRef) -> Policy | str:
    try:
        return facts.policy(ref)
    except (LookupFailed, BadPolicyDocument) as exc:
        return str(exc)


class RiskCache:
    """`PathRisks` per distinct set of grants, computed once (single-flight across workers)."""

    def __init__(self, patterns: Sequence[str], paths: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self.paths = tuple(paths)
        self._done: dict[tuple[Grant, ...], PathRisks] = {}
        self._locks: dict[tuple[Grant, ...], threading.Lock] = {}
        self._lock = threading.Lock()
        # Each policy's own answers, for every user holding it (decide.find_risk).
        self._memo: decide.HoldsMemo = {}

    def risks(self, inventory: Inventory, user: str) -> PathRisks:
        key = inventory.grants.get(user, ())
        return self._get(
            key, lambda: decide.path_risks(inventory.held(user), self.patterns, self.paths, self._memo)
        )

    def _get(self, key: tuple[Grant, ...], compute: Callable[[], PathRisks]) -> PathRisks:
        with self._lock:
            if key in self._done:
                return self._done[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._done:
                    return self._done[key]
            value = compute()
            with self._lock:
                self._done[key] = value
            return value

    def __len__(self) -> int:
        return len(self._done)
