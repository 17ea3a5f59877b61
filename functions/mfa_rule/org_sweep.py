"""The sweep of the aggregate rule: every member account, each through its own reader role.

Per member: STS credentials of its reader role (members.py, cached), RAM and IMS clients built
from them, one set of per-API limiters of its own (RAM's flow control is per account: a member
near its quota slows only itself), its own policy-document cache (a Custom policy's name and
version identify it only within its account), and the single-account sweep (sweep.py) with the
member's credential report. Up to `max_accounts_in_flight` members are swept at once, each with
`max_concurrency` workers, all under the invocation's one deadline.

A member whose role cannot be assumed, or whose sweep fails outright, comes back with the reason
and no results: the handler reports it INSUFFICIENT_DATA and never sends DeleteMode.

The budget holds the organization only up to a size (README, "Organization capacity"). Past it,
a member is not started once the time left is less than the longest member sweep so far in this
invocation: it would most likely be cut off mid-sweep, its calls failing one by one against the
deadline, and spend quota and time the reporting needs. Such a member comes back with that
reason, INSUFFICIENT_DATA like an unreadable one, so an organization too large for one
invocation is said so by Config, never silently cut short. And so that it is never the same
members that go unswept, each scheduled sweep starts one wave (`max_accounts_in_flight` members)
further along the list than the one before (`rotation`): a member is swept in at least W of
every T consecutive sweeps, W being the whole waves one invocation holds and T the waves the
list makes.
"""

from __future__ import annotations

import datetime
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from functions.common import logjson
from functions.common.credentials import Credentials
from functions.common.once import OnceMap
from functions.common.retry import Deadline
from functions.common.tea_api import CallSettings, TeaApi
from functions.mfa_rule import clients, credential_report
from functions.mfa_rule.facts import PolicyRef
from functions.mfa_rule.members import AssumeFailed, MemberSessions
from functions.mfa_rule.ram_facts import RamFacts
from functions.mfa_rule.rule import Rule
from functions.mfa_rule.settings import Settings
from functions.mfa_rule.sweep import SweepResult, sweep
from policies import Policy

_log = logjson.get_logger("mfa_rule")

# Policy documents per member account, for the life of the container (ram_facts.POLICY_CACHE is
# the single-account one: keyed by type, name and version, which two accounts may share).
_MEMBER_POLICY_CACHES: dict[str, OnceMap[PolicyRef, Policy]] = {}
_CACHES_LOCK = threading.Lock()


def member_policy_cache(account_id: str) -> OnceMap[PolicyRef, Policy]:
    with _CACHES_LOCK:
        return _MEMBER_POLICY_CACHES.setdefault(account_id, OnceMap(max_entries=1024))


def clear_member_policy_caches() -> None:
    with _CACHES_LOCK:
        _MEMBER_POLICY_CACHES.clear()


@dataclass(frozen=True)
class AccountSweep:
    account_id: str
    result: SweepResult | None
    error: str | None = None  # why the member could not be swept at all

    @property
    def complete(self) -> bool:
        return self.result is not None and self.result.complete


@dataclass(frozen=True)
class MemberWiring:
    """What every member's clients share: settings, retry policy, the deadline, time sources."""

    conf: Settings
    region: str | None
    call: CallSettings
    deadline: Deadline
    clock: Callable[[], float]
    sleep: Callable[[float], None]


HOUR_MS = 3_600_000


