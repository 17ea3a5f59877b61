"""Settings of the OSS ACL remediation function, read from its environment at invocation time.

Environment (set by the NonComplianceRemediation component; never credentials):
- RULE_NAME (required): the Config rule whose non-compliance events are remediated
- DRY_RUN (false): log what would be done, change nothing
- LOG_LEVEL (INFO)
- TIME_BUDGET_SECONDS (50): the component sets it below the function timeout
- ACCOUNT_ID: the account the function belongs to (the component sets it from the deploying
  caller's identity); FC's invocation context `account_id` must agree with it
- EXEMPT_BUCKETS ([]): compact JSON list of `{name, owner, reason, expires}` (functions.common.exemptions)
- OSS_ENDPOINT: optional override (host[:port]); plain http only for loopback. Without it
  the bucket's own region endpoint is used: https://oss-<region>.aliyuncs.com
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from functions.common import env, exemptions
from functions.common.decode import is_decimal
from functions.common.env import Endpoint, SettingsError
from functions.common.exemptions import Exemption
from functions.common.retry import RetryPolicy


@dataclass(frozen=True)
class Settings:
    rule_name: str
    dry_run: bool = False
    log_level: str = "INFO"
    oss_endpoint: Endpoint | None = None
    timeout: float = 10.0  # oss2 applies one timeout to connect and read
    time_budget_seconds: float = 50.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    account_id: str | None = None
    exempt_buckets: tuple[Exemption, ...] = ()


def from_env(environ: Mapping[str, str]) -> Settings:
    rule_name = environ.get("RULE_NAME", "").strip()
    if not rule_name:
        raise SettingsError("RULE_NAME: missing (the Config rule whose events this function remediates)")
    override = environ.get("OSS_ENDPOINT", "").strip()
    return Settings(
        rule_name=rule_name,
        dry_run=env.boolean(environ, "DRY_RUN", False),
        log_level=env.level(environ, "LOG_LEVEL"),
        oss_endpoint=env.endpoint(override, "OSS_ENDPOINT") if override else None,
        time_budget_seconds=env.number(environ, "TIME_BUDGET_SECONDS", 50.0, 1.0, 86_400.0),
        account_id=_account(environ),
        exempt_buckets=exemptions.from_env(environ, "EXEMPT_BUCKETS"),
    )


def _account(environ: Mapping[str, str]) -> str | None:
    value = environ.get("ACCOUNT_ID", "").strip()
    if value and not (is_decimal(value) and len(value) <= 20):
        raise SettingsError(f"ACCOUNT_ID: expected digits, got {value!r}")
    return value or None
