"""The rule's decision, pure: facts in, verdict out (DESIGN.md "Rule semantics").

A user is at risk when some action matching a dangerous pattern is allowed without MFA
over all their policies (own and groups'), which is exactly `policies.holds` with the
context `acs:MFAPresent=false` and every other condition key unknown (an unknown key may
be true for an Allow, is not relied on for a Deny).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from functions.mfa_rule.facts import LoginProfile, MfaDevice, PolicyRef
from policies import OTHER_KEYS_UNKNOWN, Policy, holds

COMPLIANT = "COMPLIANT"
NON_COMPLIANT = "NON_COMPLIANT"
NOT_APPLICABLE = "NOT_APPLICABLE"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"

NO_MFA_CONTEXT = {"acs:MFAPresent": "false"}
ANNOTATION_LIMIT = 256


@dataclass(frozen=True)
class Grant:
    """How a user holds a policy: attached directly (group None) or through a group."""

    ref: PolicyRef
    group: str | None = None

    def describe(self) -> str:
        via = f" via group {self.group}" if self.group else ""
        return f"{self.ref.label} ({self.ref.version}){via}"


@dataclass(frozen=True)
class Risk:
    pattern: str
    witness: str
    grant: Grant | None  # the Allow's policy; None only if the engine names no statement


@dataclass(frozen=True)
class Verdict:
    compliance_type: str
    annotation: str


def find_risk(held: Sequence[tuple[Grant, Policy]], patterns: Sequence[str]) -> Risk | None:
    """The first pattern some action of which is allowed without MFA, with a witness and its grant."""
    by_name: dict[str, Grant] = {}
    policies: list[Policy] = []
    for grant, policy in held:
        if policy.name not in by_name:  # first grant wins: direct attachments are listed first
            by_name[policy.name] = grant
            policies.append(policy)
    for pattern in patterns:
        result = holds(policies, pattern, context=NO_MFA_CONTEXT, unknown_keys=OTHER_KEYS_UNKNOWN)
        if result.holds:
            owner = by_name.get(result.statement.policy) if result.statement is not None else None
            return Risk(pattern, result.witness or pattern, owner)
    return None


def verdict(
    risk: Risk | None,
    device: MfaDevice | None,
    profile: LoginProfile | None,
    patterns: Sequence[str],
) -> Verdict:
    if device is not None:
        # Compliant whatever the policies allow; the risk is named when it was computed.
        kind = f" ({device.type})" if device.type else ""
        return Verdict(COMPLIANT, _cap(f"MFA device bound{kind}" + (f"; {_granted(risk)}" if risk else "")))
    if risk is None:
        return Verdict(COMPLIANT, _cap(f"none of {', '.join(patterns)} is allowed without MFA"))
    granted = _granted(risk)
    note = ""
    if profile is not None and profile.mfa_bind_required:
        # Required at next console logon, but not bound yet: still no second factor today.
        note = "; login profile requires MFA binding but none is bound"
    return Verdict(NON_COMPLIANT, _cap(f"no MFA device; {granted}{note}"))


def _granted(risk: Risk) -> str:
    text = f"{risk.pattern} allowed without MFA (e.g. {risk.witness})"
    return text + (f" by {risk.grant.describe()}" if risk.grant is not None else "")


def not_applicable(reason: str) -> Verdict:
    return Verdict(NOT_APPLICABLE, _cap(reason))


def insufficient(reason: str) -> Verdict:
    return Verdict(INSUFFICIENT_DATA, _cap(f"could not evaluate: {reason}"))


def _cap(text: str) -> str:
    return text if len(text) <= ANNOTATION_LIMIT else text[: ANNOTATION_LIMIT - 3] + "..."
