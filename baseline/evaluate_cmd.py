"""`python -m baseline evaluate --snapshot FILE | --live [--region R] [--dangerous-actions P,...]
[--paths console,accessKey] [--exempt-users FILE] [--user NAME] [--json|--text]`.

`--live` reads the account the caller's credentials reach (Alibaba Cloud's default chain:
environment, `aliyun` CLI profile, instance role) with the function's own facts and sweep code,
read-only: no evaluation is written to Config (baseline/live.py). Every user without `--user` is
evaluated in the sweep's order (policies first) in both modes, so the two print the same
evaluations for the same account.

Runs the MFA rule's own decision code (`functions.mfa_rule.rule.Rule.evaluate`) over an
account snapshot (DESIGN.md format), or every account of an organization snapshot, instead
of the RAM API, and prints one evaluation per user (per account and user for an organization):
complianceResourceId, complianceResourceName, complianceResourceType, complianceRegionId,
complianceType, annotation, accountId, and `detail` (the facts behind the verdict: findings per
path with pattern, witness and policy; MFA device; login profile; AccessKeys; exemption), which
`report` renders and Config never receives.

Exit codes: 0 when the evaluation ran, whatever the verdicts (a NON_COMPLIANT user is a
result of the audit, not a failure of the command; pipelines that want to block can test
the JSON); 2 on bad usage or input (unreadable or malformed snapshot, naming the document
path, a bad pattern, an unknown --user).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baseline.cli import EXIT_OK, EXIT_USAGE, UsageError

if TYPE_CHECKING:
    from functions.common.exemptions import Exemption

DEFAULT_ACTIONS = "ecs:*,oss:*,log:*"
RESOURCE_TYPE = "ACS::RAM::User"
# RAM users are global: Cloud Config records ACS::RAM::User items in region `global`, the id the
# rule function's sweep reports them under too (functions/mfa_rule/handler.py RAM_REGION).
COMPLIANCE_REGION = "global"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate the MFA rule over an account snapshot",
        description="Evaluate the MFA compliance rule for every user of an account snapshot, "
        "with the same code the deployed function runs.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--snapshot", type=Path, help="account snapshot JSON file")
    source.add_argument(
        "--live", action="store_true", help="read the account your credentials reach (read-only)"
    )
    parser.add_argument("--region", help="region of the API clients with --live (default ap-southeast-1)")
    parser.add_argument(
        "--dangerous-actions",
        default=DEFAULT_ACTIONS,
        help=f"comma-separated action patterns (default {DEFAULT_ACTIONS})",
    )
    parser.add_argument(
        "--paths", default="console,accessKey", help="credential paths checked (default console,accessKey)"
    )
    parser.add_argument(
        "--exempt-users",
        type=Path,
        help="JSON list of {name, owner, reason, expires: YYYY-MM-DD}, as complianceRule.exemptUsers",
    )
    parser.add_argument("--user", help="evaluate only this user")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", dest="text", action="store_false", help="print JSON (default)")
    output.add_argument("--text", dest="text", action="store_true", help="print one line per user")
    parser.set_defaults(run=run, text=False)


def run(args: argparse.Namespace) -> int:
    # Imported here so other commands never pay for the rule's modules (and the policy engine).
    from functions.common.errors import EventError
    from functions.mfa_rule.event import dangerous_actions, rule_paths
    from functions.mfa_rule.rule import Rule

    try:
        patterns = dangerous_actions({"dangerousActions": args.dangerous_actions})
    except EventError as exc:
        field = exc.field.replace("ruleParameters.dangerousActions", "--dangerous-actions")
        raise UsageError(f"{field}: {exc.reason}") from None
    try:
        paths = rule_paths({"paths": args.paths})
    except EventError as exc:
        raise UsageError(f"{exc.field.replace('ruleParameters.paths', '--paths')}: {exc.reason}") from None
    rule = Rule(patterns, paths, _exemptions(args.exempt_users))
    code = EXIT_OK
    try:
        evaluations = _live(rule, args) if args.live else _snapshot(rule, args)
    except PartialAudit as partial:
        evaluations, code = partial.evaluations, EXIT_USAGE
    if args.text:
        for item in evaluations:
            print(
                f"{item['complianceType']:<17} {item['complianceResourceName']} "
                f"({item['complianceResourceId']}): {item['annotation']}"
            )
    else:
        print(json.dumps(evaluations, indent=2, sort_keys=True))
    return code


class PartialAudit(Exception):
    def __init__(self, evaluations: list[dict[str, Any]]) -> None:
        super().__init__("the user listing was incomplete")
        self.evaluations = evaluations


def _snapshot(rule: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    """One account's evaluations, or every account's of an organization snapshot, in its order
    (each with its own accountId: members may have users of the same name)."""
    from functions.mfa_rule.snapshot import OrganizationSnapshot, SnapshotError, load_any

    try:
        text = Path(args.snapshot).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--snapshot {args.snapshot}: cannot read ({exc})") from None
    try:
        loaded = load_any(text, source=str(args.snapshot))
    except SnapshotError as exc:
        source = str(args.snapshot)
        # A whole-file error (not JSON) already names the file as its field; a document path does not.
        message = str(exc) if exc.field == source else f"{source}: {exc}"
        raise UsageError(message) from None
    accounts = loaded.accounts if isinstance(loaded, OrganizationSnapshot) else (loaded,)
    if args.user is not None and not any(a.user(args.user) for a in accounts):
        raise UsageError(f"--user {args.user!r}: no such user in {args.snapshot}")
    return [item for account in accounts for item in _account_evaluations(rule, account, args.user)]


def _account_evaluations(rule: Any, snapshot: Any, user: str | None) -> list[dict[str, Any]]:
    from functions.mfa_rule.snapshot import SnapshotFacts

    facts = SnapshotFacts(snapshot)
    if user is not None:
        found = snapshot.user(user)
        if found is None:
            return []
        return [_evaluation(snapshot.account_id, found.ref, rule.evaluate(facts, user))]
    return [
        _evaluation(snapshot.account_id, u.ref, rule.evaluate_risk_first(facts, u.name))
        for u in snapshot.users
    ]


def _live(rule: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    import os

    from baseline.live import LiveError, evaluate_live, settings_from
    from functions.common.env import SettingsError

    try:
        conf, sts_endpoint = settings_from(os.environ, args.region)
    except SettingsError as exc:
        raise UsageError(str(exc)) from None
    try:
        result = evaluate_live(rule, conf, sts_endpoint, args.user)
    except LiveError as exc:
        raise UsageError(f"--live: {exc}") from None
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not result.complete:
        # What was established is printed, but an audit that could not list every user must not pass.
        raise PartialAudit([_evaluation(result.account_id, u, v) for u, v in result.results])
    return [_evaluation(result.account_id, user, verdict) for user, verdict in result.results]


def _evaluation(account_id: str, user: Any, verdict: Any) -> dict[str, Any]:
    return {
        "accountId": account_id,
        "complianceResourceId": user.user_id,
        "complianceResourceName": user.name,
        "complianceResourceType": RESOURCE_TYPE,
        "complianceRegionId": COMPLIANCE_REGION,
        "complianceType": verdict.compliance_type,
        "annotation": verdict.annotation,
        "detail": dict(verdict.detail or {}),
    }


def _exemptions(path: Path | None) -> tuple[Exemption, ...]:
    """The deployed function's own parser (functions/common/exemptions.py), so an entry means
    here what it means in EXEMPT_USERS: it applies through its `expires` day (UTC)."""
    from functions.common.env import SettingsError
    from functions.common.exemptions import parse

    if path is None:
        return ()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--exempt-users {path}: cannot read ({exc})") from None
    try:
        return parse(text, "--exempt-users")
    except SettingsError as exc:
        raise UsageError(f"{exc} (in {path})") from None
