"""The account as a graph, read in calls that grow with the policies that matter, not with users.

1. ListPolicies (System and Custom, 1,000 per page): `AttachmentCount` says which are attached.
2. GetPolicy per attached policy, through the container's version-keyed cache.
3. A policy *matters* when it has a Deny, or an Allow that could grant a dangerous pattern with
   every condition key unknown (the most it could ever allow). Any other policy cannot change
   any verdict, so who holds it is never asked.
4. ListEntitiesForPolicy per policy that matters: the users and groups holding it.
5. ListUsersForGroup per group holding one: its members.
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

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
    relevant: dict[PolicyRef, Policy] = {}
    unreadable: dict[PolicyRef, str] = {}
    with ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="mfa-inventory") as pool:
        for ref, outcome in zip(attached, pool.map(lambda r: _read(facts, r), attached), strict=True):
            if isinstance(outcome, str):
                unreadable[ref] = outcome
            elif matters(outcome, patterns):
                relevant[ref] = outcome
        wanted = [*relevant, *unreadable]
        entities = dict(zip(wanted, pool.map(facts.policy_entities, wanted), strict=True))
        groups = sorted({g for _, held_by in entities.values() for g in held_by})
        members = dict(zip(groups, pool.map(facts.group_members, groups), strict=True))

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

    def risks(self, inventory: Inventory, user: str) -> PathRisks:
        key = inventory.grants.get(user, ())
        return self._get(key, lambda: decide.path_risks(inventory.held(user), self.patterns, self.paths))

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
