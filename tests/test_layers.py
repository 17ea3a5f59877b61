"""DESIGN.md's layers, enforced: imports point one way, and the function code stays deployable.

Every import statement of every module (top level or nested, so a lazy import cannot sneak a
layer violation past the check) is read with `ast` and checked against what its folder may use.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)
FUNCTION_SDKS = {
    "alibabacloud_config20200907", "alibabacloud_ims20190815", "alibabacloud_ram20150501",
    "alibabacloud_sts20150401", "alibabacloud_tea_openapi", "alibabacloud_tea_util",
    "alibabacloud_credentials", "darabonba", "Tea",
    "oss2",
}
# pulumi_policy is a deploy-time tool: only the CrossGuard adapter of policies/guard may use it.
GUARD_PACK_MODULES = {"policies/guard/pack.py", "policies/guard/__main__.py"}

# folder -> top-level packages (besides the standard library) its modules may import
ALLOWED: dict[str, set[str]] = {
    "policies": {"policies"},
    "functions": {"functions", "policies", *FUNCTION_SDKS},
    # yaml: the settings loader also reads a stack file directly (plan, tests).
    "components": {"components", "packaging", "policies", "pulumi", "pulumi_alicloud", "pulumi_aws", "yaml"},
    # `evaluate --live` reaches the account with the function's SDKs plus the credential chain and STS.
    "baseline": {"baseline", "components", "functions", "policies", "pulumi", "yaml",
                 "alibabacloud_credentials", "alibabacloud_sts20150401"},
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots - STDLIB - {"__future__"}


def modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_each_layer_imports_only_what_design_allows(folder):
    offenders = {}
    for path in modules(folder):
        relative = path.relative_to(ROOT).as_posix()
        allowed = ALLOWED[folder] | ({"pulumi_policy", "pulumi"} if relative in GUARD_PACK_MODULES else set())
        extra = imported_roots(path) - allowed
        if extra:
            offenders[relative] = sorted(extra)
    assert offenders == {}


def test_the_program_entry_point_only_builds_components():
    assert imported_roots(ROOT / "__main__.py") <= {"components", "pulumi"}


def test_only_the_settings_loader_reads_pulumi_config():
    readers = [
        p.relative_to(ROOT).as_posix()
        for folder in ("components", "baseline", "policies", "functions")
        for p in modules(folder)
        if "pulumi.Config" in p.read_text() or "pulumi.config" in p.read_text()
    ]
    assert readers == ["components/settings/loader.py"]


def test_layer_check_sees_nested_imports(tmp_path):
    """The checker itself: a lazy import inside a function counts like a top-level one."""
    module = tmp_path / "m.py"
    module.write_text("import json\n\ndef f():\n    import pulumi_aws.iam\n    from yaml import safe_load\n")
    assert imported_roots(module) == {"pulumi_aws", "yaml"}
