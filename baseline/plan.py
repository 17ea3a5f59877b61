"""Offline plan: run the Pulumi program against the mock engine and return the desired state.

`build_plan(stack)` validates `stacks/Pulumi.<stack>.yaml` (raising `SettingsError` with every
problem), runs `components.program.main` under `baseline.mocks` in a fresh context (so repeated
plans in one process share nothing), and returns the DESIGN.md contract:
`{"stack", "project", "resources": [{"urn", "type", "name", "parent", "inputs"}], "outputs"}`,
resources in a deterministic registration order (`RecordingMonitor.ordered`), inputs as
the engine sees them (camelCase) made JSON-safe:
inline zips become `{"archive": {"sha256", "bytes", "files", "encoding"}}` and paths inside the
project become relative, so the same tree plans to the same JSON on every machine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from baseline.mock_outputs import DEFAULT_AWS_REGION, BaselineMocks
from baseline.mocks import run_with_mocks
from components.settings import flatten_for_pulumi, read_stack_config, settings_from_config

PROJECT = "baseline"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
STACKS_DIR = PROJECT_ROOT / "stacks"
STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Inline code shorter than this is left as is (it is not a package worth summarising).
INLINE_ZIP_MIN_CHARS = 64


class UnknownStackError(LookupError):
    """No `Pulumi.<stack>.yaml` in the stacks directory."""


def stack_names(stacks_dir: Path = STACKS_DIR) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stacks_dir.glob("Pulumi.*.yaml"))


def stack_path(stack: str, stacks_dir: Path = STACKS_DIR) -> Path:
    if not STACK_NAME.match(stack):
        raise UnknownStackError(f"--stack {stack!r}: not a stack name")
    path = stacks_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = ", ".join(stack_names(stacks_dir)) or "none"
        raise UnknownStackError(f"--stack {stack!r}: no {path.name} in {stacks_dir} (stacks: {known})")
    return path


def build_plan(stack: str, *, stacks_dir: Path = STACKS_DIR) -> dict[str, Any]:
    from components.program import main

    config = read_stack_config(stack_path(stack, stacks_dir))
    settings = settings_from_config(config)
    mocks = BaselineMocks(
        region=settings.alicloud_region,
        aws_region=settings.aws.region if settings.aws else DEFAULT_AWS_REGION,
    )
    run = run_with_mocks(
        main, stack=stack, project=PROJECT, preview=True, config=flatten_for_pulumi(config), mocks=mocks
    )
    return {
        "stack": stack,
        "project": PROJECT,
        "resources": [
            {"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent, "inputs": to_json(r.inputs)}
            for r in run.registrations()
        ],
        "outputs": to_json(run.outputs),
    }


def to_json(value: Any) -> Any:
    """Engine values -> JSON values, deterministic across machines."""
    import pulumi

    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine's numbers are doubles; the programs wrote integers
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, pulumi.FileArchive):
        return _archive_file(Path(value.path))
    if isinstance(value, (pulumi.FileAsset, pulumi.StringAsset, pulumi.RemoteAsset, pulumi.Archive)):
        return {"asset": repr(value)}
    if isinstance(value, pulumi.Resource):
        return {"resource": str(getattr(value, "_name", ""))}
    return str(value)


def _string(value: str) -> Any:
    root = str(PROJECT_ROOT) + "/"
    if value.startswith(root):
        return value[len(root) :]
    if len(value) >= INLINE_ZIP_MIN_CHARS and value.startswith("UEsDB"):  # base64 of "PK\x03\x04"
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return value
        summary = _zip_summary(data)
        if summary is not None:
            return {"archive": {**summary, "encoding": "base64"}}
    return value


def _zip_summary(data: bytes) -> dict[str, Any] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = len(archive.namelist())
    except zipfile.BadZipFile:
        return None
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "files": files}


def _archive_file(path: Path) -> dict[str, Any]:
    summary = _zip_summary(path.read_bytes()) if path.is_file() else None
    return {"archive": summary or {"path": _string(str(path))}}
