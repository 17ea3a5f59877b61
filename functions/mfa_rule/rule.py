"""One user's evaluation over any FactsSource: gather, decide, and fail closed.

Two orders of lookups, both giving the same verdict (a bound device makes a user COMPLIANT
whatever their policies allow; without one, the policies decide):
- `evaluate_user` (one user, e.g. a change notification): the MFA device first, since a
  bound device decides in one call; the policies only for users without a device.
- `evaluate_user_risk_first` (the users of a sweep not already known to have a virtual MFA
  device): the policies first, and GetUserMFAInfo only for users at risk, to catch devices
  the virtual-device listing does not show (U2F). It is also asked when the policies could
  not be read, so a user with a device is COMPLIANT in either order.
The login profile is read only when the verdict is already NON_COMPLIANT (it only enriches
the annotation).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from functions.common import logjson
from functions.mfa_rule import decide
from functions.mfa_rule.decide import Grant, Risk, Verdict
from functions.mfa_rule.facts import BadPolicyDocument, FactsSource, LoginProfile, LookupFailed, UserGone

_log = logjson.get_logger("mfa_rule")


def evaluate_user(source: FactsSource, user: str, patterns: Sequence[str]) -> Verdict:
    """Device first. Never raises: a deleted user is NOT_APPLICABLE, any other failure INSUFFICIENT_DATA."""
    try:
        device = source.mfa_device(user)
        if device is not None:
            return decide.verdict(None, device, None, patterns)
        risk = _risk(source, user, patterns)
        profile = _login_profile(source, user) if risk is not None else None
        return decide.verdict(risk, None, profile, patterns)
    except Exception as exc:
        return _failed(exc, user)


def evaluate_user_risk_first(source: FactsSource, user: str, patterns: Sequence[str]) -> Verdict:
    """Policies first, the device only when it matters. Never raises; fails closed like `evaluate_user`."""
    try:
        try:
            risk = _risk(source, user, patterns)
        except (LookupFailed, BadPolicyDocument) as exc:
            return _device_or_insufficient(source, user, patterns, str(exc))
        if risk is None:
            return decide.verdict(None, None, None, patterns)
        device = source.mfa_device(user)
        profile = _login_profile(source, user) if device is None else None
        return decide.verdict(risk, device, profile, patterns)
    except Exception as exc:
        return _failed(exc, user)


def _risk(source: FactsSource, user: str, patterns: Sequence[str]) -> Risk | None:
    grants = [Grant(ref) for ref in source.user_policies(user)]
    for group in source.user_groups(user):
        grants.extend(Grant(ref, group) for ref in source.group_policies(group))
    seen: set[object] = set()
    held = []
    for grant in grants:
        if grant.ref not in seen:
            seen.add(grant.ref)
            held.append((grant, source.policy(grant.ref)))
    return decide.find_risk(held, patterns)


def _device_or_insufficient(source: FactsSource, user: str, patterns: Sequence[str], reason: str) -> Verdict:
    """The policies could not be read: a bound device still decides; otherwise that failure stands."""
    try:
        device = source.mfa_device(user)
    except LookupFailed:
        return decide.insufficient(reason)  # the first failure is the one to fix
    if device is None:
        return decide.insufficient(reason)
    return decide.verdict(None, device, None, patterns)


def _failed(exc: Exception, user: str) -> Verdict:
    if isinstance(exc, UserGone):
        return decide.not_applicable("the RAM user no longer exists")
    if isinstance(exc, (LookupFailed, BadPolicyDocument)):
        return decide.insufficient(str(exc))
    # Fail closed on anything unforeseen, never COMPLIANT.
    logjson.log(_log, logging.ERROR, "evaluation_error", user=user, error=f"{type(exc).__name__}: {exc}")
    return decide.insufficient(f"unexpected {type(exc).__name__}: {exc}")


def _login_profile(source: FactsSource, user: str) -> LoginProfile | None:
    try:
        return source.login_profile(user)
    except LookupFailed as exc:
        # Only decorates the annotation; the verdict does not depend on it.
        logjson.log(_log, logging.WARNING, "login_profile_unavailable", user=user, error=str(exc))
        return None
