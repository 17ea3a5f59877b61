"""Deterministic function packages: layout, exclusions, bytes, vendoring and the deploy guard."""

from __future__ import annotations

import zipfile

import pytest

from components.packaging import (
    FIXED_DATE,
    PackagingError,
    crc64_ecma,
    package_function,
    require_deployable,
)
from tests.components.support import write


def test_crc64_matches_the_ecma_182_check_value():
    assert crc64_ecma(b"123456789") == 0x995DC9BBDF1939FA
    assert crc64_ecma(b"") == 0


def test_mfa_rule_layout_has_root_index_packages_policies_code_and_vendored_libraries(rule_package):
    assert rule_package.files == (
        "alibabacloud_tea/__init__.py",
        "functions/__init__.py",
        "functions/common/__init__.py",
        "functions/mfa_rule/__init__.py",
        "functions/mfa_rule/handler.py",
        "functions/mfa_rule/index.py",
        "index.py",
        "policies/__init__.py",
        "policies/engine.py",
    )
    assert rule_package.vendored is True and rule_package.deployable is True


def test_remediation_needs_no_vendoring_and_carries_no_policies(remediation_package):
    """The runtime's oss2 serves the remediation function: its zip is its own code only."""
    assert remediation_package.files == (
        "functions/__init__.py",
        "functions/common/__init__.py",
        "functions/oss_acl_remediation/__init__.py",
        "functions/oss_acl_remediation/handler.py",
        "functions/oss_acl_remediation/index.py",
        "index.py",
    )
    assert remediation_package.vendored is False and remediation_package.deployable is True


def test_entries_are_sorted_with_fixed_time_and_mode(rule_package):
    with zipfile.ZipFile(rule_package.path) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {FIXED_DATE}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        assert archive.read("index.py") == b"from functions.mfa_rule.handler import handler\n"


def test_caches_tests_and_hidden_files_are_left_out(source_root, tmp_path):
    fn = source_root / "functions" / "mfa_rule"
    write(fn / "__pycache__" / "handler.cpython-310.pyc", "x")
    write(fn / "tests" / "test_handler.py", "x")
    write(fn / "test_rule.py", "x")
    write(fn / ".env", "x")
    write(fn / "stray.pyc", "x")
    package = package_function(
        "mfa_rule", source_root=source_root, output_dir=tmp_path / "out", vendor_root=tmp_path / "none"
    )
    assert package.files == (
        "functions/__init__.py",
        "functions/common/__init__.py",
        "functions/mfa_rule/__init__.py",
        "functions/mfa_rule/handler.py",
        "functions/mfa_rule/index.py",
        "index.py",
        "policies/__init__.py",
        "policies/engine.py",
    )
    with zipfile.ZipFile(package.path) as archive:
        assert tuple(archive.namelist()) == package.files


def test_same_inputs_give_the_same_bytes_in_any_output_directory(source_root, vendor_dir, tmp_path):
    first = package_function(
        "mfa_rule", vendor_dir=vendor_dir, source_root=source_root, output_dir=tmp_path / "a"
    )
    second = package_function(
        "mfa_rule", vendor_dir=vendor_dir, source_root=source_root, output_dir=tmp_path / "b"
    )
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256 and first.crc64 == second.crc64 == str(
        crc64_ecma(first.path.read_bytes())
    )


def test_a_changed_source_file_rebuilds_the_zip(source_root, tmp_path):
    out = tmp_path / "out"
    kwargs = {"source_root": source_root, "output_dir": out, "vendor_root": tmp_path / "none"}
    before = package_function("oss_acl_remediation", **kwargs)
    write(
        source_root / "functions" / "oss_acl_remediation" / "handler.py", "def handler(e, c):\n    return 1\n"
    )
    after = package_function("oss_acl_remediation", **kwargs)
    assert before.sha256 != after.sha256
    with zipfile.ZipFile(after.path) as archive:
        assert archive.read("functions/oss_acl_remediation/handler.py").endswith(b"return 1\n")


def test_project_code_wins_a_name_clash_with_a_vendored_file(source_root, vendor_dir, tmp_path):
    write(vendor_dir / "index.py", "print('vendored')\n")
    package = package_function(
        "mfa_rule", vendor_dir=vendor_dir, source_root=source_root, output_dir=tmp_path / "o"
    )
    with zipfile.ZipFile(package.path) as archive:
        assert archive.read("index.py").startswith(b"from functions.mfa_rule")


def test_vendored_console_scripts_are_left_out(source_root, vendor_dir, tmp_path):
    write(vendor_dir / "bin" / "tool", "#!/bin/sh\n")
    package = package_function(
        "mfa_rule", vendor_dir=vendor_dir, source_root=source_root, output_dir=tmp_path / "o"
    )
    assert "bin/tool" not in package.files


def test_missing_vendor_marks_the_package_undeployable(unvendored_rule_package):
    assert unvendored_rule_package.vendored is False
    with pytest.raises(PackagingError) as caught:
        require_deployable(unvendored_rule_package)
    assert str(caught.value) == (
        "function mfa_rule: its third-party libraries are not vendored (build/vendor/mfa_rule is missing); "
        "run `make vendor` before `pulumi up`"
    )


def test_an_explicit_vendor_directory_must_exist(source_root, tmp_path):
    with pytest.raises(PackagingError, match="vendor directory does not exist"):
        package_function(
            "mfa_rule", vendor_dir=tmp_path / "nope", source_root=source_root, output_dir=tmp_path
        )


def test_unknown_function_and_missing_handler_are_clear_errors(source_root, tmp_path):
    with pytest.raises(PackagingError, match="unknown function 'nope'; known: mfa_rule, oss_acl_remediation"):
        package_function("nope", source_root=source_root, output_dir=tmp_path)
    (source_root / "functions" / "oss_acl_remediation" / "index.py").unlink()
    with pytest.raises(PackagingError, match=r"functions/oss_acl_remediation/index.py: missing"):
        package_function("oss_acl_remediation", source_root=source_root, output_dir=tmp_path)
