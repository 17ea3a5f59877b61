"""Each setting is declared once: Pulumi.yaml, stacks/README.md and the guard's defaults follow it."""

from __future__ import annotations

import json
from typing import Any

import yaml

from components.settings import Settings, settings_from_config
from components.settings.loader import NAMESPACE, declared
from components.settings.model import RamPasswordPolicySettings, RamSecurityPreferenceSettings
from components.settings.render import PULUMI_YAML, STACKS_README, outdated, render_readme, rows
from policies.guard.config import PROPERTY_SCHEMAS

MINIMAL = {"alicloud:region": "ap-southeast-1", "baseline:complianceRule": {"dangerousActions": ["ecs:*"]}}


def test_pulumi_yaml_and_the_stack_readme_are_generated_from_the_declaration():
    assert outdated() == [], "run `make settings-docs`"


def test_the_readme_table_lists_every_declared_key_once():
    table = render_readme(STACKS_README.read_text(encoding="utf-8"))
    keys = [row.key for row in rows()]
    assert len(keys) == len(set(keys))
    for key in keys:
        assert table.count(f"| `{key}` |") == 1, key
    assert "| `baseline:complianceRule.timeoutSeconds` | integer 31..600 | 270 |" in table


def _defaults_written_out(cls: type) -> dict[str, Any]:
    """Every optional key of `cls` set explicitly to its declared default, as a stack file would."""
    out: dict[str, Any] = {}
    for item in declared(cls):
        if item.kind == "section" and not item.optional:
            out[item.key] = _defaults_written_out(item.item)
        elif not (item.required or ":" in item.key or item.default is None):
            out[item.key] = list(item.default) if isinstance(item.default, tuple) else item.default
    return out


def test_every_declared_default_passes_its_own_validation():
    """A default outside its own range or pattern would be refused the moment a stack spelled it out."""
    explicit = {f"{NAMESPACE}:{k}": v for k, v in _defaults_written_out(Settings).items()}
    explicit[f"{NAMESPACE}:complianceRule"]["dangerousActions"] = ["ecs:*"]
    assert settings_from_config({"alicloud:region": "ap-southeast-1", **explicit}) == settings_from_config(
        MINIMAL
    )


def test_pulumi_yaml_declares_sections_the_way_pulumi_accepts_and_its_defaults_change_nothing():
    """Project config may type only strings, integers, booleans and arrays, and only in the project's
    namespace (pulumi/pulumi sdk/go/common/workspace/project.json, project.go `Validate`)."""
    project = yaml.safe_load(PULUMI_YAML.read_text(encoding="utf-8"))
    block = project["config"]
    sections = {item.key: item for item in declared(Settings) if item.kind == "section"}
    assert set(block) == set(sections) - {"aws", "organization"}
    for key, declaration in block.items():
        assert ":" not in key and "type" not in declaration and declaration["description"]
        # Required sections carry no default, so Pulumi itself reports them missing.
        assert ("default" in declaration) is (not sections[key].required), key
    # What Pulumi injects for absent optional sections (objects reach the program as JSON text).
    name = project["name"]
    injected = {f"{name}:{k}": json.dumps(d["default"]) for k, d in block.items() if "default" in d}
    assert settings_from_config({**injected, **MINIMAL}) == settings_from_config(MINIMAL)


def _default(cls: type, key: str) -> Any:
    return next(item for item in declared(cls) if item.key == key)


def test_the_guards_password_floor_defaults_are_the_stack_defaults():
    """The guard cannot import components (DESIGN.md layers), so this test is what ties them."""
    floor = PROPERTY_SCHEMAS["ram-password-policy-floor"]
    # guard property -> ramPasswordPolicy key
    same_as = {
        "minimumLength": "minimumLength", "requireLowercase": "requireLowercase",
        "requireUppercase": "requireUppercase", "requireNumbers": "requireNumbers",
        "requireSymbols": "requireSymbols", "passwordReusePrevention": "reusePrevention",
        "maxLoginAttempts": "maxLoginAttempts",
    }
    assert set(floor) == set(same_as)
    for guard_key, key in same_as.items():
        item = _default(RamPasswordPolicySettings, key)
        assert floor[guard_key]["default"] == item.default, guard_key
        if "maximum" in floor[guard_key]:
            assert floor[guard_key]["maximum"] <= item.spec.high, guard_key
    session = PROPERTY_SCHEMAS["ram-console-session-duration"]["maxHours"]
    hours = _default(RamSecurityPreferenceSettings, "loginSessionHours")
    assert (session["minimum"], session["maximum"]) == (hours.spec.low, hours.spec.high)
    assert hours.default <= session["default"]
