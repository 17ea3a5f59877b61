"""The compliance report's content: evaluations (what `evaluate` prints) -> summary and rows.

A pure function of the evaluation dicts (DESIGN.md keys plus `complianceRegionId` and
`detail`), shared by the HTML, Markdown and CSV renderers so the three formats can never
disagree on a figure or a cell.

Facts the rule did not look up are rendered as `unknown`, never as "no": a missing key is
unknown; `mfaDevice: null` / `accessKeys: []` mean "none" only in a COMPLIANT or
NON_COMPLIANT evaluation that is not an exemption (the rule looked the user up), and unknown
otherwise (an INSUFFICIENT_DATA lookup failed, an exemption or a deleted user needs no
lookup). `loginProfile: null` ("the user has no login profile") follows the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Most urgent first: the order of the summary and of the rows.
VERDICTS = ("NON_COMPLIANT", "INSUFFICIENT_DATA", "COMPLIANT", "NOT_APPLICABLE")
PATHS = ("console", "accessKey")
PATH_TITLES = {"console": "console sign-in", "accessKey": "AccessKey"}
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Finding:
    path: str  # "console" | "accessKey"
    label: str  # "console sign-in" | "AccessKey <id>"
    pattern: str
    witness: str
    policy: str
    group: str


@dataclass(frozen=True)
class Row:
    account_id: str
    user_name: str
    user_id: str
    verdict: str
    findings: tuple[Finding, ...]
    mfa_device: str
    login_profile: str
    access_keys: str
    exemption: str
    note: str  # why INSUFFICIENT_DATA / NOT_APPLICABLE, or the rule's annotation

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.path for f in self.findings))


@dataclass(frozen=True)
class Summary:
    users: int
    verdicts: tuple[tuple[str, int], ...]  # every verdict in VERDICTS order, zeros included
    paths: tuple[tuple[str, int], ...]  # NON_COMPLIANT users with a finding on that path
    keys_at_risk: int
    exempt: int
    expired_exemptions: int
    accounts: tuple[str, ...]

    def count(self, verdict: str) -> int:
        return dict(self.verdicts)[verdict]


@dataclass(frozen=True)
class Report:
    summary: Summary
    rows: tuple[Row, ...]


class ReportError(ValueError):
    """An evaluation the report cannot render; names the evaluation and the field."""


def build_report(evaluations: Iterable[Mapping[str, Any]]) -> Report:
    rows = [_row(index, e) for index, e in enumerate(evaluations)]
    rows.sort(key=lambda r: (VERDICTS.index(r.verdict), r.account_id, r.user_name.lower(), r.user_id))
    return Report(summary=_summary(rows), rows=tuple(rows))


def _summary(rows: list[Row]) -> Summary:
    non_compliant = [r for r in rows if r.verdict == "NON_COMPLIANT"]
    keys = {
        (r.account_id, r.user_id, f.label) for r in non_compliant for f in r.findings if f.path == "accessKey"
    }
    return Summary(
        users=len(rows),
        verdicts=tuple((v, sum(r.verdict == v for r in rows)) for v in VERDICTS),
        paths=tuple((p, sum(p in r.paths for r in non_compliant)) for p in PATHS),
        keys_at_risk=len(keys),
        exempt=sum(r.exemption.startswith("exempt") for r in rows),
        expired_exemptions=sum(r.exemption.startswith("expired") for r in rows),
        accounts=tuple(sorted({r.account_id for r in rows if r.account_id})),
    )


def _field(index: int, evaluation: Mapping[str, Any], key: str) -> str:
    value = evaluation.get(key)
    if not isinstance(value, str) or not value:
        raise ReportError(f"evaluations[{index}].{key}: missing or not a string")
    return value


def _row(index: int, evaluation: Mapping[str, Any]) -> Row:
    if not isinstance(evaluation, Mapping):
        raise ReportError(f"evaluations[{index}]: not an object")
    verdict = _field(index, evaluation, "complianceType")
    if verdict not in VERDICTS:
        raise ReportError(
            f"evaluations[{index}].complianceType: {verdict!r} is not one of {', '.join(VERDICTS)}"
        )
    detail = evaluation.get("detail")
    if detail is None:
        detail = {}
    if not isinstance(detail, Mapping):
        raise ReportError(f"evaluations[{index}].detail: not an object")
    findings = tuple(_finding(index, i, f) for i, f in enumerate(detail.get("findings") or ()))
    exemption = detail.get("exemption")
    # Only the rule's own lookups prove an absence; an exemption short-circuits them.
    looked_up = verdict in ("COMPLIANT", "NON_COMPLIANT") and not (
        isinstance(exemption, Mapping) and exemption.get("active")
    )
    annotation = str(evaluation.get("annotation") or "")
    return Row(
        account_id=str(evaluation.get("accountId") or ""),
        user_name=_field(index, evaluation, "complianceResourceName"),
        user_id=str(evaluation.get("complianceResourceId") or ""),
        verdict=verdict,
        findings=findings,
        mfa_device=_mfa_device(detail, looked_up),
        login_profile=_login_profile(detail, looked_up),
        access_keys=_access_keys(detail, looked_up),
        exemption=_exemption(exemption),
        note=str(detail.get("reason") or annotation),
    )


def _finding(index: int, position: int, finding: Any) -> Finding:
    where = f"evaluations[{index}].detail.findings[{position}]"
    if not isinstance(finding, Mapping) or finding.get("path") not in PATHS:
        raise ReportError(f"{where}.path: must be one of {', '.join(PATHS)}")
    path = finding["path"]
    if path == "console":
        label = PATH_TITLES["console"]
    else:
        label = f"AccessKey {finding.get('accessKeyId') or '(id unknown)'}"
    name, kind = finding.get("policyName"), finding.get("policyType")
    policy = f"{name} ({kind})" if name and kind else (name or UNKNOWN)
    # A granting policy attached to the user directly has no group; without a policy we cannot tell.
    group = finding.get("group") or ("direct" if name else UNKNOWN)
    return Finding(
        path=path,
        label=label,
        pattern=str(finding.get("pattern") or UNKNOWN),
        witness=str(finding.get("witness") or UNKNOWN),
        policy=policy,
        group=group,
    )


def _fact(detail: Mapping[str, Any], key: str, looked_up: bool, empty: str) -> tuple[Any, str | None]:
    """(value, None), or (None, the text for an unknown or an empty fact)."""
    if key not in detail or (key == "accessKeys" and detail[key] is None):
        return None, UNKNOWN
    value = detail[key]
    if value is None or value == []:
        return None, empty if looked_up else UNKNOWN
    return value, None


def _mfa_device(detail: Mapping[str, Any], looked_up: bool) -> str:
    device, text = _fact(detail, "mfaDevice", looked_up, "none")
    if text is not None:
        return text
    kind, serial = device.get("type"), device.get("serialNumber")
    return " ".join(str(part) for part in (kind, serial) if part) or UNKNOWN


def _login_profile(detail: Mapping[str, Any], looked_up: bool) -> str:
    profile, text = _fact(detail, "loginProfile", looked_up, "no login profile")
    if text is not None:
        return text
    required = profile.get("mfaBindRequired")
    if required:
        return "password, MFA required at sign-in"
    # The account's GetSecurityPreference setting (MFAOperationForLogin) applies to every password
    # sign-in: `mandatory` forces MFA even where the user's own profile does not.
    account = detail.get("mfaOperationForLogin")
    if account == "mandatory":
        return "password, MFA required at sign-in (account setting)"
    if required is None:
        return "password, MFA requirement unknown"
    if account == "adaptive":
        return "password, MFA not required (account: adaptive, only on unusual sign-ins)"
    return "password, MFA not required"


def _access_keys(detail: Mapping[str, Any], looked_up: bool) -> str:
    keys, text = _fact(detail, "accessKeys", looked_up, "none")
    if text is not None:
        return text
    return ", ".join(f"{k.get('accessKeyId') or '(id unknown)'} {k.get('status') or UNKNOWN}" for k in keys)


def _exemption(exemption: Any) -> str:
    if not isinstance(exemption, Mapping):
        return ""
    tail = f"{exemption.get('reason') or 'no reason given'} ({exemption.get('owner') or 'no owner'})"
    expires = exemption.get("expires") or UNKNOWN
    if exemption.get("active"):
        return f"exempt until {expires}: {tail}"
    return f"expired {expires}: {tail}"


@dataclass(frozen=True)
class Column:
    key: str  # attribute of Row (or of Finding when per_finding)
    header: str  # CSV header
    title: str
    per_finding: bool  # one value per finding (aligned across the finding columns)

    def values(self, row: Row) -> tuple[str, ...]:
        if self.per_finding:
            if not row.findings and row.verdict == "NON_COMPLIANT":
                return (UNKNOWN,)  # the evaluation did not say which path (no `detail`)
            return tuple(getattr(f, self.key) for f in row.findings)
        value = getattr(row, self.key)
        return (value,) if value else ()


# The row layout every format shares, in display order.
COLUMNS = (
    Column("account_id", "accountId", "Account", False),
    Column("user_name", "userName", "User", False),
    Column("user_id", "userId", "User id", False),
    Column("verdict", "complianceType", "Verdict", False),
    Column("label", "path", "Path without MFA", True),
    Column("pattern", "pattern", "Dangerous pattern", True),
    Column("witness", "witness", "Witness action", True),
    Column("policy", "policy", "Granting policy", True),
    Column("group", "group", "Via group", True),
    Column("mfa_device", "mfaDevice", "MFA device", False),
    Column("login_profile", "loginProfile", "Console login", False),
    Column("access_keys", "accessKeys", "AccessKeys", False),
    Column("exemption", "exemption", "Exemption", False),
    Column("note", "reason", "Reason / annotation", False),
)


def columns_for(report: Report) -> tuple[Column, ...]:
    """COLUMNS without the account column when the report covers one account (it is in the heading)."""
    single = len(report.summary.accounts) <= 1
    return tuple(c for c in COLUMNS if not (single and c.key == "account_id"))
