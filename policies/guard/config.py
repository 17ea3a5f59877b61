"""Guard settings: enforcement levels and the values the checks compare against.

The per-stack file `policies/guard/config/<stack>.json` is a CrossGuard policy pack
config file, the same one `pulumi preview --policy-pack policies/guard
--policy-pack-config policies/guard/config/<stack>.json` reads:

    {"all": "advisory",                                   # optional: level for every policy
     "ram-password-policy-floor": {"enforcementLevel": "mandatory", "minimumLength": 16},
     "remediation-dry-run-outside-dev": {"stack": "prod"},
     "ram-login-network-masks-set": "disabled"}

A value is either an enforcement level or an object with an optional `enforcementLevel`
and the policy's properties (`PROPERTY_SCHEMAS`, which is also the pack's config schema).
`load_guard_config(stack)` reads that file (defaults when it is absent) so that the offline
`plan` applies exactly the levels and floors `pulumi preview` applies.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

MANDATORY = "mandatory"
ADVISORY = "advisory"
DISABLED = "disabled"
# CrossGuard's `remediate` level reports unremediated violations as mandatory.
REMEDIATE = "remediate"
LEVELS = (MANDATORY, ADVISORY, DISABLED, REMEDIATE)

CONFIG_DIR = Path(__file__).resolve().parent / "config"


class GuardConfigError(ValueError):
    """A guard config file or value is invalid; the message names the file and key."""


@dataclass(frozen=True)
class PasswordFloor:
    """The weakest RAM password policy the guard accepts."""

    minimum_length: int = 14
    require_lowercase: bool = True
    require_uppercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    reuse_prevention: int = 5
    max_login_attempts: int = 5


@dataclass(frozen=True)
class GuardConfig:
    """Everything the checks read besides the resource itself."""

    stack: str | None = None
    password_floor: PasswordFloor = field(default_factory=PasswordFloor)
    max_session_hours: int = 12
    dry_run_stacks: tuple[str, ...] = ("dev",)
    # check name -> level, overriding the registry's default; "all" applies to every check
    levels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # The day expiries are judged on; None means today (UTC). Tests pin it.
    today: datetime.date | None = None

    def current_day(self) -> datetime.date:
        return self.today or datetime.datetime.now(datetime.timezone.utc).date()

    def level(self, check_name: str, default: str) -> str:
        if check_name in self.levels:
            return self.levels[check_name]
        return self.levels.get("all", default)


# Per-policy properties, in JSON-schema form: the pack publishes these as its config schema
# and the loader validates files against them, so both paths accept the same files.
PROPERTY_SCHEMAS: Mapping[str, Mapping[str, Mapping[str, Any]]] = MappingProxyType({
    "ram-password-policy-floor": {
        "minimumLength": {"type": "integer", "default": 14, "minimum": 8, "maximum": 32},
        "requireLowercase": {"type": "boolean", "default": True},
        "requireUppercase": {"type": "boolean", "default": True},
        "requireNumbers": {"type": "boolean", "default": True},
        "requireSymbols": {"type": "boolean", "default": True},
        "passwordReusePrevention": {"type": "integer", "default": 5, "minimum": 0, "maximum": 24},
        "maxLoginAttempts": {"type": "integer", "default": 5, "minimum": 1, "maximum": 32},
    },
    "ram-console-session-duration": {
        "maxHours": {"type": "integer", "default": 12, "minimum": 1, "maximum": 24},
    },
    "remediation-dry-run-outside-dev": {
        "stack": {"type": "string"},
        "dryRunStacks": {"type": "array", "items": {"type": "string"}, "default": ["dev"]},
    },
})


def _check_value(where: str, value: Any, schema: Mapping[str, Any]) -> Any:
    kind = schema["type"]
    if kind == "integer":
        # bool is an int subclass; `true` is not a length
        if not isinstance(value, int) or isinstance(value, bool):
            raise GuardConfigError(f"{where}: expected an integer, got {json.dumps(value)}")
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            raise GuardConfigError(f"{where}: {value} is outside {low}..{high}")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise GuardConfigError(f"{where}: expected true or false, got {json.dumps(value)}")
        return value
    if kind == "string":
        if not isinstance(value, str) or not value:
            raise GuardConfigError(f"{where}: expected a non-empty string, got {json.dumps(value)}")
        return value
    if kind == "array":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise GuardConfigError(f"{where}: expected a list of non-empty strings, got {json.dumps(value)}")
        return tuple(value)
    raise AssertionError(f"unsupported schema type {kind}")  # pragma: no cover - schema is ours


def _check_level(where: str, value: Any) -> str:
    if value not in LEVELS:
        raise GuardConfigError(f"{where}: expected one of {', '.join(LEVELS)}, got {json.dumps(value)}")
    return value


def policy_properties(policy: str, raw: Mapping[str, Any] | None, source: str) -> dict[str, Any]:
    """Validate one policy's properties; returns them with schema defaults filled in."""
    schema = PROPERTY_SCHEMAS.get(policy, {})
    props = {name: spec["default"] for name, spec in schema.items() if "default" in spec}
    for key, value in (raw or {}).items():
        where = f"{source}{policy}.{key}"
        if key == "enforcementLevel":
            continue
        if key not in schema:
            known = ", ".join(sorted(schema)) or "none"
            raise GuardConfigError(f"{where}: unknown property (known: {known})")
        props[key] = _check_value(where, value, schema[key])
    if "dryRunStacks" in props:
        props["dryRunStacks"] = tuple(props["dryRunStacks"])
    return props


