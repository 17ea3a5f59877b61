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


# Every way into Pulumi's configuration: the Config class and module, and the runtime's config
# store and engine-config readers, plus the adapter's functions that wrap the latter.
CONFIG_READS = (
    "pulumi.Config",
    "pulumi.config",
    "pulumi.runtime.config",
    "pulumi.runtime.get_config",
    "pulumi.runtime.get_config_env",
    "pulumi.runtime.get_config_env_key",
    "pulumi.runtime.get_config_secret_keys_env",
    "pulumi.runtime.is_config_secret",
    "components.pulumi_sdk.config_values",
    "components.pulumi_sdk.secret_config_keys",
)


def config_reads(source: str) -> set[str]:
    """The config APIs a module's code names, however it imports them: `import pulumi as p` then
    `p.Config`, `from pulumi import Config`, `from pulumi.runtime import config`, `import
    pulumi.runtime.config`, `getattr(pulumi, "Config")`, an import inside a function..."""
    tree = ast.parse(source)
    names: dict[str, str] = {}  # local name -> the dotted name it stands for
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                used.add(alias.name)
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    names[root] = root
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                used.add(full)
                names[alias.asname or alias.name] = full

    def dotted(node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            base = dotted(node.args[0])
            return f"{base}.{node.args[1].value}" if base else None
        return None

    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute, ast.Call)) and (name := dotted(node)):
            used.add(name)
    return {n for n in used if any(n == api or n.startswith(f"{api}.") for api in CONFIG_READS)}


def test_only_the_settings_loader_reads_pulumi_config():
    """Components receive typed settings; the loader reads config, through the SDK adapter, which
    is the only module that touches Pulumi's config store."""
    readers = {
        p.relative_to(ROOT).as_posix(): sorted(config_reads(p.read_text(encoding="utf-8")))
        for folder in ("components", "baseline", "policies", "functions")
        for p in modules(folder)
    }
    readers["__main__.py"] = sorted(config_reads((ROOT / "__main__.py").read_text(encoding="utf-8")))
    readers = {path: names for path, names in readers.items() if names}
    assert sorted(readers) == ["components/pulumi_sdk.py", "components/settings/loader.py"]
    assert readers["components/settings/loader.py"] == [
        "components.pulumi_sdk.config_values",
        "components.pulumi_sdk.secret_config_keys",
    ]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import pulumi\nx = pulumi.Config('baseline')", "pulumi.Config"),
        ("import pulumi as p\nx = p.Config()", "pulumi.Config"),
        ("from pulumi import Config as C\nx = C()", "pulumi.Config"),
        ("from pulumi import config", "pulumi.config"),
        ("import pulumi\nx = pulumi.runtime.config.CONFIG", "pulumi.runtime.config.CONFIG"),
        ("import pulumi.runtime.config", "pulumi.runtime.config"),
        ("from pulumi.runtime import config as rc\nrc.CONFIG.get()", "pulumi.runtime.config.CONFIG.get"),
        ("from pulumi.runtime.config import get_config", "pulumi.runtime.config.get_config"),
        ("import pulumi\nx = pulumi.runtime.get_config('k')", "pulumi.runtime.get_config"),
        ("import pulumi\nx = getattr(pulumi, 'Config')", "pulumi.Config"),
        ("def f():\n    from pulumi import Config\n    return Config()", "pulumi.Config"),
    ],
)
def test_config_read_check_sees_every_way_of_reading_config(source, found):
    assert found in config_reads(source)


def test_config_read_check_ignores_the_rest_of_pulumi():
    source = "import pulumi\nfrom pulumi import export\npulumi.export('a', 1)\nconfig = {}\nconfig.get('x')"
    assert config_reads(source) == set()


def test_layer_check_sees_nested_imports(tmp_path):
    """The checker itself: a lazy import inside a function counts like a top-level one."""
    module = tmp_path / "m.py"
    module.write_text("import json\n\ndef f():\n    import pulumi_aws.iam\n    from yaml import safe_load\n")
    assert imported_roots(module) == {"pulumi_aws", "yaml"}
