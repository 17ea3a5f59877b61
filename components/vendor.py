"""`make vendor` (`python -m components.vendor`): install each function's third-party libraries.

For every function that needs vendoring (see `components.packaging.FUNCTIONS`), installs the
exact wheels pinned with hashes in `components/vendor_locks/<function>.txt` for Function
Compute's platform (manylinux2014_x86_64, CPython 3.10) into `build/vendor/<function>/`, which
`package_function` then puts at the root of the zip. The only step that downloads anything;
`plan` and the tests never call it.

`--lock` regenerates the lock files from `functions/requirements.txt` (minus what the FC
runtime already provides) with the newest matching wheels.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from components.packaging import FUNCTIONS, LOCKS_DIR, PROJECT_ROOT, VENDOR_ROOT

PLATFORM_ARGS = (
    "--platform", "manylinux2014_x86_64", "--python-version", "3.10",
    "--implementation", "cp", "--abi", "cp310", "--only-binary=:all:",
)  # fmt: skip
# Built into the FC python3.10 runtime (oss2 2.16.0): not vendored.
RUNTIME_PROVIDED = frozenset({"oss2"})
REQUIREMENTS = PROJECT_ROOT / "functions" / "requirements.txt"


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True)  # noqa: S603 (fixed argv, no shell)


def vendor(name: str) -> Path:
    lock = LOCKS_DIR / f"{name}.txt"
    if not lock.is_file():
        hint = "run `python -m components.vendor --lock`"
        raise SystemExit(f"{lock.relative_to(PROJECT_ROOT)}: missing; {hint}")
    target = VENDOR_ROOT / name
    staging = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=VENDOR_ROOT))
    try:
        _pip("install", "--quiet", "--no-deps", "--no-compile", "--require-hashes", "--target", str(staging),
             *PLATFORM_ARGS, "-r", str(lock))
        shutil.rmtree(target, ignore_errors=True)
        staging.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _requirement_name(line: str) -> str:
    return line.split(";")[0].split("~")[0].split("=")[0].split(">")[0].split("<")[0].strip().lower()


def lock(name: str) -> Path:
    wanted = [
        line.strip() for line in REQUIREMENTS.read_text().splitlines()
        if line.strip() and not line.startswith("#") and _requirement_name(line) not in RUNTIME_PROVIDED
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as download:
        _pip("download", "--quiet", "--dest", download, *PLATFORM_ARGS, *wanted)
        lines = []
        for wheel in sorted(Path(download).glob("*.whl")):
            project, version = wheel.name.split("-")[:2]
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            lines.append(f"{project.lower().replace('_', '-')}=={version} --hash=sha256:{digest}")
    path = LOCKS_DIR / f"{name}.txt"
    old = path.read_text().splitlines() if path.is_file() else []
    header = [line for line in old if line.startswith("#")]
    path.write_text("\n".join([*header, *lines]) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.vendor", description=__doc__.splitlines()[0])
    parser.add_argument("--lock", action="store_true", help="regenerate the lock files instead of installing")
    args = parser.parse_args(argv)
    VENDOR_ROOT.mkdir(parents=True, exist_ok=True)
    for name, spec in sorted(FUNCTIONS.items()):
        if spec.needs_vendor:
            done = lock(name) if args.lock else vendor(name)
            print(f"{name}: {done.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
