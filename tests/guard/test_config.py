"""Guard config: the CrossGuard pack-config file format, levels, floors and exact errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.guard.checks import CHECK_NAMES
from policies.guard.config import (
    CONFIG_DIR,
    GuardConfig,
    GuardConfigError,
    PasswordFloor,
    guard_config_from_dict,
    load_guard_config,
)


def write(tmp_path: Path, stack: str, data: object) -> Path:
    path = tmp_path / f"{stack}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_absent_file_gives_defaults_for_that_stack(tmp_path):
    config = load_guard_config("qa", config_dir=tmp_path)
    assert config == GuardConfig(stack="qa")
    assert config.password_floor == PasswordFloor(14, True, True, True, True, 5, 5)
    assert config.max_session_hours == 12
    assert config.dry_run_stacks == ("dev",)


def test_levels_all_then_specific_override_the_default(tmp_path):
    write(
        tmp_path,
        "prod",
        {
            "all": "mandatory",
            "ram-login-network-masks-set": "advisory",
            "oss-bucket-not-public": {"enforcementLevel": "disabled"},
        },
    )
    config = load_guard_config("prod", config_dir=tmp_path)
    assert config.level("ram-console-session-duration", "advisory") == "mandatory"
    assert config.level("ram-login-network-masks-set", "advisory") == "advisory"
    assert config.level("oss-bucket-not-public", "mandatory") == "disabled"


def test_properties_set_the_floor_and_limits(tmp_path):
    write(
        tmp_path,
        "prod",
        {
            "ram-password-policy-floor": {
                "minimumLength": 16,
                "requireSymbols": False,
                "maxLoginAttempts": 3,
            },
            "ram-console-session-duration": {"maxHours": 8},
            "remediation-dry-run-outside-dev": {"stack": "prod", "dryRunStacks": ["dev", "qa"]},
        },
    )
    config = load_guard_config("prod", config_dir=tmp_path)
    assert config.password_floor == PasswordFloor(
        minimum_length=16, require_symbols=False, max_login_attempts=3
    )
    assert config.max_session_hours == 8
    assert config.dry_run_stacks == ("dev", "qa")
    assert config.stack == "prod"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"ram-password-floor": "mandatory"},
            "ram-password-floor: unknown policy (known: " + ", ".join(CHECK_NAMES) + ")",
        ),
        (
            {"oss-bucket-not-public": "blocking"},
            'oss-bucket-not-public: expected one of mandatory, advisory, disabled, remediate, got "blocking"',
        ),
        (
            {"ram-password-policy-floor": {"minimumLength": 7}},
            "ram-password-policy-floor.minimumLength: 7 is outside 8..32",
        ),
        (
            {"ram-password-policy-floor": {"minimumLength": True}},
            "ram-password-policy-floor.minimumLength: expected an integer, got true",
        ),
        (
            {"ram-password-policy-floor": {"requireSymbols": "yes"}},
            'ram-password-policy-floor.requireSymbols: expected true or false, got "yes"',
        ),
        (
            {"ram-password-policy-floor": {"minLength": 14}},
            "ram-password-policy-floor.minLength: unknown property (known: maxLoginAttempts, minimumLength, "
            "passwordReusePrevention, requireLowercase, requireNumbers, requireSymbols, requireUppercase)",
        ),
        (
            {"ram-console-session-duration": {"enforcementLevel": "advisory", "maxHours": 25}},
            "ram-console-session-duration.maxHours: 25 is outside 1..24",
        ),
        (
            {"remediation-dry-run-outside-dev": {"dryRunStacks": "dev"}},
            'remediation-dry-run-outside-dev.dryRunStacks: expected a list of non-empty strings, got "dev"',
        ),
        (
            {"remediation-dry-run-outside-dev": {"stack": "dev"}},
            "remediation-dry-run-outside-dev.stack: 'dev' does not match the stack 'prod'",
        ),
        ({"all": {"enforcementLevel": "mandatory"}}, "all: expected an enforcement level"),
        ({"oss-bucket-not-public": 1}, "oss-bucket-not-public: expected an enforcement level or an object"),
        (
            {"oss-bucket-not-public": {"enforcementLevel": "on"}},
            "oss-bucket-not-public.enforcementLevel: expected one of mandatory, advisory, disabled, "
            'remediate, got "on"',
        ),
    ],
)
def test_invalid_config_names_the_file_and_key(tmp_path, data, message):
    path = write(tmp_path, "prod", data)
    with pytest.raises(GuardConfigError) as error:
        load_guard_config("prod", config_dir=tmp_path)
    assert str(error.value) == f"{path}: {message}"


def test_file_that_is_not_json_is_reported_with_its_path(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(GuardConfigError) as error:
        load_guard_config("dev", config_dir=tmp_path)
    assert (
        str(error.value) == f"{path}: invalid JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)"
    )


def test_file_that_is_not_an_object_is_reported(tmp_path):
    path = write(tmp_path, "dev", ["mandatory"])
    with pytest.raises(GuardConfigError) as error:
        load_guard_config("dev", config_dir=tmp_path)
    assert str(error.value) == f"{path}: expected a JSON object"


def test_without_a_stack_argument_the_configured_stack_is_used():
    config = guard_config_from_dict(
        {"remediation-dry-run-outside-dev": {"stack": "prod"}}, known_policies=CHECK_NAMES
    )
    assert config.stack == "prod"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_stack_configs_load(stack):
    """The files the preview workflow passes with --policy-pack-config are valid."""
    config = load_guard_config(stack)
    assert config.stack == stack
    assert (CONFIG_DIR / f"{stack}.json").is_file()


def test_prod_config_makes_advisory_checks_blocking_except_network_masks():
    config = load_guard_config("prod")
    assert config.level("ram-console-login-requires-mfa", "advisory") == "mandatory"
    assert config.level("remediation-dry-run-outside-dev", "advisory") == "mandatory"
    assert config.level("ram-login-network-masks-set", "advisory") == "advisory"
