"""Settings from environment variables: errors name the variable; http only to loopback."""

from __future__ import annotations

import pytest

from functions.common.env import Endpoint, SettingsError, boolean, endpoint, integer, number
from functions.mfa_rule import settings as rule_settings
from functions.oss_acl_remediation import settings as oss_settings


def test_loopback_overrides_use_plain_http_others_https():
    assert endpoint("127.0.0.1:8080", "RAM_ENDPOINT") == Endpoint("127.0.0.1:8080", "http")
    assert endpoint("localhost:9", "X") == Endpoint("localhost:9", "http")
    assert endpoint("ram.example.com", "X") == Endpoint("ram.example.com", "https")
    assert endpoint("https://ram.example.com/", "X") == Endpoint("ram.example.com", "https")


def test_plain_http_to_a_remote_host_is_refused_because_it_would_leak_the_sts_token():
    with pytest.raises(SettingsError, match=r"^CONFIG_ENDPOINT: plain http is only allowed for loopback"):
        endpoint("http://config.example.com", "CONFIG_ENDPOINT")
    with pytest.raises(SettingsError, match=r"^OSS_ENDPOINT: expected host\[:port\]"):
        endpoint("https://a/b", "OSS_ENDPOINT")


def test_numbers_and_booleans_are_validated_with_the_variable_name():
    assert integer({"N": "12"}, "N", 8, 1, 64) == 12
    assert integer({}, "N", 8, 1, 64) == 8
    with pytest.raises(SettingsError, match=r"^N: expected 1\.\.64, got 0$"):
        integer({"N": "0"}, "N", 8, 1, 64)
    with pytest.raises(SettingsError, match=r"^R: expected a number, got 'fast'$"):
        number({"R": "fast"}, "R", 20, 0.1, 100)
    assert boolean({"D": "TRUE"}, "D", False) is True
    with pytest.raises(SettingsError, match=r"^D: expected true or false, got 'maybe'$"):
        boolean({"D": "maybe"}, "D", False)


def test_rule_settings_from_the_component_environment():
    conf = rule_settings.from_env(
        {
            "LOG_LEVEL": "debug",
            "RAM_MAX_CONCURRENCY": "4",
            "RAM_RPS_PER_API": "15",
            "TIME_BUDGET_SECONDS": "270",
        }
    )
    assert (conf.log_level, conf.max_concurrency, conf.rps_per_api, conf.time_budget_seconds) == (
        "DEBUG",
        4,
        15.0,
        270.0,
    )
    assert conf.report_reserve_seconds == 20.0
    defaults = rule_settings.from_env({})
    assert (defaults.max_concurrency, defaults.rps_per_api, defaults.time_budget_seconds) == (8, 80.0, 240.0)
    assert defaults.ram_endpoint is None


def test_remediation_settings_require_the_rule_name():
    with pytest.raises(SettingsError, match=r"^RULE_NAME: missing"):
        oss_settings.from_env({"DRY_RUN": "true"})
    conf = oss_settings.from_env({"RULE_NAME": "oss-bucket-public-read-prohibited", "DRY_RUN": "true"})
    assert (conf.rule_name, conf.dry_run, conf.oss_endpoint) == (
        "oss-bucket-public-read-prohibited",
        True,
        None,
    )
