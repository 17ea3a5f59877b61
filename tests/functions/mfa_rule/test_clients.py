"""Which RAM and Config endpoints the rule's SDK clients use: from the region unless overridden."""

from __future__ import annotations

import pytest

from functions.common.credentials import Credentials
from functions.common.env import Endpoint, SettingsError
from functions.mfa_rule import clients, settings
from functions.mfa_rule.settings import Settings

CREDS = Credentials("STS.test-key-id", "test-secret-not-a-key", "STS.test-token")


def where(client: object) -> tuple[str, str, str]:
    # Building a client makes no request; these are what every call would be signed and sent with.
    return client._endpoint, client._protocol, client._region_id  # type: ignore[attr-defined]


@pytest.mark.parametrize("region", ["ap-southeast-1", "cn-hangzhou", None])
def test_ram_is_global_so_its_endpoint_is_ram_aliyuncs_com_over_https_in_any_region(region):
    endpoint, protocol, _ = where(clients.ram_client(CREDS, Settings(), region))
    assert (endpoint, protocol) == ("ram.aliyuncs.com", "https")


def test_config_endpoint_and_region_for_ap_southeast_1_without_override():
    assert where(clients.config_client(CREDS, Settings(), "ap-southeast-1")) == (
        "config.ap-southeast-1.aliyuncs.com",
        "https",
        "ap-southeast-1",
    )
    assert where(clients.ram_client(CREDS, Settings(), "ap-southeast-1"))[2] == "ap-southeast-1"


def test_config_endpoint_for_a_region_the_sdk_does_not_map_is_the_central_one():
    assert where(clients.config_client(CREDS, Settings(), "cn-hangzhou")) == (
        "config.aliyuncs.com",
        "https",
        "cn-hangzhou",
    )


def test_without_a_region_anywhere_the_clients_fall_back_to_ap_southeast_1():
    assert where(clients.config_client(CREDS, Settings(), None)) == (
        "config.ap-southeast-1.aliyuncs.com",
        "https",
        "ap-southeast-1",
    )


def test_loopback_overrides_reach_both_clients_over_plain_http():
    conf = settings.from_env({"RAM_ENDPOINT": "127.0.0.1:9001", "CONFIG_ENDPOINT": "localhost:9002"})
    assert where(clients.ram_client(CREDS, conf, "cn-hangzhou")) == ("127.0.0.1:9001", "http", "cn-hangzhou")
    assert where(clients.config_client(CREDS, conf, "cn-hangzhou")) == (
        "localhost:9002",
        "http",
        "cn-hangzhou",
    )


@pytest.mark.parametrize("name", ["RAM_ENDPOINT", "CONFIG_ENDPOINT"])
def test_plain_http_override_to_a_remote_host_is_refused(name):
    with pytest.raises(SettingsError) as info:
        settings.from_env({name: "http://ram.example.com"})
    assert (
        str(info.value)
        == f"{name}: plain http is only allowed for loopback addresses, got 'http://ram.example.com'"
    )
    assert settings.from_env({name: "https://ram.example.com"}) == Settings(
        **{name.lower(): Endpoint("ram.example.com", "https")}
    )


def test_region_comes_from_fc_region_then_alibaba_cloud_region():
    assert settings.from_env({"FC_REGION": "cn-shanghai", "ALIBABA_CLOUD_REGION": "cn-beijing"}).region == (
        "cn-shanghai"
    )
    assert settings.from_env({"ALIBABA_CLOUD_REGION": "cn-beijing"}).region == "cn-beijing"
    assert settings.from_env({}).region is None
