"""Plan snapshots: the canonical offline plan of each stack, committed under `tests/snapshots/`.

A pull request that changes infrastructure changes `tests/snapshots/<stack>.json`, so the
review shows the change as a diff. Canonical form:

- keys sorted, indent 2, resources sorted by URN (registration order may vary with the
  order outputs resolve in; the URN is the resource's identity);
- a string holding a JSON object (policy documents, trigger configs) is replaced by the
  object, so a policy change reads as a change of statements, not of one escaped line;
- volatile values are replaced by `"<scrubbed>"`: archive hashes, sizes and checksums (they
  change with every edit of function code, which the function tests cover), base64 code blobs,
  and absolute paths outside the repository (paths inside it are shown as `<repo>/...`).

    python -m baseline.snapshots            # check every stack; exit 1 with a diff on drift
    python -m baseline.snapshots --update   # rewrite the snapshots (`make snapshots`)
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from baseline.plan import PROJECT_ROOT as REPO_ROOT
from baseline.plan import STACKS_DIR, stack_names

SNAPSHOTS_DIR = REPO_ROOT / "tests" / "snapshots"
SCRUBBED = "<scrubbed>"
UPDATE_COMMAND = "make snapshots"

# Property names whose values are content hashes or inline code, whatever their shape.
VOLATILE_KEYS = frozenset({"sha256", "hash", "checksum", "codeChecksum", "sourceCodeHash", "zipFile"})
# In the package summaries `build_plan` writes (`{"archive": {"sha256", "bytes", "files"}}`) the
# size changes with every code edit too; the file count stays, as a coarse sign of what changed.
VOLATILE_ARCHIVE_KEYS = frozenset({"bytes"})
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_BASE64_BLOB = re.compile(r"[A-Za-z0-9+/=\s]{200,}")

PlanBuilder = Callable[[str], Mapping[str, Any]]


def _machine_prefixes() -> tuple[str, ...]:
    return (tempfile.gettempdir().rstrip("/") + "/", str(Path.home()).rstrip("/") + "/")


def _decode_json_object(text: str) -> Any:
    stripped = text.strip()
    if not stripped.startswith("{"):
        return None
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _scrub_string(text: str, repo_root: str) -> Any:
    decoded = _decode_json_object(text)
    if decoded is not None:
        return _canonical(decoded, repo_root)
    if _HEX_DIGEST.fullmatch(text) or _BASE64_BLOB.fullmatch(text):
        return SCRUBBED
    if text.startswith(repo_root + "/") or text == repo_root:
        return "<repo>" + text[len(repo_root):]
    if any(text.startswith(prefix) for prefix in _machine_prefixes()):
        # Temp and home directories differ per machine: not part of the desired state.
        return SCRUBBED
    return text


def _volatile_in(key: Any) -> frozenset[str]:
    return VOLATILE_KEYS | VOLATILE_ARCHIVE_KEYS if key == "archive" else VOLATILE_KEYS


def _canonical(value: Any, repo_root: str, volatile: frozenset[str] = VOLATILE_KEYS) -> Any:
    """`volatile`: the keys of this mapping whose values are scrubbed."""
    if isinstance(value, Mapping):
        return {str(key): SCRUBBED if key in volatile else _canonical(item, repo_root, _volatile_in(key))
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item, repo_root) for item in value]
    if isinstance(value, str):
        return _scrub_string(value, repo_root)
    return value


def canonical_plan(plan: Mapping[str, Any], *, repo_root: Path = REPO_ROOT) -> dict[str, Any]:
    """The snapshot form of a `build_plan()` result (see the module docstring)."""
    canonical = _canonical(dict(plan), str(repo_root))
    resources = canonical.get("resources")
    if isinstance(resources, list):
        canonical["resources"] = sorted(resources, key=lambda r: str(r.get("urn", "")))
    return canonical


def render(plan: Mapping[str, Any], *, repo_root: Path = REPO_ROOT) -> str:
    return json.dumps(canonical_plan(plan, repo_root=repo_root), indent=2, sort_keys=True) + "\n"


def snapshot_path(stack: str, snapshots_dir: Path = SNAPSHOTS_DIR) -> Path:
    return snapshots_dir / f"{stack}.json"


def _default_builder(stack: str) -> Mapping[str, Any]:
    from baseline.plan import build_plan

    return build_plan(stack)


def drift(expected: str | None, actual: str, stack: str, snapshots_dir: Path = SNAPSHOTS_DIR) -> str | None:
    """None when the snapshot matches; else a report with a unified diff and the update command."""
    if expected == actual:
        return None
    path = snapshot_path(stack, snapshots_dir)
    try:
        shown = path.relative_to(REPO_ROOT)
    except ValueError:
        shown = path
    if expected is None:
        return f"no plan snapshot for stack {stack!r} at {shown}: run `{UPDATE_COMMAND}` and commit it\n"
    diff = difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                fromfile=f"{shown} (committed)", tofile=f"{stack} (current plan)")
    return (f"plan of stack {stack!r} differs from {shown}; if the change is intended, "
            f"run `{UPDATE_COMMAND}` and commit the file\n" + "".join(diff))


def check_stack(stack: str, *, build: PlanBuilder = _default_builder,
                snapshots_dir: Path = SNAPSHOTS_DIR) -> str | None:
    path = snapshot_path(stack, snapshots_dir)
    expected = path.read_text(encoding="utf-8") if path.is_file() else None
    return drift(expected, render(build(stack)), stack, snapshots_dir)


def update_stack(stack: str, *, build: PlanBuilder = _default_builder,
                 snapshots_dir: Path = SNAPSHOTS_DIR) -> Path:
    path = snapshot_path(stack, snapshots_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(build(stack)), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None, *, build: PlanBuilder = _default_builder,
         snapshots_dir: Path = SNAPSHOTS_DIR, stacks_dir: Path = STACKS_DIR) -> int:
    parser = argparse.ArgumentParser(prog="python -m baseline.snapshots", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the snapshots, do not check")
    parser.add_argument("--stack", action="append", help="only this stack (repeatable); default: every stack")
    args = parser.parse_args(argv)
    known = stack_names(stacks_dir)
    stacks = args.stack or known
    unknown = sorted(set(stacks) - set(known))
    if unknown:
        print(f"error: unknown stack(s) {', '.join(unknown)} (known: {', '.join(known) or 'none'})",
              file=sys.stderr)
        return 2
    if args.update:
        for stack in stacks:
            print(f"wrote {update_stack(stack, build=build, snapshots_dir=snapshots_dir)}")
        return 0
    reports = [r for r in (check_stack(s, build=build, snapshots_dir=snapshots_dir) for s in stacks) if r]
    for report in reports:
        print(report, end="")
    return 1 if reports else 0


if __name__ == "__main__":
    sys.exit(main())
