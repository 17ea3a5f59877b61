"""Command line: `python -m baseline plan|evaluate|simulate|holds|report`.

Each subcommand lives in its own module exposing `register(subparsers)`; the module
is imported only when the command line is parsed, so `plan` never pays for the
function SDKs and `simulate` never pays for Pulumi.

Exit codes (the contract in DESIGN.md): 0 success, 1 a blocking finding,
2 bad usage or input (reason on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> module that implements it
COMMANDS = {
    "plan": "baseline.plan_cmd",
    "evaluate": "baseline.evaluate_cmd",
    "simulate": "baseline.policy_cmd",
    "holds": "baseline.policy_cmd",
    "report": "baseline.report_cmd",
}

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad usage or input: printed on stderr, exit 2."""


def build_parser(command: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m baseline", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(COMMANDS) + "}")
    sub.required = True
    if command in COMMANDS:
        # Only the chosen command's module is imported (it may register sibling commands too).
        importlib.import_module(COMMANDS[command]).register(sub)
    for name in COMMANDS:
        if name not in sub.choices:
            sub.add_parser(name, help=f"see `python -m baseline {name} --help`")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.run(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
