"""The settings loader: typed values from the stack files and the accepted spellings."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.settings import (
    ComplianceRuleSettings,
    SettingsError,
    load_stack_file,
    settings_from_config,
)
from tests.components.support import write

STACKS = Path(__file__).resolve().parents[2] / "stacks"
MINIMAL = {"alicloud:region": "ap-southeast-1", "baseline:complianceRule": {"dangerousActions": ["ecs:*"]}}


def test_dev_stack_loads_the_seed_names():
    settings = load_stack_file(STACKS / "Pulumi.dev.yaml")
    assert settings.alicloud_region == "ap-southeast-1"
    assert settings.function_compute.generation == 2
    assert settings.compliance_rule == ComplianceRuleSettings(
        dangerous_actions=("ecs:*", "oss:*", "log:*"),
        rule_name="RamUserMFA",
        service_name="Ram_User",
        function_name="RamDangerousPolicyUserBindMFA",
        timeout_seconds=270,
        memory_mb=512,
        log_level="DEBUG",
    )
    assert settings.compliance_rule.time_budget_seconds == 240
    assert settings.remediation.topic_name == "MNSTestConfig" and settings.remediation.dry_run is True
    assert settings.aws is not None and settings.aws.group_name == "PowerConsultants"


def test_prod_requires_mfa_for_login_and_is_not_a_dry_run():
    settings = load_stack_file(STACKS / "Pulumi.prod.yaml")
    assert settings.ram_security_preference.mfa_for_login == "mandatory"
    assert settings.remediation.dry_run is False
    assert settings.function_compute.generation == 3


def test_minimal_config_takes_documented_defaults():
    settings = settings_from_config(MINIMAL)
    assert settings.function_compute.generation == 3
    assert settings.compliance_rule.maximum_execution_frequency == "One_Hour"
    assert settings.remediation.enabled is True
    assert settings.ram_password_policy.minimum_length == 14
    assert settings.aws is None


def test_comma_separated_actions_are_accepted_and_trimmed():
    config = {**MINIMAL, "baseline:complianceRule": {"dangerousActions": "ecs:*, oss:Get*,*"}}
    assert settings_from_config(config).compliance_rule.dangerous_actions == ("ecs:*", "oss:Get*", "*")


def test_json_text_sections_are_parsed_and_other_namespaces_ignored():
    config = {**MINIMAL, "baseline:ramPasswordPolicy": '{"minimumLength": 20}', "alicloud:profile": "x"}
    assert settings_from_config(config).ram_password_policy.minimum_length == 20


def test_a_section_that_is_not_json_names_the_key():
    with pytest.raises(SettingsError) as caught:
        settings_from_config({**MINIMAL, "baseline:remediation": "enabled"})
    assert caught.value.problems == ("baseline:remediation: expected a mapping, got string 'enabled'",)


def test_too_many_masks_are_rejected(tmp_path):
    masks = [f"10.{i}.0.0/16" for i in range(41)]
    with pytest.raises(SettingsError) as caught:
        settings_from_config({**MINIMAL, "baseline:ramSecurityPreference": {"loginNetworkMasks": masks}})
    assert caught.value.problems == (
        "baseline:ramSecurityPreference.loginNetworkMasks: 41 masks, at most 40 are allowed",
    )


def test_a_stack_file_without_a_mapping_is_rejected(tmp_path):
    path = write(tmp_path / "Pulumi.x.yaml", "- just\n- a list\n")
    with pytest.raises(SettingsError, match=r"^Pulumi.x.yaml: expected a mapping with a 'config' key$"):
        load_stack_file(path)
