"""One user's evaluation over any FactsSource: gather, decide, and fail closed.

`Rule` carries what every evaluation of one invocation shares: the patterns, the paths
checked, the exemptions and the day they are judged on. Two orders of lookups give the same
verdict:
- `evaluate` (one user, e.g. a change notification): the credential facts first (MFA device,
  login profile, AccessKeys), since a user with no open path is COMPLIANT whatever their
  policies allow; the policies only when some path is open.
- `evaluate_risk_first` (a sweep, where policy verdicts are shared by many users): the
  policies first, and the credential facts only for users some path of whom is at risk.
An exempt user is COMPLIANT without any lookup; an expired exemption no longer applies.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from functions.common import exemptions, logjson
from functions.common.exemptions import Exemption
from functions.mfa_rule import decide
from functions.mfa_rule.decide import ACCESS_KEY, CONSOLE, PATHS, Grant, PathRisks, UserFacts, Verdict
from functions.mfa_rule.facts import (
    BadPolicyDocument,
    FactsSource,
    LoginProfile,
    LookupFailed,
    MfaDevice,
    SecurityPreference,
    UserGone,
)

_log = logjson.get_logger("mfa_rule")


@dataclass(frozen=True)
class Known:
    """Credential facts a sweep already holds from bulk listings, so no per-user call asks again.

    `device_known`: `device` is the truth (a virtual device listed, or the credential report's
    mfa_active); `password`: the report's password_exist (None: not known); `no_active_key`: the
    report shows no active AccessKey."""

    device_known: bool = False
    device: MfaDevice | None = None
    password: bool | None = None
    no_active_key: bool = False

    @classmethod
    def bound(cls, device: MfaDevice | None) -> Known:
        return cls(device_known=device is not None, device=device)


NOTHING_KNOWN = Known()


@dataclass(frozen=True)
class Rule:
    patterns: tuple[str, ...]
    paths: tuple[str, ...] = PATHS
    exemptions: tuple[Exemption, ...] = ()
    today: datetime.date | None = None  # None: today in UTC, when evaluating

    def _day(self) -> datetime.date:
        return self.today or datetime.datetime.now(datetime.timezone.utc).date()

    def exemption_for(self, user: str) -> tuple[Exemption | None, Exemption | None]:
        """(the exemption that applies, else the most recent expired one)."""
        day = self._day()
        active = exemptions.find(self.exemptions, user, day)
        if active is not None:
            return active, None
        expired = [e for e in self.exemptions if e.name == user]
        return None, max(expired, key=lambda e: e.expires) if expired else None

    def evaluate(self, source: FactsSource, user: str) -> Verdict:
        """Credential facts first. Never raises: a deleted user is NOT_APPLICABLE, any other
        failure INSUFFICIENT_DATA."""
        active, expired = self.exemption_for(user)
        if active is not None:
            return decide.exempt(active)
        try:
            facts = gather(source, user, self.paths)
            if not _any_open(facts, self.paths):
                return decide.verdict(facts, None, self.patterns, self.paths, expired)
            risks = policy_risks(source, user, self.patterns, self.paths)
            return decide.verdict(facts, risks, self.patterns, self.paths, expired)
        except Exception as exc:
            return failed(exc, user)

    def evaluate_risk_first(
        self,
        source: FactsSource,
        user: str,
        risks: PathRisks | None = None,
        known: Known = NOTHING_KNOWN,
        policy_error: str | None = None,
    ) -> Verdict:
        """Policies first (or `risks` already computed for the user's policy set); the credential
        facts only when some path is at risk, less what `known` already says;
        `policy_error`: why the user's policies are known to be unreadable."""
        active, expired = self.exemption_for(user)
        if active is not None:
            return decide.exempt(active)
        try:
            if policy_error is not None:
                return self._closed_or_insufficient(source, user, policy_error, known)
            if risks is None:
                try:
                    risks = policy_risks(source, user, self.patterns, self.paths)
                except (LookupFailed, BadPolicyDocument) as exc:
                    return self._closed_or_insufficient(source, user, str(exc), known)
            if not risks.any:
                return decide.no_risk(self.patterns, self.paths)
            facts = gather(source, user, _at_risk_paths(self.paths, risks), known)
            return decide.verdict(facts, risks, self.patterns, self.paths, expired)
        except Exception as exc:
            return failed(exc, user)

    def _closed_or_insufficient(self, source: FactsSource, user: str, reason: str, known: Known) -> Verdict:
        """The policies could not be read: a user with no open path is still COMPLIANT."""
        try:
            facts = gather(source, user, self.paths, known)
        except LookupFailed:
            return decide.insufficient(reason)  # the first failure is the one to fix
        if _any_open(facts, self.paths):
            return decide.insufficient(reason)
        return decide.verdict(facts, None, self.patterns, self.paths)


def gather(source: FactsSource, user: str, paths: Sequence[str], known: Known = NOTHING_KNOWN) -> UserFacts:
    """The credential facts `paths` need, less what `known` says, in the order that stops earliest."""
    device = known.device
    login_profile = preference = keys = None
    if CONSOLE in paths:
        if not known.device_known:
            device = source.mfa_device(user)
        if device is None and known.password is not False:
            login_profile, preference = _password_sign_in(source, user, known.password)
    if ACCESS_KEY in paths:
        keys = () if known.no_active_key else source.access_keys(user)
    return UserFacts(device, login_profile, keys, preference)


def _password_sign_in(
    source: FactsSource, user: str, password: bool | None
) -> tuple[LoginProfile | None, SecurityPreference | None]:
    """The login profile (read unless `password` says one exists) and, when there is one, the
    account's preference (one call per account), read first: where it forces MFA at every
    sign-in, the profile's own MFABindRequired cannot change the verdict and is not read."""
    profile = None if password else source.login_profile(user)
    if profile is None and not password:
        return None, None
    try:
        preference = source.security_preference()
    except LookupFailed:
        # Unreadable: a profile that itself requires binding still closes the path.
        profile = profile or source.login_profile(user)
        if profile is not None and not profile.mfa_bind_required:
            raise
        return profile, None
    if profile is None:
        forced = preference.login_forces_mfa
        profile = LoginProfile(mfa_bind_required=None) if forced else source.login_profile(user)
    return profile, preference


def policy_risks(source: FactsSource, user: str, patterns: Sequence[str], paths: Sequence[str]) -> PathRisks:
    grants = [Grant(ref) for ref in source.user_policies(user)]
    for group in source.user_groups(user):
        grants.extend(Grant(ref, group) for ref in source.group_policies(group))
    seen: set[object] = set()
    held = []
    for grant in grants:
        if grant.ref not in seen:
            seen.add(grant.ref)
            held.append((grant, source.policy(grant.ref)))
    return decide.path_risks(held, patterns, paths)


def _any_open(facts: UserFacts, paths: Sequence[str]) -> bool:
    return (CONSOLE in paths and decide.console_open(facts)) or (
        ACCESS_KEY in paths and bool(decide.active_keys(facts))
    )


def _at_risk_paths(paths: Sequence[str], risks: PathRisks) -> tuple[str, ...]:
    """Only paths whose context is at risk need their facts; the others cannot make a finding."""
    return tuple(
        p for p in paths if (p == CONSOLE and risks.console) or (p == ACCESS_KEY and risks.access_key)
    )


def failed(exc: Exception, user: str) -> Verdict:
    if isinstance(exc, UserGone):
        return decide.not_applicable("the RAM user no longer exists")
    if isinstance(exc, (LookupFailed, BadPolicyDocument)):
        return decide.insufficient(str(exc))
    # Fail closed on anything unforeseen, never COMPLIANT.
    logjson.log(_log, logging.ERROR, "evaluation_error", user=user, error=f"{type(exc).__name__}: {exc}")
    return decide.insufficient(f"unexpected {type(exc).__name__}: {exc}")
