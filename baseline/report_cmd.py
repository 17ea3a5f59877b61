"""`python -m baseline report (--snapshot FILE | --live | --evaluations FILE) --format html|md|csv`.

`[--output FILE]` writes a file instead of standard output.

Renders the evaluations `evaluate` produces as a report. `--snapshot` and `--live` (with
`--dangerous-actions`, `--exempt-users`, `--user`, `--region`) are handed to the `evaluate`
command itself, parsed by its own parser and run by its own code, so the report can never
decide differently from `evaluate` or the deployed rule; `--evaluations FILE` renders JSON that
`evaluate` printed earlier (evaluate once in CI, render several formats).

Exit codes: 0 when the report was written, whatever the verdicts; 2 on bad usage or input.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import sys
from pathlib import Path
from typing import Any

from baseline.cli import EXIT_OK, UsageError

FORMATS = ("html", "md", "csv")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="render the MFA rule's evaluations as an HTML, Markdown or CSV report",
        description="Render the evaluations of `evaluate` as a compliance report.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--snapshot", type=Path, help="account snapshot JSON file (as for evaluate)")
    source.add_argument("--live", action="store_true", help="evaluate the account your credentials reach")
    source.add_argument("--evaluations", type=Path, help="JSON printed by `python -m baseline evaluate`")
    parser.add_argument("--dangerous-actions", help="comma-separated action patterns (as for evaluate)")
    parser.add_argument("--exempt-users", type=Path, help="exemptions JSON file (as for evaluate)")
    parser.add_argument("--user", help="report only this user")
    parser.add_argument("--region", help="with --live: region (as for evaluate)")
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument("--output", type=Path, help="write here instead of standard output")
    parser.add_argument(
        "--max-bytes",
        type=int,
        help="md: size budget in bytes (default 1 MiB, GitHub's step summary limit)",
    )
    parser.set_defaults(run=run)


def _evaluate(args: argparse.Namespace) -> list[dict[str, Any]]:
    from baseline.cli import build_parser

    argv = ["evaluate", "--json"]
    argv += ["--snapshot", str(args.snapshot)] if args.snapshot is not None else ["--live"]
    for flag, value in (
        ("--dangerous-actions", args.dangerous_actions),
        ("--exempt-users", args.exempt_users and str(args.exempt_users)),
        ("--user", args.user),
        ("--region", args.region),
    ):
        if value is not None:
            argv += [flag, value]
    try:
        evaluate_args = build_parser("evaluate").parse_args(argv)
    except SystemExit:  # evaluate's parser has printed why on stderr
        raise UsageError(f"evaluate does not accept: {' '.join(argv[1:])}") from None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = evaluate_args.run(evaluate_args)
    if code != 0:
        # `evaluate --live` prints what it established, but a partial audit is no report.
        raise UsageError("evaluate could not list every user (see the warnings above); no report made")
    return json.loads(out.getvalue())


def _load_evaluations(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"--evaluations {path}: cannot read JSON ({exc})") from None
    if not isinstance(data, list):
        raise UsageError(f"--evaluations {path}: not a JSON list of evaluations")
    return data


def run(args: argparse.Namespace) -> int:
    from baseline.report_html import render_html
    from baseline.report_model import ReportError, build_report
    from baseline.report_tables import STEP_SUMMARY_LIMIT_BYTES, render_csv, render_markdown

    if args.format != "md" and args.max_bytes is not None:
        raise UsageError("--max-bytes: only with --format md")
    if args.evaluations is not None:
        if args.dangerous_actions or args.exempt_users or args.user or args.region:
            raise UsageError(
                "--evaluations: --dangerous-actions, --exempt-users, --user and --region apply to evaluation"
            )
        evaluations, source = _load_evaluations(args.evaluations), str(args.evaluations)
    else:
        evaluations = _evaluate(args)
        source = str(args.snapshot) if args.snapshot is not None else "live account"
    try:
        report = build_report(evaluations)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "html":
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        text = render_html(report, generated_at=now, source=source)
    elif args.format == "md":
        try:
            text = render_markdown(report, max_bytes=args.max_bytes or STEP_SUMMARY_LIMIT_BYTES)
        except ValueError as exc:
            raise UsageError(f"--max-bytes: {exc}") from None
    else:
        text = render_csv(report)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise UsageError(f"--output {args.output}: cannot write ({exc})") from None
    return EXIT_OK
