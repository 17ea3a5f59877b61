"""The documents that follow from the settings declaration: `Pulumi.yaml`'s `config:` block and
the key table of `stacks/README.md`.

    python -m components.settings.render          # rewrite both (`make settings-docs`)
    python -m components.settings.render --check  # exit 1 when either is out of date

Pulumi's project-level config types only strings, integers, booleans and arrays of them (the
`simpleConfigType` enum of the project schema, `sdk/go/common/workspace/project.json`), and a key
may be typed only in the project's own namespace. Every `baseline:` key is a section object, so
`Pulumi.yaml` declares each section untyped with its keys in the description: Pulumi then
reports a missing required section itself (`Stack 'x' is missing configuration value
'complianceRule'`) and applies `{}` (every default) for an absent optional one. `baseline:aws` is
not declared: its presence is what turns the AWS group on, and a declaration could only make it
required or present in every stack.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from components.settings.loader import NAMESPACE, Declared, declared, full_key
from components.settings.model import Settings

ROOT = Path(__file__).resolve().parents[2]
PULUMI_YAML = ROOT / "Pulumi.yaml"
STACKS_README = ROOT / "stacks" / "README.md"
TABLE_BEGIN = "<!-- settings table: generated from components/settings/model.py by `make settings-docs` -->"
TABLE_END = "<!-- end of settings table -->"
# Sections whose presence is itself a setting (see the module docstring).
UNDECLARED_SECTIONS = ("aws", "organization")

PROJECT_HEAD = """\
name: baseline
description: MFA and compliance baseline for Alibaba Cloud and AWS
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: .venv
stackConfigDir: stacks
# Generated from components/settings/model.py by `make settings-docs`; edit the declaration, not this.
# Pulumi types only strings, integers, booleans and arrays, so each section is declared by
# description; components/settings validates every key in it. `aws` and `organization` are
# undeclared: present = deployed.
"""


@dataclasses.dataclass(frozen=True)
class Row:
    key: str
    accepts: str
    default: str
    help: str


def accepts(item: Declared) -> str:
    spec = item.spec
    if spec.accepts is not None:
        return spec.accepts
    if item.kind == "boolean":
        return "true / false"
    if item.kind == "integer":
        if spec.choices:
            text = "one of " + ", ".join(map(str, spec.choices))
        else:
            text = f"integer {spec.low}..{spec.high}"
        return text + (f", multiple of {spec.multiple_of}" if spec.multiple_of else "")
    if item.kind == "string":
        if spec.choices:
            return ", ".join(f"`{c}`" for c in spec.choices)
        if spec.pattern is not None:
            return spec.what.removeprefix("a valid ").removeprefix("a ")
        return "text"
    if item.kind == "date":
        return "date `YYYY-MM-DD`"
    if item.kind == "strings":
        return "list of strings"
    if item.kind == "records":
        names = ", ".join(entry.key for entry in declared(item.item))  # type: ignore[arg-type]
        return f"list of {{{names}}}"
    return "mapping"


def shown_default(item: Declared) -> str:
    if item.required:
        return "**required**"
    if item.spec.shown_default is not None:
        return item.spec.shown_default
    value = item.default
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return json.dumps(list(value))
    if value is None:
        return "none"
    return str(value)


def rows(cls: type = Settings, prefix: str = NAMESPACE) -> Iterator[Row]:
    """Every key a stack may set, in declaration order, sections flattened."""
    for item in declared(cls):
        key = full_key(prefix, item.key)
        if item.kind == "section":
            if item.optional:
                yield Row(key, "mapping", "absent", item.spec.help)
            yield from rows(item.item, key)  # type: ignore[arg-type]
            continue
        yield Row(key, accepts(item), shown_default(item), item.spec.help)
        if item.kind == "records":
            yield from rows(item.item, f"{key}[]")  # type: ignore[arg-type]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def readme_table() -> str:
    lines = [TABLE_BEGIN, "", "| key | accepts | default | meaning |", "|---|---|---|---|"]
    for row in rows():
        lines.append(f"| `{row.key}` | {_cell(row.accepts)} | {_cell(row.default)} | {_cell(row.help)} |")
    lines += ["", TABLE_END]
    return "\n".join(lines)


def render_readme(text: str) -> str:
    """`text` (stacks/README.md) with its settings table replaced by the current one."""
    start, end = text.find(TABLE_BEGIN), text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"{STACKS_README.name}: no settings table markers")
    return text[:start] + readme_table() + text[end + len(TABLE_END):]


def project_config() -> dict[str, dict[str, Any]]:
    """The `config:` block: one untyped declaration per `baseline:` section."""
    block: dict[str, dict[str, Any]] = {}
    for item in declared(Settings):
        if item.kind != "section" or item.key in UNDECLARED_SECTIONS:
            continue
        lines = [f"{item.spec.help} Keys (stacks/README.md):"]
        lines += [
            f"{row.key.removeprefix(full_key(NAMESPACE, item.key) + '.')}: {row.accepts} [{row.default}]"
            for row in rows(item.item, full_key(NAMESPACE, item.key))  # type: ignore[arg-type]
        ]
        declaration: dict[str, Any] = {"description": "\n".join(lines)}
        if not item.required:
            declaration["default"] = {}
        block[item.key] = declaration
    return block


def render_pulumi_yaml() -> str:
    out = [PROJECT_HEAD + "config:"]
    for key, declaration in project_config().items():
        out.append(f"  {key}:")
        out.append("    description: |-")
        out += [f"      {line}".rstrip() for line in declaration["description"].splitlines()]
        if "default" in declaration:
            out.append(f"    default: {json.dumps(declaration['default'])}")
    return "\n".join(out) + "\n"


def outdated() -> list[Path]:
    stale = []
    if PULUMI_YAML.read_text(encoding="utf-8") != render_pulumi_yaml():
        stale.append(PULUMI_YAML)
    readme = STACKS_README.read_text(encoding="utf-8")
    if readme != render_readme(readme):
        stale.append(STACKS_README)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.settings.render", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated document is stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = outdated()
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run `make settings-docs`", file=sys.stderr)
        return 1 if stale else 0
    PULUMI_YAML.write_text(render_pulumi_yaml(), encoding="utf-8")
    STACKS_README.write_text(render_readme(STACKS_README.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
