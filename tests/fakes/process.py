"""The fake cloud in a child process (`python -m tests.fakes.serve`), for the benchmarks: the
server's CPU time then does not compete with the code measured."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class FakeProcess:
    def __init__(self, snapshot: dict[str, Any], latency: float, extra_args: Sequence[str] = ()) -> None:
        self._dir = tempfile.TemporaryDirectory()
        path = Path(self._dir.name) / "snapshot.json"
        path.write_text(json.dumps(snapshot))
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
            [sys.executable, "-m", "tests.fakes.serve", "--snapshot", str(path), "--latency", str(latency),
             *extra_args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.proc.stdout is None:
            raise RuntimeError("the fake cloud process has no stdout")
        self.endpoint = self.proc.stdout.readline().strip()

    def control(self, what: str) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://{self.endpoint}/_fake/{what}", timeout=10) as response:
            return json.loads(response.read())

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self._dir.cleanup()
