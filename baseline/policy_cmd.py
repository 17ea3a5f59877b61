"""`simulate` and `holds`: ask the policy engine about policy files.

    python -m baseline simulate --dialect aws|ram --policy FILE [--policy FILE ...]
        --action ACTION [--resource RES] [--context KEY=VALUE ...]
    python -m baseline holds --dialect aws|ram --policy FILE [...] --pattern PATTERN
        [--context KEY=VALUE ...] [--unknown KEY ...]

A context key given several times has several values; a key not given is absent (not false).
`holds --unknown KEY` marks a key whose value cannot be known: an Allow conditioned on it may
grant, a Deny conditioned on it is not relied on. Output is JSON (`--json` is the default);
`--text` prints one line for people.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from baseline.cli import EXIT_OK, UsageError
from policies import Policy, PolicyError, Request, StatementRef, evaluate, holds, parse_policy

# A request names one concrete action: wildcards belong to `holds --pattern`, not to a request.
CONCRETE_ACTION = re.compile(r"^[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+$")


def register(subparsers: argparse._SubParsersAction) -> None:
    simulate = subparsers.add_parser(
        "simulate",
        help="decide one request against policy files",
        description="Decide one request: Allowed, ExplicitlyDenied or ImplicitlyDenied.",
    )
    _common(simulate)
    simulate.add_argument("--action", required=True, help="the action, e.g. ec2:RunInstances")
    simulate.add_argument("--resource", default="*", help="the resource name (default: *)")
    simulate.set_defaults(run=run_simulate)

    holds_parser = subparsers.add_parser(
        "holds",
        help="is some action matching a pattern allowed on some resource?",
        description="Whether some action matching PATTERN is allowed on some resource, with a witness.",
    )
    _common(holds_parser)
    holds_parser.add_argument("--pattern", required=True, help="an action pattern, e.g. 'ecs:*'")
    holds_parser.add_argument(
        "--unknown",
        action="append",
        default=[],
        metavar="KEY",
        help="a condition key whose value cannot be known (repeatable)",
    )
    holds_parser.set_defaults(run=run_holds)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dialect", required=True, choices=("aws", "ram"))
    parser.add_argument(
        "--policy",
        action="append",
        required=True,
        metavar="FILE",
        help="a policy document (JSON); repeatable",
    )
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a request context value; repeat a key for several values",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", dest="text", action="store_false", help="print JSON (default)")
    output.add_argument("--text", dest="text", action="store_true", help="print one line of text")
    parser.set_defaults(text=False)  # store_false on --json would otherwise default to text


def load_policies(paths: list[str], dialect: str) -> list[Policy]:
    policies = []
    for name in paths:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"{name}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{name}: cannot read: {exc}") from None
        try:
            policies.append(parse_policy(text, dialect, name=name))
        except PolicyError as exc:
            raise UsageError(f"{name}: {exc}") from None
    return policies


def parse_context(items: list[str]) -> dict[str, str | list[str]]:
    context: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--context {item!r}: expected KEY=VALUE")
        context.setdefault(key.strip(), []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in context.items()}


def _print(payload: dict[str, Any], text: str | None) -> None:
    print(text if text is not None else json.dumps(payload, indent=2, sort_keys=True))


def _describe(ref: StatementRef) -> str:
    return f"{ref.policy} Statement[{ref.index}]" + (f" ({ref.sid})" if ref.sid else "")


def run_simulate(args: argparse.Namespace) -> int:
    policies = load_policies(args.policy, args.dialect)
    if not CONCRETE_ACTION.match(args.action):
        raise UsageError(f"--action {args.action!r}: expected a concrete 'service:action' name")
    request = Request(action=args.action, resource=args.resource, context=parse_context(args.context))
    result = evaluate(policies, request)
    line = None
    if args.text:
        deciders = ", ".join(_describe(s) for s in result.statements)
        line = result.decision.value + (f" by {deciders}" if deciders else "")
    _print(result.to_json(), line)
    return EXIT_OK


def run_holds(args: argparse.Namespace) -> int:
    policies = load_policies(args.policy, args.dialect)
    try:
        result = holds(policies, args.pattern, parse_context(args.context), unknown_keys=args.unknown)
    except PolicyError as exc:
        raise UsageError(f"--{exc}") from None
    line = None
    if args.text:
        if result.holds and result.statement is not None:
            line = f"holds: {result.witness} (granted by {_describe(result.statement)})"
        else:
            line = f"does not hold: no action matching {args.pattern} is allowed"
    _print(result.to_json(), line)
    return EXIT_OK
