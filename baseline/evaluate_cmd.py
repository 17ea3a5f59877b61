"""`python -m baseline evaluate --snapshot FILE [--dangerous-actions P,...] [--paths P,...]`.

`[--exempt-users FILE] [--user NAME] [--json|--text]`.

Runs the MFA rule's own decision code (`functions.mfa_rule.rule.Rule.evaluate`) over an
account snapshot (DESIGN.md format) instead of the RAM API, and prints one evaluation per
user: complianceResourceId, complianceResourceName, complianceResourceType, complianceRegionId,
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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baseline.cli import EXIT_OK, UsageError

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
    parser.add_argument("--snapshot", required=True, type=Path, help="account snapshot JSON file")
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
    from functions.mfa_rule.snapshot import SnapshotError, SnapshotFacts, load_snapshot

    try:
        text = Path(args.snapshot).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--snapshot {args.snapshot}: cannot read ({exc})") from None
    try:
        snapshot = load_snapshot(text, source=str(args.snapshot))
    except SnapshotError as exc:
        source = str(args.snapshot)
        # A whole-file error (not JSON) already names the file as its field; a document path does not.
        message = str(exc) if exc.field == source else f"{source}: {exc}"
        raise UsageError(message) from None
    try:
        patterns = dangerous_actions({"dangerousActions": args.dangerous_actions})
    except EventError as exc:
        field = exc.field.replace("ruleParameters.dangerousActions", "--dangerous-actions")
        raise UsageError(f"{field}: {exc.reason}") from None
    try:
        paths = rule_paths({"paths": args.paths})
    except EventError as exc:
        raise UsageError(f"{exc.field.replace('ruleParameters.paths', '--paths')}: {exc.reason}") from None
    exempt = _exemptions(args.exempt_users)
    users = snapshot.users
    if args.user is not None:
        users = tuple(u for u in users if u.name == args.user)
        if not users:
            raise UsageError(f"--user {args.user!r}: no such user in {args.snapshot}")

    facts = SnapshotFacts(snapshot)
    rule = Rule(patterns, paths, exempt)
    evaluations: list[dict[str, Any]] = []
    for user in users:
        verdict = rule.evaluate(facts, user.name)
        evaluations.append(
            {
                "accountId": snapshot.account_id,
                "complianceResourceId": user.user_id,
                "complianceResourceName": user.name,
                "complianceResourceType": RESOURCE_TYPE,
                "complianceRegionId": COMPLIANCE_REGION,
                "complianceType": verdict.compliance_type,
                "annotation": verdict.annotation,
                "detail": dict(verdict.detail or {}),
            }
        )
    if args.text:
        for item in evaluations:
            print(
                f"{item['complianceType']:<17} {item['complianceResourceName']} "
                f"({item['complianceResourceId']}): {item['annotation']}"
            )
    else:
        print(json.dumps(evaluations, indent=2, sort_keys=True))
    return EXIT_OK


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
