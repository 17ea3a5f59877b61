"""Function packages: one deterministic zip per function under `build/packages/`.

`package_function(name, *, vendor_dir=None)` returns a `FunctionPackage` (`path` to the zip,
its `sha256`, the `files` it holds, `vendored`, and `crc64`, the CRC-64/ECMA checksum Function
Compute expects in `codeChecksum`). `function_archive(name)` returns the same zip as a
`pulumi.FileArchive` for callers that prefer an asset.

Layout of a zip (handler `index.handler`):
- `index.py` at the root, copied from `functions/<name>/index.py`;
- `functions/__init__.py`, `functions/common/**` (when present), `functions/<name>/**`;
- `policies/**/*.py` for functions that evaluate policies (`mfa_rule`), without the
  deploy-time guard pack `policies/guard/`;
- the vendored third-party libraries (`build/vendor/<name>/`, built by `make vendor`) at the root.

Determinism: entries sorted, timestamps fixed at 1980-01-01, mode 0644, deflate level 6, no
`__pycache__`, `*.pyc`, tests or hidden files; the same inputs give the same bytes, and the
zip on disk is only rewritten when its bytes change.

Vendoring: the FC python3.10 runtime ships `oss2` (2.16.0) and the old `aliyun-python-sdk-*`,
not the `alibabacloud_*` Tea SDKs. So `mfa_rule` carries its SDKs (pinned with hashes in
`components/vendor_locks/mfa_rule.txt`, installed for manylinux2014_x86_64 / CPython 3.10),
and `oss_acl_remediation` uses the runtime's `oss2` and vendors nothing. A function that needs
vendoring but has no vendor directory is still packaged (`vendored=False`) so `plan`, previews
and tests never download anything; the components refuse to deploy such a package
(see `require_deployable`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = PROJECT_ROOT / "build"
VENDOR_ROOT = BUILD_DIR / "vendor"
PACKAGES_DIR = BUILD_DIR / "packages"
LOCKS_DIR = Path(__file__).resolve().parent / "vendor_locks"

# Bump when build_zip changes how bytes are laid out, so cached zips are rebuilt.
ZIP_FORMAT = 2
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # regular file, rw-r--r--
EXCLUDED_DIRS = frozenset({"__pycache__", "tests", "test", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    extra_packages: tuple[str, ...]  # project-root packages the function imports
    needs_vendor: bool
    # Sub-packages of `extra_packages` the function never imports: deploy-time code stays out.
    excluded_packages: tuple[str, ...] = ()


FUNCTIONS: dict[str, FunctionSpec] = {
    # policies/guard is the CrossGuard pack run over the plan (it imports pulumi_policy).
    "mfa_rule": FunctionSpec(
        "mfa_rule", ("policies",), needs_vendor=True, excluded_packages=("policies/guard",)
    ),
    "oss_acl_remediation": FunctionSpec("oss_acl_remediation", (), needs_vendor=False),
}


class PackagingError(RuntimeError):
    """A function cannot be packaged (or deployed) as asked."""


@dataclass(frozen=True)
class FunctionPackage:
    name: str
    path: Path
    sha256: str
    crc64: str
    size: int
    files: tuple[str, ...]
    vendored: bool
    needs_vendor: bool

    @property
    def deployable(self) -> bool:
        return self.vendored or not self.needs_vendor


def crc64_ecma(data: bytes) -> int:
    """CRC-64/XZ (ECMA-182 polynomial, reflected), the checksum FC and OSS call crc64ecma."""
    crc = 0xFFFFFFFFFFFFFFFF
    table = _CRC64_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


def _crc64_table() -> tuple[int, ...]:
    poly = 0xC96C5795D7870F42
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC64_TABLE = _crc64_table()


def _walk(root: Path) -> Iterator[Path]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in EXCLUDED_DIRS and not d.startswith(".")]
        for filename in filenames:
            if filename.startswith(".") or filename.endswith(EXCLUDED_SUFFIXES):
                continue
            if filename.startswith("test_") or filename.endswith("_test.py") or filename == "conftest.py":
                continue
            yield Path(directory, filename)


def _entries(spec: FunctionSpec, source_root: Path, vendor_dir: Path | None) -> dict[str, Path]:
    """Archive name -> source file."""
    function_dir = source_root / "functions" / spec.name
    index = function_dir / "index.py"
    if not index.is_file():
        raise PackagingError(f"functions/{spec.name}/index.py: missing (the handler is index.handler)")
    entries: dict[str, Path] = {}
    if vendor_dir is not None:
        for path in _walk(vendor_dir):
            relative = path.relative_to(vendor_dir)
            if relative.parts[0] == "bin":
                continue  # console scripts: never run inside FC
            entries[relative.as_posix()] = path
    # Project code goes in after the vendored libraries so it always wins a name clash.
    init = source_root / "functions" / "__init__.py"
    if init.is_file():
        entries["functions/__init__.py"] = init
    for package in ("functions/common", f"functions/{spec.name}", *spec.extra_packages):
        package_dir = source_root / package
        if not package_dir.is_dir():
            if package == "functions/common":
                continue
            raise PackagingError(f"{package}: missing, needed by function {spec.name}")
        for path in _walk(package_dir):
            if package in spec.extra_packages and path.suffix != ".py":
                continue  # e.g. policies/documents/*.json are for Pulumi, not the function
            name = path.relative_to(source_root).as_posix()
            if any(name.startswith(f"{excluded}/") for excluded in spec.excluded_packages):
                continue
            entries[name] = path
    entries["index.py"] = index
    return entries


def build_zip(entries: dict[str, Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.create_system = 3  # unix, so external_attr carries the mode
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name].read_bytes(), compresslevel=6)
    return buffer.getvalue()


def default_vendor_dir(name: str, vendor_root: Path = VENDOR_ROOT) -> Path:
    return vendor_root / name


def package_function(
    name: str,
    *,
    vendor_dir: Path | None = None,
    source_root: Path = PROJECT_ROOT,
    output_dir: Path = PACKAGES_DIR,
    vendor_root: Path = VENDOR_ROOT,
) -> FunctionPackage:
    """Build (or reuse, when its inputs are unchanged) the zip of function `name`.

    `vendor_dir=None` uses `<vendor_root>/<name>` (`build/vendor/<name>`) when the function needs
    vendoring and that directory exists; an explicit `vendor_dir` must exist.
    """
    spec = FUNCTIONS.get(name)
    if spec is None:
        raise PackagingError(f"unknown function {name!r}; known: {', '.join(sorted(FUNCTIONS))}")
    if vendor_dir is None:
        candidate = default_vendor_dir(name, vendor_root)
        vendor_dir = candidate if spec.needs_vendor and candidate.is_dir() else None
    elif not vendor_dir.is_dir():
        raise PackagingError(f"{vendor_dir}: vendor directory does not exist (run `make vendor`)")
    entries = _entries(spec, source_root, vendor_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / f"{name}.zip"
    sha256, crc64, size = _cached_or_built(entries, path)
    return FunctionPackage(
        name=name,
        path=path,
        sha256=sha256,
        crc64=crc64,
        size=size,
        files=tuple(sorted(entries)),
        vendored=vendor_dir is not None,
        needs_vendor=spec.needs_vendor,
    )


def _manifest_digest(entries: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for name in sorted(entries):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(entries[name].read_bytes()).digest())
    return digest.hexdigest()


def _cached_or_built(entries: dict[str, Path], path: Path) -> tuple[str, str, int]:
    """(sha256, crc64, size) of the zip, rebuilt only when an input file changed.

    Deflating and CRC-ing a vendored package takes seconds; hashing its inputs takes
    milliseconds, so the sidecar `<zip>.json` remembers what the zip was built from.
    """
    manifest = _manifest_digest(entries)
    sidecar = path.with_suffix(".json")
    if path.is_file() and sidecar.is_file():
        try:
            cached = json.loads(sidecar.read_text(encoding="utf-8"))
        except ValueError:
            cached = {}
        if (
            cached.get("manifest") == manifest
            and cached.get("format") == ZIP_FORMAT
            and cached.get("sha256") == hashlib.sha256(path.read_bytes()).hexdigest()
        ):
            return cached["sha256"], cached["crc64"], cached["size"]
    data = build_zip(entries)
    sha256, crc64 = hashlib.sha256(data).hexdigest(), str(crc64_ecma(data))
    _atomic_write(path, data)
    record = {"format": ZIP_FORMAT, "manifest": manifest, "sha256": sha256, "crc64": crc64, "size": len(data)}
    _atomic_write(sidecar, json.dumps(record, indent=2, sort_keys=True).encode())
    return sha256, crc64, len(data)


def _atomic_write(path: Path, data: bytes) -> None:
    # Write-then-rename so a concurrent plan never reads a half-written file.
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(path)


def require_deployable(package: FunctionPackage) -> None:
    """Fail a real deployment of a package whose third-party libraries were not vendored."""
    if not package.deployable:
        raise PackagingError(
            f"function {package.name}: its third-party libraries are not vendored "
            f"({default_vendor_dir(package.name).relative_to(PROJECT_ROOT)} is missing); "
            "run `make vendor` before `pulumi up`"
        )


def function_archive(name: str, *, vendor_dir: Path | None = None):  # -> pulumi.FileArchive
    """The package of `name` as a `pulumi.FileArchive`."""
    import pulumi

    return pulumi.FileArchive(str(package_function(name, vendor_dir=vendor_dir).path))
