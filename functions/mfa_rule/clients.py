"""Building the RAM, IMS and Config SDK clients from STS credentials, endpoints and the region."""

from __future__ import annotations

from alibabacloud_config20200907.client import Client as ConfigClient
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_tea_openapi.utils_models import Config

from functions.common.credentials import Credentials
from functions.common.env import Endpoint
from functions.mfa_rule.settings import IMS_HOST, RAM_HOST, Settings

DEFAULT_REGION = "ap-southeast-1"


def _config(creds: Credentials, settings: Settings, region: str, endpoint: Endpoint | None) -> Config:
    return Config(
        access_key_id=creds.access_key_id,
        access_key_secret=creds.access_key_secret,
        security_token=creds.security_token,
        region_id=region,
        endpoint=endpoint.host if endpoint else None,
        protocol=endpoint.protocol if endpoint else "https",
        connect_timeout=int(settings.connect_timeout * 1000),
        read_timeout=int(settings.read_timeout * 1000),
        # One pooled connection per concurrent worker, so the pool never throttles the workers.
        max_idle_conns=max(settings.max_concurrency, 4),
    )


def ram_client(creds: Credentials, settings: Settings, region: str | None) -> RamClient:
    # RAM is a global service: its SDK maps every region to ram.aliyuncs.com, so pin it.
    endpoint = settings.ram_endpoint or Endpoint(RAM_HOST, "https")
    return RamClient(_config(creds, settings, region or DEFAULT_REGION, endpoint))


def ims_client(creds: Credentials, settings: Settings, region: str | None) -> ImsClient:
    endpoint = settings.ims_endpoint or Endpoint(IMS_HOST, "https")
    return ImsClient(_config(creds, settings, region or DEFAULT_REGION, endpoint))


def config_client(creds: Credentials, settings: Settings, region: str | None) -> ConfigClient:
    return ConfigClient(_config(creds, settings, region or DEFAULT_REGION, settings.config_endpoint))
