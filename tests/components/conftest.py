"""Shared fixtures: a tiny function source tree and its packages, so component tests never
depend on the real handlers or on vendored SDKs."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.packaging import FunctionPackage, package_function
from tests.components.support import write


@pytest.fixture
def source_root(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    write(root / "functions" / "__init__.py", "")
    write(root / "functions" / "common" / "__init__.py", "")
    for name in ("mfa_rule", "oss_acl_remediation"):
        write(root / "functions" / name / "__init__.py", "")
        write(root / "functions" / name / "index.py", f"from functions.{name}.handler import handler\n")
        write(root / "functions" / name / "handler.py", "def handler(event, context):\n    return None\n")
    write(root / "policies" / "__init__.py", "")
    write(root / "policies" / "engine.py", "X = 1\n")
    # Deploy-time code under policies/: the packages must leave it out (exact file lists in the tests).
    write(root / "policies" / "guard" / "__init__.py", "")
    write(root / "policies" / "guard" / "pack.py", "import pulumi_policy\n")
    write(root / "policies" / "documents" / "ram" / "doc.json", "{}")
    return root


@pytest.fixture
def vendor_dir(tmp_path: Path) -> Path:
    vendor = tmp_path / "vendor"
    write(vendor / "alibabacloud_tea" / "__init__.py", "VERSION = '0.4.0'\n")
    return vendor


@pytest.fixture
def rule_package(source_root: Path, vendor_dir: Path, tmp_path: Path) -> FunctionPackage:
    return package_function(
        "mfa_rule", vendor_dir=vendor_dir, source_root=source_root, output_dir=tmp_path / "packages"
    )


@pytest.fixture
def unvendored_rule_package(source_root: Path, tmp_path: Path) -> FunctionPackage:
    return package_function(
        "mfa_rule",
        source_root=source_root,
        output_dir=tmp_path / "unvendored",
        vendor_root=tmp_path / "no-vendor",
    )


@pytest.fixture
def remediation_package(source_root: Path, tmp_path: Path) -> FunctionPackage:
    return package_function("oss_acl_remediation", source_root=source_root, output_dir=tmp_path / "packages")
