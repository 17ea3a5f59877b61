"""`make vendor` (`python -m components.vendor`): install each function's third-party libraries.

For every function that needs vendoring (see `components.packaging.FUNCTIONS`), installs the
exact wheels pinned with hashes in `components/vendor_locks/<function>.txt` for Function
Compute's platform (manylinux2014_x86_64, CPython 3.10) into `build/vendor/<function>/`, which
`package_function` then puts at the root of the zip. The only step that downloads anything;
`plan` and the tests never call it.

`--lock` regenerates the lock files from `functions/requirements.txt` (minus what the FC
runtime already provides) with the newest matching wheels. `pip download --python-version`
evaluates dependency markers for the interpreter running pip, not the target, so a backport only
Python 3.10 needs (aiohttp's `async-timeout; python_version < "3.11"`) would be left out and the
function would fail to import on FC. The lock therefore closes the wheel set under the FC
runtime's markers (`missing_requirements`) before writing it.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from components.packaging import FUNCTIONS, LOCKS_DIR, PROJECT_ROOT, VENDOR_ROOT

PLATFORM_ARGS = (
    "--platform", "manylinux2014_x86_64", "--python-version", "3.10",
    "--implementation", "cp", "--abi", "cp310", "--only-binary=:all:",
)  # fmt: skip
# Built into the FC python3.10 runtime (oss2 2.16.0): not vendored.
RUNTIME_PROVIDED = frozenset({"oss2"})
REQUIREMENTS = PROJECT_ROOT / "functions" / "requirements.txt"
# PEP 508 marker environment of the FC python3.10 runtime (Debian 10, x86_64, CPython 3.10).
FC_PYTHON310 = {
    "implementation_name": "cpython",
    "implementation_version": "3.10.13",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_system": "Linux",
    "python_full_version": "3.10.13",
    "python_version": "3.10",
    "sys_platform": "linux",
}


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


def wheel_requirements(wheel: Path) -> list[str]:
    """The `Requires-Dist` lines of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode("utf-8")
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Requires-Dist:")]


def wheel_project(wheel: Path) -> str:
    return canonicalize_name(wheel.name.split("-")[0])


def missing_requirements(wheels: Iterable[Path], environment: Mapping[str, str] = FC_PYTHON310) -> list[str]:
    """Requirements of `wheels` that apply in `environment` (extras not requested) and that no
    wheel of the set satisfies by name: what the set still lacks to import there."""
    wheels = list(wheels)
    present = {wheel_project(w) for w in wheels}
    missing: dict[str, str] = {}
    for wheel in wheels:
        for text in wheel_requirements(wheel):
            requirement = Requirement(text)
            applies = requirement.marker is None or requirement.marker.evaluate({**environment, "extra": ""})
            if not applies:
                continue
            name = canonicalize_name(requirement.name)
            if name not in present:
                requirement.marker = None
                missing.setdefault(name, str(requirement))
    return [missing[name] for name in sorted(missing)]


def lock(name: str) -> Path:
    wanted = [
        line.strip() for line in REQUIREMENTS.read_text().splitlines()
        if line.strip() and not line.startswith("#") and _requirement_name(line) not in RUNTIME_PROVIDED
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as download:
        _pip("download", "--quiet", "--dest", download, *PLATFORM_ARGS, *wanted)
        asked: list[str] = []
        while extra := missing_requirements(Path(download).glob("*.whl")):
            if extra == asked:  # pip fetched nothing that satisfies them: stop rather than loop
                raise SystemExit(f"cannot lock {name}: unresolved for python3.10: {', '.join(extra)}")
            _pip("download", "--quiet", "--dest", download, *PLATFORM_ARGS, *extra)
            asked = extra
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
