"""Building the RAM, IMS and Config SDK clients from credentials, endpoints and the region.

Credentials are the function's STS triple, or (for `python -m baseline evaluate --live`) an
`alibabacloud_credentials` client, which walks Alibaba Cloud's default chain: environment,
`aliyun` CLI profile, instance role.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from alibabacloud_config20200907.client import Client as ConfigClient
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.utils_models import Config

from functions.common.credentials import Credentials
from functions.common.env import Endpoint
from functions.common.ratelimit import PerApiLimits
from functions.mfa_rule.settings import IMS_HOST, RAM_HOST, STS_HOST, Settings

DEFAULT_REGION = "ap-southeast-1"


# Either explicit STS credentials or an alibabacloud_credentials.client.Client.
Auth = Credentials | Any


def config_for(creds: Auth, settings: Settings, region: str, endpoint: Endpoint | None) -> Config:
    if isinstance(creds, Credentials):
        auth: dict[str, Any] = {
            "access_key_id": creds.access_key_id,
            "access_key_secret": creds.access_key_secret,
            "security_token": creds.security_token,
        }
    else:
        auth = {"credential": creds}
    return Config(
        **auth,
        region_id=region,
        endpoint=endpoint.host if endpoint else None,
        protocol=endpoint.protocol if endpoint else "https",
        connect_timeout=int(settings.connect_timeout * 1000),
        read_timeout=int(settings.read_timeout * 1000),
        # One pooled connection per concurrent worker, so the pool never throttles the workers.
        max_idle_conns=max(settings.max_concurrency, 4),
    )


def ram_client(creds: Auth, settings: Settings, region: str | None) -> RamClient:
    # RAM is a global service: its SDK maps every region to ram.aliyuncs.com, so pin it.
    endpoint = settings.ram_endpoint or Endpoint(RAM_HOST, "https")
    return RamClient(config_for(creds, settings, region or DEFAULT_REGION, endpoint))


def ims_client(creds: Auth, settings: Settings, region: str | None) -> ImsClient:
    endpoint = settings.ims_endpoint or Endpoint(IMS_HOST, "https")
    return ImsClient(config_for(creds, settings, region or DEFAULT_REGION, endpoint))


def sts_client(creds: Auth, settings: Settings, region: str | None) -> StsClient:
    # The central endpoint: AssumeRole into another account's role works from any region.
    endpoint = settings.sts_endpoint or Endpoint(STS_HOST, "https")
    return StsClient(config_for(creds, settings, region or DEFAULT_REGION, endpoint))


def config_client(creds: Auth, settings: Settings, region: str | None) -> ConfigClient:
    return ConfigClient(config_for(creds, settings, region or DEFAULT_REGION, settings.config_endpoint))


def rate_limits(
    settings: Settings,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> PerApiLimits:
    """One token bucket per API at RAM_RPS_PER_API. The burst is no larger than the workers in
    flight, so the calls in any second stay under rate + concurrency (88 at the defaults, under
    RAM's 100 per API)."""
    burst = min(settings.rps_per_api, settings.max_concurrency)
    return PerApiLimits(settings.rps_per_api, burst, clock=clock, sleep=sleep)
