"""The settings loader: typed values from the stack files and the accepted spellings."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from components.settings import (
    BucketExemption,
    ComplianceRuleSettings,
    Exemption,
    SettingsError,
    UserExemption,
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


TODAY = datetime.date(2026, 12, 2)


def _rule_with(**fields):
    return {**MINIMAL, "baseline:complianceRule": {"dangerousActions": ["ecs:*"], **fields}}


def _problems(config):
    with pytest.raises(SettingsError) as caught:
        settings_from_config(config, today=TODAY)
    return list(caught.value.problems)


def test_user_and_bucket_exemptions_share_one_entry_shape_and_parse_dates():
    entry = {"name": "breakglass", "owner": "sec-team", "reason": "emergency access", "expires": "2027-06-30"}
    config = {
        **_rule_with(exemptUsers=[entry]),
        # YAML reads an unquoted date as a date; Pulumi config hands over text: both are accepted.
        "baseline:remediation": {"exemptBuckets": [{**entry, "name": "www-static-site",
                                                    "expires": datetime.date(2026, 12, 2)}]},
    }
    settings = settings_from_config(config, today=TODAY)
    assert settings.compliance_rule.exempt_users == (
        UserExemption(name="breakglass", owner="sec-team", reason="emergency access",
                      expires=datetime.date(2027, 6, 30)),
    )
    (bucket,) = settings.remediation.exempt_buckets
    assert isinstance(bucket, BucketExemption) and isinstance(bucket, Exemption)
    assert bucket.expires == TODAY  # the last day it applies


def test_exemptions_without_expiry_expired_or_too_far_ahead_are_refused_naming_the_key():
    base = {"owner": "web", "reason": "static site"}
    config = {
        **_rule_with(exemptUsers=[{"name": "alice", **base}]),
        "baseline:remediation": {"exemptBuckets": [
            {"name": "site-a", **base, "expires": "2026-12-01"},
            {"name": "site-b", **base, "expires": "2027-12-03"},
            {"name": "site-c", **base, "expires": "2027-12-02"},
            {"name": "site-d", **base, "expires": "31/12/2026"},
        ]},
    }
    assert _problems(config) == [
        "baseline:complianceRule.exemptUsers[0].expires: required",
        "baseline:remediation.exemptBuckets[0].expires: 2026-12-01 is in the past (today is 2026-12-02)",
        "baseline:remediation.exemptBuckets[1].expires: 2027-12-03 is more than 365 days ahead "
        "(at most 2027-12-02)",
        "baseline:remediation.exemptBuckets[3].expires: expected a YYYY-MM-DD date, got string '31/12/2026'",
    ]


def test_an_exemption_entry_reports_every_bad_field_unknown_keys_and_repeats():
    good = {"name": "bob", "owner": "ops", "reason": "migration", "expires": "2027-01-01"}
    config = _rule_with(exemptUsers=[
        good,
        {**good, "owner": "", "reson": "typo"},
        {**good, "name": "not a user!"},
        "bob",
    ])
    assert _problems(config) == [
        "baseline:complianceRule.exemptUsers[1].owner: expected a non-empty string, got string ''",
        "baseline:complianceRule.exemptUsers[1].reson: unknown key (did you mean 'reason'?)",
        "baseline:complianceRule.exemptUsers[1].name: 'bob' is listed twice",
        "baseline:complianceRule.exemptUsers[2].name: 'not a user!' is not a valid RAM user name",
        "baseline:complianceRule.exemptUsers[3]: expected a mapping, got string 'bob'",
    ]


def test_rule_paths_default_to_both_and_must_be_known_distinct_and_non_empty():
    assert settings_from_config(MINIMAL).compliance_rule.paths == ("console", "accessKey")
    assert settings_from_config(_rule_with(paths=["console"])).compliance_rule.paths == ("console",)
    assert _problems(_rule_with(paths=[])) == ["baseline:complianceRule.paths: must not be empty"]
    assert _problems(_rule_with(paths=["console", "sso", "console"])) == [
        "baseline:complianceRule.paths[1]: 'sso' is not one of console, accessKey",
        "baseline:complianceRule.paths[2]: 'console' is listed twice",
    ]


def test_ram_rate_is_per_api_and_bounded_by_rams_published_quota():
    rule = settings_from_config(MINIMAL).compliance_rule
    assert (rule.ram_requests_per_second, rule.credential_report_max_age_minutes) == (80, 60)
    assert _problems(_rule_with(ramRequestsPerSecond=101, credentialReportMaxAgeMinutes=4)) == [
        "baseline:complianceRule.ramRequestsPerSecond: 101 is out of range 1..100",
        "baseline:complianceRule.credentialReportMaxAgeMinutes: 4 is out of range 5..1440",
    ]
    assert _problems(_rule_with(ramMaxRps=20)) == [
        "baseline:complianceRule.ramMaxRps: unknown key (renamed to 'ramRequestsPerSecond')"
    ]


def test_vcpus_are_left_to_fc_unless_set_and_must_suit_the_memory_and_the_generation():
    assert settings_from_config(MINIMAL).compliance_rule.vcpus is None
    assert settings_from_config(_rule_with(vcpus=1, memoryMb=1024)).compliance_rule.vcpus == 1
    assert _problems(_rule_with(vcpus=2, memoryMb=1024)) == [
        "baseline:complianceRule.vcpus: vcpus 2 needs memoryMb 2048..8192 "
        "(FC 3.0: memory 1 to 4 GB per vCPU), memoryMb is 1024"
    ]
    assert _problems(_rule_with(vcpus=1, memoryMb=512)) == [
        "baseline:complianceRule.vcpus: vcpus 1 needs memoryMb 1024..4096 "
        "(FC 3.0: memory 1 to 4 GB per vCPU), memoryMb is 512"
    ]
    fc2 = {**_rule_with(vcpus=1, memoryMb=1024), "baseline:functionCompute": {"generation": 2}}
    assert _problems(fc2) == [
        "baseline:complianceRule.vcpus: FC 2.0 sizes CPU by memory alone: only generation 3 takes vcpus"
    ]