def rotation(
    accounts: Sequence[str], ordering_timestamp_ms: int, wave: int, period_hours: int = 1
) -> tuple[str, ...]:
    """`accounts` starting `wave` members further along for each sweep period of the event's time
    (counting hours would leave the start in place whenever the period shares a factor with the
    number of waves: every three hours over three waves, say)."""
    if not accounts:
        return ()
    wave = max(1, wave)
    waves = -(-len(accounts) // wave)
    start = (ordering_timestamp_ms // (HOUR_MS * max(1, period_hours))) % waves * wave
    return (*accounts[start:], *accounts[:start])


def sweep_accounts(
    accounts: Sequence[str], sessions: MemberSessions, rule: Rule, wiring: MemberWiring
) -> tuple[AccountSweep, ...]:
    """Each account's sweep, in the order given, at most `max_accounts_in_flight` at a time."""
    if not accounts:
        return ()
    workers = max(1, min(wiring.conf.max_accounts_in_flight, len(accounts)))
    pacing = _Pacing(wiring.clock)

    def run(account: str) -> AccountSweep:
        refused = pacing.refusal(account, wiring.deadline.remaining())
        if refused is not None:
            logjson.log(_log, logging.ERROR, "member_not_swept", account=account, error=refused.error)
            return refused
        return pacing.timed(lambda: _sweep_member(account, sessions, rule, wiring))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfa-rule-account") as pool:
        return tuple(pool.map(run, accounts))


class _Pacing:
    """What starting one more member may take: the longest member sweep of this invocation, or
    longer if a member still running has already taken longer (the first to finish are the
    quickest, so finished sweeps alone would underestimate while a wave is under way)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._longest = 0.0
        self._running: dict[int, float] = {}  # worker thread -> when its member started
        self._lock = threading.Lock()

    def refusal(self, account_id: str, time_left: float) -> AccountSweep | None:
        now = self._clock()
        with self._lock:
            longest = max(self._longest, *(now - t for t in self._running.values()), 0.0)
        if time_left >= longest:
            return None
        return AccountSweep(
            account_id,
            None,
            f"account {account_id}: not swept: {max(time_left, 0.0):.0f} s of the invocation's time "
            f"budget left, less than the longest member sweep so far ({longest:.0f} s); the "
            "organization is larger than one invocation holds (README, \"Organization capacity\")",
        )

    def timed(self, sweep_one: Callable[[], AccountSweep]) -> AccountSweep:
        # A worker thread sweeps one member at a time: its id names the sweep under way.
        worker = threading.get_ident()
        with self._lock:
            self._running[worker] = started = self._clock()
        try:
            return sweep_one()
        finally:
            with self._lock:
                del self._running[worker]
                self._longest = max(self._longest, self._clock() - started)


def _sweep_member(
    account_id: str, sessions: MemberSessions, rule: Rule, wiring: MemberWiring
) -> AccountSweep:
    try:
        creds = sessions.credentials(account_id)
    except AssumeFailed as exc:
        logjson.log(_log, logging.ERROR, "member_assume_failed", account=account_id, error=str(exc))
        return AccountSweep(account_id, None, str(exc))
    try:
        facts, ims_api = member_facts(account_id, creds, wiring)
        report = functools.partial(
            credential_report.fetch,
            ims_api,
            now=lambda: datetime.datetime.now(datetime.timezone.utc),
            max_age=datetime.timedelta(seconds=wiring.conf.credential_report_max_age_seconds),
            sleep=wiring.sleep,
        )
        result = sweep(facts, rule, max_concurrency=wiring.conf.max_concurrency, credential_report=report)
    except Exception as exc:  # one member's failure must not take the others' results with it
        error = f"account {account_id}: sweep failed: {type(exc).__name__}: {exc}"
        logjson.log(_log, logging.ERROR, "member_sweep_failed", account=account_id, error=error)
        return AccountSweep(account_id, None, error)
    return AccountSweep(account_id, result)


def member_facts(account_id: str, creds: Credentials, wiring: MemberWiring) -> tuple[RamFacts, TeaApi]:
    """RamFacts over the member's RAM and IMS with its own limiters and policy cache; and its IMS API."""
    conf = wiring.conf
    ram_api = TeaApi(
        clients.ram_client(creds, conf, wiring.region),
        settings=wiring.call,
        deadline=wiring.deadline,
        limiter=clients.rate_limits(conf, wiring.clock, wiring.sleep),
    )
    ims_api = TeaApi(
        clients.ims_client(creds, conf, wiring.region),
        settings=wiring.call,
        deadline=wiring.deadline,
        limiter=clients.rate_limits(conf, wiring.clock, wiring.sleep),
    )
    facts = RamFacts(
        ram_api, page_size=conf.list_page_size, ims_api=ims_api, cache=member_policy_cache(account_id)
    )
    return facts, ims_api
