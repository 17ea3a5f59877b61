"""The functions import from the zip layout: index.py at the root, `functions` and `policies` beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["mfa_rule", "oss_acl_remediation"])
def test_root_index_exposes_the_handler(tmp_path, name):
    ignore = shutil.ignore_patterns("__pycache__", "guard")
    shutil.copytree(ROOT / "functions", tmp_path / "functions", ignore=ignore)
    shutil.copytree(ROOT / "policies", tmp_path / "policies", ignore=ignore)
    shutil.copy(ROOT / "functions" / name / "index.py", tmp_path / "index.py")
    code = (
        "import index, inspect, sys; "
        f"assert {str(ROOT)!r} not in sys.path; "
        "print(index.handler.__module__, list(inspect.signature(index.handler).parameters))"
    )
    out = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-s", "-c", code],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", "")},  # no PYTHONPATH: only the zip layout is importable
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"functions.{name}.handler ['event', 'context']"
