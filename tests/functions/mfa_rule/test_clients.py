"""What the rule's SDK clients are built with (the Config each SDK client class is handed):
endpoints, protocol, region, credentials, timeouts."""

from __future__ import annotations

import pytest

from functions.common.credentials import Credentials
from functions.common.env import Endpoint, SettingsError
from functions.mfa_rule import clients, settings
from functions.mfa_rule.settings import Settings

CREDS = Credentials("STS.test-key-id", "test-secret-not-a-key", "STS.test-token")


class Built:
    """Stands in for an SDK client class: keeps the Config the code built it with."""

    def __init__(self, config: object) -> None:
        self.config = config


@pytest.fixture(autouse=True)
def capture(monkeypatch):
    for name in ("RamClient", "ImsClient", "StsClient", "ConfigClient"):
        monkeypatch.setattr(clients, name, Built)


def where(client: object) -> tuple[str | None, str, str]:
    config = client.config  # type: ignore[attr-defined]
    return config.endpoint, config.protocol, config.region_id


@pytest.mark.parametrize("region", ["ap-southeast-1", "cn-hangzhou", None])
def test_ram_is_global_so_its_endpoint_is_ram_aliyuncs_com_over_https_in_any_region(region):
    endpoint, protocol, _ = where(clients.ram_client(CREDS, Settings(), region))
    assert (endpoint, protocol) == ("ram.aliyuncs.com", "https")


def test_ims_and_sts_are_pinned_to_their_central_endpoints_over_https():
    assert where(clients.ims_client(CREDS, Settings(), "cn-hangzhou"))[:2] == ("ims.aliyuncs.com", "https")
    assert where(clients.sts_client(CREDS, Settings(), "cn-hangzhou"))[:2] == ("sts.aliyuncs.com", "https")


def test_config_endpoint_is_left_to_the_sdk_region_map_and_the_region_is_passed():
    """No override: the SDK maps the region (config.<region>.aliyuncs.com where Config runs,
    the central endpoint elsewhere); what the code decides is the region and https."""
    singapore = where(clients.config_client(CREDS, Settings(), "ap-southeast-1"))
    assert singapore == (None, "https", "ap-southeast-1")
    assert where(clients.config_client(CREDS, Settings(), "cn-hangzhou")) == (None, "https", "cn-hangzhou")
    assert where(clients.ram_client(CREDS, Settings(), "ap-southeast-1"))[2] == "ap-southeast-1"


def test_without_a_region_anywhere_the_clients_fall_back_to_ap_southeast_1():
    assert where(clients.config_client(CREDS, Settings(), None)) == (None, "https", "ap-southeast-1")


def test_loopback_overrides_reach_both_clients_over_plain_http():
    conf = settings.from_env({"RAM_ENDPOINT": "127.0.0.1:9001", "CONFIG_ENDPOINT": "localhost:9002"})
    assert where(clients.ram_client(CREDS, conf, "cn-hangzhou")) == ("127.0.0.1:9001", "http", "cn-hangzhou")
    assert where(clients.config_client(CREDS, conf, "cn-hangzhou")) == (
        "localhost:9002",
        "http",
        "cn-hangzhou",
    )


def test_clients_are_built_with_the_sts_triple_the_timeouts_in_ms_and_a_pool_per_worker():
    conf = Settings(connect_timeout=2.0, read_timeout=7.5, max_concurrency=12)
    config = clients.ram_client(CREDS, conf, "cn-hangzhou").config  # type: ignore[attr-defined]
    assert (config.access_key_id, config.access_key_secret, config.security_token) == (
        "STS.test-key-id",
        "test-secret-not-a-key",
        "STS.test-token",
    )
    assert (config.connect_timeout, config.read_timeout, config.max_idle_conns) == (2000, 7500, 12)
    assert config.credential is None


def test_a_credentials_client_is_passed_as_the_credential_not_as_keys():
    chain = object()
    config = clients.config_client(chain, Settings(), "cn-hangzhou").config  # type: ignore[attr-defined]
    assert config.credential is chain and config.access_key_id is None


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
