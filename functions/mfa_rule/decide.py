"""The rule's decision, pure: facts in, verdict out (DESIGN.md "Rule semantics").

A user reaches the cloud through credential paths; they are NON_COMPLIANT when some open path
can use some action matching a dangerous pattern, over all their policies (own and groups'):
exactly `policies.holds`, with every condition key but `acs:MFAPresent` unknown (an unknown key
may be true for an Allow and is not relied on for a Deny).

- console: open when no MFA device is bound and password sign-in does not force one; decided
  with `acs:MFAPresent=false`.
- accessKey: open when the user has an active AccessKey. Calls signed with a key carry no MFA,
  and `acs:MFAPresent` is absent on them (not false), so a guard such as `Deny ... Bool
  acs:MFAPresent false` does not stop them: at risk when allowed with the key absent or false.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from functions.common.exemptions import Exemption
from functions.mfa_rule.facts import AccessKey, LoginProfile, MfaDevice, PolicyRef, SecurityPreference
from policies import OTHER_KEYS_UNKNOWN, Holds, Policy, holds

COMPLIANT = "COMPLIANT"
NON_COMPLIANT = "NON_COMPLIANT"
NOT_APPLICABLE = "NOT_APPLICABLE"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"

CONSOLE = "console"
ACCESS_KEY = "accessKey"
PATHS = (CONSOLE, ACCESS_KEY)

MFA_KEY = "acs:MFAPresent"
NO_MFA_CONTEXT = {MFA_KEY: "false"}
# PutEvaluations' Annotation: "The annotation ... can be up to 256 characters" (Config API reference).
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

    def describe(self) -> str:
        text = f"{self.pattern} allowed without MFA (e.g. {self.witness})"
        return text + (f" by {self.grant.describe()}" if self.grant is not None else "")


@dataclass(frozen=True)
class PathRisks:
    """What the policies allow without MFA, per path context (None: nothing dangerous)."""

    console: Risk | None
    access_key: Risk | None

    @property
    def any(self) -> bool:
        return self.console is not None or self.access_key is not None


@dataclass(frozen=True)
class UserFacts:
    """The credential facts of one user; a path not checked needs none of its facts (None)."""

    device: MfaDevice | None
    login_profile: LoginProfile | None
    access_keys: tuple[AccessKey, ...] | None
    preference: SecurityPreference | None


@dataclass(frozen=True)
class Verdict:
    compliance_type: str
    annotation: str
    # The facts behind the verdict, for `evaluate` and the report; never sent to Config.
    detail: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)


# One policy's answer to one (pattern, context, absent keys), with the policy itself: an entry
# is used only for that very object, so a memo outliving its policies can never answer for another.
MemoKey = tuple[int, str, tuple[tuple[str, str], ...], tuple[str, ...]]
HoldsMemo = MutableMapping[MemoKey, tuple[Policy, Holds]]
NOT_HELD = Holds(False, None, None)


def find_risk(
    held: Sequence[tuple[Grant, Policy]],
    patterns: Sequence[str],
    context: Mapping[str, str] | None = None,
    absent: Sequence[str] = (),
    memo: HoldsMemo | None = None,
) -> Risk | None:
    """The first pattern some action of which `held` allows in `context`, with a witness and its grant.

    Without a Deny among them, what a set of policies allows is the union of what each allows, so
    the set is asked policy by policy, in grant order (direct attachments first), and the first
    that allows names the witness and the grant. That answer depends on the policy alone: `memo`
    keeps it for the other users holding the policy, so a sweep runs the engine per policy rather
    than per user. With a Deny, the set is asked as a whole (`∪ Allow − ∪ Deny`).
    """
    by_name: dict[str, Grant] = {}
    policies: list[Policy] = []
    for grant, policy in held:
        if policy.name not in by_name:  # first grant wins: direct attachments are listed first
            by_name[policy.name] = grant
            policies.append(policy)
    ctx = NO_MFA_CONTEXT if context is None else context
    asked = (tuple(sorted(ctx.items())), tuple(absent))
    as_whole = any(s.effect == "Deny" for policy in policies for s in policy.statements)
    for pattern in patterns:
        if as_whole:
            result = _holds(policies, pattern, ctx, absent)
        else:
            result = next(
                (r for r in (_one(p, pattern, ctx, absent, memo, asked) for p in policies) if r.holds),
                NOT_HELD,
            )
        if result.holds:
            owner = by_name.get(result.statement.policy) if result.statement is not None else None
            return Risk(pattern, result.witness or pattern, owner)
    return None


def _one(
    policy: Policy,
    pattern: str,
    context: Mapping[str, str],
    absent: Sequence[str],
    memo: HoldsMemo | None,
    asked: tuple[tuple[tuple[str, str], ...], tuple[str, ...]],
) -> Holds:
    if memo is None:
        return _holds([policy], pattern, context, absent)
    key = (id(policy), pattern, *asked)
    found = memo.get(key)
    if found is None or found[0] is not policy:
        found = memo[key] = (policy, _holds([policy], pattern, context, absent))
    return found[1]


def _holds(
    policies: Sequence[Policy], pattern: str, context: Mapping[str, str], absent: Sequence[str]
) -> Holds:
    return holds(policies, pattern, context=context, unknown_keys=OTHER_KEYS_UNKNOWN, absent_keys=absent)


def path_risks(
    held: Sequence[tuple[Grant, Policy]],
    patterns: Sequence[str],
    paths: Sequence[str],
    memo: HoldsMemo | None = None,
) -> PathRisks:
    console = find_risk(held, patterns, NO_MFA_CONTEXT, memo=memo) if CONSOLE in paths else None
    key = None
    if ACCESS_KEY in paths:
        # Absent first (what key-signed calls carry); false too, as a key may sign a call that
        # sets it: that is the console's question, so its answer is reused when there is one.
        key = find_risk(held, patterns, {}, absent=(MFA_KEY,), memo=memo)
        if key is None:
            key = console if CONSOLE in paths else find_risk(held, patterns, NO_MFA_CONTEXT, memo=memo)
    return PathRisks(console, key)


def console_open(facts: UserFacts) -> bool:
    """No device bound, and password sign-in does not force one. Without a login profile the path
    counts as open whatever the settings say: they govern password sign-ins only, and the rule
    cannot see sign-ins that need no password (user-based SSO)."""
    if facts.device is not None:
        return False
    profile = facts.login_profile
    if profile is None:
        return True
    forced = profile.mfa_bind_required or (facts.preference is not None and facts.preference.login_forces_mfa)
    return not forced


def active_keys(facts: UserFacts) -> tuple[AccessKey, ...]:
    return tuple(k for k in facts.access_keys or () if k.active)


def verdict(
    facts: UserFacts,
    risks: PathRisks | None,
    patterns: Sequence[str],
    paths: Sequence[str],
    expired: Exemption | None = None,
) -> Verdict:
    """`risks` may be None only when no path is open (the policies were not needed)."""
    detail: dict[str, Any] = _facts_detail(facts, paths)
    if expired is not None:
        detail["exemption"] = exemption_detail(expired, active=False)
    findings: list[tuple[str, str | None, Risk]] = []
    if CONSOLE in paths and console_open(facts) and risks is not None and risks.console is not None:
        findings.append((CONSOLE, None, risks.console))
    if ACCESS_KEY in paths and risks is not None and risks.access_key is not None:
        findings.extend((ACCESS_KEY, key.access_key_id, risks.access_key) for key in active_keys(facts))
    detail["findings"] = [_finding_detail(path, key_id, risk) for path, key_id, risk in findings]
    if findings:
        return Verdict(NON_COMPLIANT, _cap(_non_compliant(findings)), detail)
    return Verdict(COMPLIANT, _cap(_compliant(facts, risks, patterns, paths)), detail)


def _non_compliant(findings: Sequence[tuple[str, str | None, Risk]]) -> str:
    # Paths sharing one risk are named together: "AccessKey AK1, console sign-in without MFA: ...".
    groups: dict[Risk, list[str]] = {}
    for path, key_id, risk in findings:
        groups.setdefault(risk, []).append(
            f"AccessKey {key_id}" if path == ACCESS_KEY else "console sign-in without MFA"
        )
    return "; ".join(f"{', '.join(labels)}: {risk.describe()}" for risk, labels in groups.items())


def _compliant(
    facts: UserFacts, risks: PathRisks | None, patterns: Sequence[str], paths: Sequence[str]
) -> str:
    open_paths = []
    closed = []
    if CONSOLE in paths:
        if console_open(facts):
            open_paths.append("console sign-in")
        else:
            closed.append(_console_closed(facts))
    if ACCESS_KEY in paths:
        keys = active_keys(facts)
        open_paths.extend(f"AccessKey {k.access_key_id}" for k in keys)
        if not keys:
            closed.append("no active AccessKey")
    if not open_paths:
        return "no path without MFA: " + "; ".join(closed)
    text = f"none of {', '.join(patterns)} is allowed without MFA to {', '.join(open_paths)}"
    return text + (f" ({'; '.join(closed)})" if closed else "")


def _console_closed(facts: UserFacts) -> str:
    if facts.device is not None:
        kind = f" ({facts.device.type})" if facts.device.type else ""
        return f"MFA device bound{kind}"
    # The account's setting first: a sweep does not read the profile's flag where it is moot,
    # and the change path must annotate the same user the same way.
    if facts.preference is not None and facts.preference.login_forces_mfa:
        return "the account requires MFA at every console sign-in"
    return "console sign-in must bind an MFA device (login profile)"


def _facts_detail(facts: UserFacts, paths: Sequence[str]) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    if CONSOLE in paths:
        device = facts.device
        detail["mfaDevice"] = {"serialNumber": device.serial_number, "type": device.type} if device else None
        if device is None:
            profile = facts.login_profile
            detail["loginProfile"] = {"mfaBindRequired": profile.mfa_bind_required} if profile else None
            if facts.preference is not None:
                detail["mfaOperationForLogin"] = facts.preference.mfa_operation_for_login
    if ACCESS_KEY in paths and facts.access_keys is not None:
        detail["accessKeys"] = [
            {"accessKeyId": k.access_key_id, "status": k.status} for k in facts.access_keys
        ]
    return detail


def _finding_detail(path: str, key_id: str | None, risk: Risk) -> dict[str, Any]:
    grant = risk.grant
    return {
        "path": path,
        "accessKeyId": key_id,
        "pattern": risk.pattern,
        "witness": risk.witness,
        "policyName": grant.ref.name if grant else None,
        "policyType": grant.ref.type if grant else None,
        "group": grant.group if grant else None,
    }


def no_risk(patterns: Sequence[str], paths: Sequence[str]) -> Verdict:
    """The policies allow nothing dangerous on any checked path: COMPLIANT whatever the credentials."""
    names = ", ".join("console sign-in" if p == CONSOLE else "AccessKeys" for p in paths)
    text = f"none of {', '.join(patterns)} is allowed without MFA ({names})"
    return Verdict(COMPLIANT, _cap(text), {"findings": []})


def exemption_detail(entry: Exemption, *, active: bool) -> dict[str, Any]:
    return {
        "owner": entry.owner,
        "reason": entry.reason,
        "expires": entry.expires.isoformat(),
        "active": active,
    }


def exempt(entry: Exemption) -> Verdict:
    return Verdict(COMPLIANT, _cap(entry.annotation()), {"exemption": exemption_detail(entry, active=True)})


def not_applicable(reason: str) -> Verdict:
    return Verdict(NOT_APPLICABLE, _cap(reason), {"reason": reason})


def insufficient(reason: str) -> Verdict:
    text = f"could not evaluate: {reason}"
    return Verdict(INSUFFICIENT_DATA, _cap(text), {"reason": text})


def _cap(text: str) -> str:
    return text if len(text) <= ANNOTATION_LIMIT else text[: ANNOTATION_LIMIT - 3] + "..."