def guard_config_from_dict(
    data: Mapping[str, Any],
    *,
    known_policies: tuple[str, ...],
    stack: str | None = None,
    source: str = "",
) -> GuardConfig:
    """Build a GuardConfig from pack-config JSON (already parsed). `source` prefixes errors."""
    if not isinstance(data, Mapping):
        raise GuardConfigError(f"{source or 'config: '}expected a JSON object")
    levels: dict[str, str] = {}
    props: dict[str, dict[str, Any]] = {}
    for policy, value in data.items():
        where = f"{source}{policy}"
        if policy != "all" and policy not in known_policies:
            raise GuardConfigError(f"{where}: unknown policy (known: {', '.join(known_policies)})")
        if isinstance(value, str):
            levels[policy] = _check_level(where, value)
            continue
        if policy == "all":
            raise GuardConfigError(f"{where}: expected an enforcement level")
        if not isinstance(value, Mapping):
            raise GuardConfigError(f"{where}: expected an enforcement level or an object")
        if "enforcementLevel" in value:
            levels[policy] = _check_level(f"{where}.enforcementLevel", value["enforcementLevel"])
        props[policy] = policy_properties(policy, value, source)
    for policy in PROPERTY_SCHEMAS:
        props.setdefault(policy, policy_properties(policy, {}, source))
    floor_props = props["ram-password-policy-floor"]
    session = props["ram-console-session-duration"]
    dry_run = props["remediation-dry-run-outside-dev"]
    configured_stack = dry_run.get("stack")
    if stack is not None and configured_stack is not None and configured_stack != stack:
        raise GuardConfigError(
            f"{source}remediation-dry-run-outside-dev.stack: {configured_stack!r} does not match "
            f"the stack {stack!r}")
    return GuardConfig(
        stack=stack if stack is not None else configured_stack,
        password_floor=PasswordFloor(
            minimum_length=floor_props["minimumLength"],
            require_lowercase=floor_props["requireLowercase"],
            require_uppercase=floor_props["requireUppercase"],
            require_numbers=floor_props["requireNumbers"],
            require_symbols=floor_props["requireSymbols"],
            reuse_prevention=floor_props["passwordReusePrevention"],
            max_login_attempts=floor_props["maxLoginAttempts"],
        ),
        max_session_hours=session["maxHours"],
        dry_run_stacks=dry_run["dryRunStacks"],
        levels=MappingProxyType(levels),
    )


def load_guard_config(stack: str, *, config_dir: Path | None = None) -> GuardConfig:
    """The guard config of `stack`: `<config_dir>/<stack>.json`, defaults when absent."""
    # Imported here: checks imports this module for GuardConfig.
    from policies.guard.checks import CHECK_NAMES

    path = (config_dir or CONFIG_DIR) / f"{stack}.json"
    if not path.is_file():
        return GuardConfig(stack=stack)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GuardConfigError(f"{path}: invalid JSON: {exc}") from exc
    return guard_config_from_dict(data, known_policies=CHECK_NAMES, stack=stack, source=f"{path}: ")
