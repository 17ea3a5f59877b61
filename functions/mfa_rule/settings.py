"""Settings of the MFA rule function, read from its environment at invocation time.

Environment (set by the MfaComplianceRule component; never credentials):
- LOG_LEVEL (INFO)
- RAM_MAX_CONCURRENCY (8): RAM calls in flight at once during a scheduled sweep
- RAM_MAX_RPS (20): RAM requests per second across the whole invocation
- TIME_BUDGET_SECONDS (240): the component sets it to the function timeout minus 30 s
- RAM_ENDPOINT / CONFIG_ENDPOINT: optional overrides (host[:port]); plain http only for loopback

Endpoints: RAM is global, so `ram.aliyuncs.com` whatever the region. Config's endpoint is
left to the SDK from the region: `config.<region>.aliyuncs.com` for the regions it maps
(cn-shanghai, ap-southeast-1), else the central `config.aliyuncs.com`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from functions.common import env
from functions.common.env import Endpoint
from functions.common.retry import RetryPolicy

RAM_HOST = "ram.aliyuncs.com"


@dataclass(frozen=True)
class Settings:
    log_level: str = "INFO"
    max_concurrency: int = 8
    max_rps: float = 20.0
    time_budget_seconds: float = 240.0
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    list_page_size: int = 100
    ram_endpoint: Endpoint | None = None
    config_endpoint: Endpoint | None = None
    region: str | None = None  # falls back to the invocation context's region

    @property
    def report_reserve_seconds(self) -> float:
        """Time kept back from fact gathering so the results can still be reported."""
        return min(20.0, self.time_budget_seconds * 0.1)


def from_env(environ: Mapping[str, str]) -> Settings:
    return Settings(
        log_level=env.level(environ, "LOG_LEVEL"),
        max_concurrency=env.integer(environ, "RAM_MAX_CONCURRENCY", 8, 1, 64),
        max_rps=env.number(environ, "RAM_MAX_RPS", 20.0, 0.1, 10_000.0),
        time_budget_seconds=env.number(environ, "TIME_BUDGET_SECONDS", 240.0, 1.0, 86_400.0),
        ram_endpoint=_endpoint(environ, "RAM_ENDPOINT"),
        config_endpoint=_endpoint(environ, "CONFIG_ENDPOINT"),
        region=environ.get("FC_REGION") or environ.get("ALIBABA_CLOUD_REGION") or None,
    )


def _endpoint(environ: Mapping[str, str], name: str) -> Endpoint | None:
    value = environ.get(name, "").strip()
    return env.endpoint(value, name) if value else None
