"""One user's evaluation over any FactsSource: gather, decide, and fail closed.

Order of lookups keeps calls down: the MFA device is asked for first, because a bound device
makes the user COMPLIANT whatever their policies allow (one call instead of two or more, and
a baseline aims at most users having one); the policies are read only for users without a
device, and the login profile only when the verdict is already NON_COMPLIANT (it only
enriches the annotation).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from functions.common import logjson
from functions.mfa_rule import decide
from functions.mfa_rule.decide import Grant, Verdict
from functions.mfa_rule.facts import BadPolicyDocument, FactsSource, LoginProfile, LookupFailed, UserGone

_log = logjson.get_logger("mfa_rule")


def evaluate_user(source: FactsSource, user: str, patterns: Sequence[str]) -> Verdict:
    """Never raises: a deleted user is NOT_APPLICABLE, anything else that fails is INSUFFICIENT_DATA."""
    try:
        device = source.mfa_device(user)
        if device is not None:
            return decide.verdict(None, device, None, patterns)
        grants = [Grant(ref) for ref in source.user_policies(user)]
        for group in source.user_groups(user):
            grants.extend(Grant(ref, group) for ref in source.group_policies(group))
        seen: set[object] = set()
        held = []
        for grant in grants:
            if grant.ref not in seen:
                seen.add(grant.ref)
                held.append((grant, source.policy(grant.ref)))
        risk = decide.find_risk(held, patterns)
        profile = _login_profile(source, user) if risk is not None else None
        return decide.verdict(risk, None, profile, patterns)
    except UserGone:
        return decide.not_applicable("the RAM user no longer exists")
    except (LookupFailed, BadPolicyDocument) as exc:
        return decide.insufficient(str(exc))
    except Exception as exc:  # fail closed on anything unforeseen, never COMPLIANT
        logjson.log(_log, logging.ERROR, "evaluation_error", user=user, error=f"{type(exc).__name__}: {exc}")
        return decide.insufficient(f"unexpected {type(exc).__name__}: {exc}")


def _login_profile(source: FactsSource, user: str) -> LoginProfile | None:
    try:
        return source.login_profile(user)
    except LookupFailed as exc:
        # Only decorates the annotation; the verdict does not depend on it.
        logjson.log(_log, logging.WARNING, "login_profile_unavailable", user=user, error=str(exc))
        return None
