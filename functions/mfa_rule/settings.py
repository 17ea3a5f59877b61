"""Settings of the MFA rule function, read from its environment at invocation time.

Environment (set by the MfaComplianceRule component; never credentials):
- LOG_LEVEL (INFO)
- RAM_MAX_CONCURRENCY (8): RAM calls in flight at once during a scheduled sweep
- RAM_RPS_PER_API (80): requests per second per RAM/IMS API. RAM's flow control is per API and
  per account: 100 requests/s for the read APIs this rule calls (RAM API reference, "API rate
  limits"); 80 keeps 20 % for anything else calling the same API in the account.
- TIME_BUDGET_SECONDS (240): the component sets it to the function timeout minus 30 s
- EXEMPT_USERS: JSON list of {name, owner, reason, expires} (see functions/common/exemptions.py)
- CREDENTIAL_REPORT_MAX_AGE_SECONDS (3600): how old an IMS credential report may be to be used
- ACCOUNT_ID: the account the function belongs to (the stack's caller identity)
- MEMBER_ACCOUNTS: comma-separated member account ids (16 digits) of the organization scale-out,
  empty when the stack has none; with members set, the sweep of the aggregate rule (rule parameter
  `accountScope` = `organization`) evaluates them through STS AssumeRole (members.py) and also:
  - MEMBER_ROLE_NAME: the reader role in each member; MEMBER_EXTERNAL_ID: its trust's ExternalId
  - ORG_MAX_ACCOUNTS_IN_FLIGHT (8): member accounts swept at once (each with its own limiters)
- RAM_ENDPOINT / IMS_ENDPOINT / STS_ENDPOINT / CONFIG_ENDPOINT: optional overrides (host[:port]);
  plain http only for loopback

Endpoints: RAM is global, so `ram.aliyuncs.com` whatever the region. Config's endpoint is
left to the SDK from the region: `config.<region>.aliyuncs.com` for the regions it maps
(cn-shanghai, ap-southeast-1), else the central `config.aliyuncs.com`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from functions.common import env, exemptions
from functions.common.env import Endpoint
from functions.common.exemptions import Exemption
from functions.common.retry import RetryPolicy

RAM_HOST = "ram.aliyuncs.com"
IMS_HOST = "ims.aliyuncs.com"  # IMS is global like RAM (the SDK's endpoint map has no regional host)
STS_HOST = "sts.aliyuncs.com"
_ACCOUNT_ID = re.compile(r"^[0-9]{16}$")
_ROLE_NAME = re.compile(r"^[A-Za-z0-9.-]{1,64}$")
# STS AssumeRole ExternalId: 2..1224 of `[\w+=,.@:/-]` (alibabacloud_sts20150401 AssumeRoleRequest).
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)


@dataclass(frozen=True)
class Settings:
    log_level: str = "INFO"
    max_concurrency: int = 8
    rps_per_api: float = 80.0
    time_budget_seconds: float = 240.0
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # MaxItems of ListUsers, ListPolicies, ListUsersForGroup: 1..1000 (RAM API reference); the largest page.
    list_page_size: int = 1000
    ram_endpoint: Endpoint | None = None
    ims_endpoint: Endpoint | None = None
    config_endpoint: Endpoint | None = None
    region: str | None = None  # falls back to the invocation context's region
    exempt_users: tuple[Exemption, ...] = ()
    credential_report_max_age_seconds: float = 3600.0
    account_id: str | None = None
    members: tuple[str, ...] = ()
    member_role_name: str = "BaselineMfaRuleReader"
    member_external_id: str = ""
    max_accounts_in_flight: int = 8
    # Hours between scheduled sweeps (the rule's MaximumExecutionFrequency): the member list's
    # rotation advances one wave per sweep, not per hour.
    sweep_period_hours: int = 1
    sts_endpoint: Endpoint | None = None

    @property
    def report_reserve_seconds(self) -> float:
        """Time kept back from fact gathering so the results can still be reported."""
        return min(20.0, self.time_budget_seconds * 0.1)


def from_env(environ: Mapping[str, str]) -> Settings:
    return _organization(environ, _account_settings(environ))


def _account_settings(environ: Mapping[str, str]) -> Settings:
    return Settings(
        log_level=env.level(environ, "LOG_LEVEL"),
        max_concurrency=env.integer(environ, "RAM_MAX_CONCURRENCY", 8, 1, 64),
        rps_per_api=env.number(environ, "RAM_RPS_PER_API", 80.0, 0.1, 100.0),
        time_budget_seconds=env.number(environ, "TIME_BUDGET_SECONDS", 240.0, 1.0, 86_400.0),
        ram_endpoint=_endpoint(environ, "RAM_ENDPOINT"),
        ims_endpoint=_endpoint(environ, "IMS_ENDPOINT"),
        config_endpoint=_endpoint(environ, "CONFIG_ENDPOINT"),
        region=environ.get("FC_REGION") or environ.get("ALIBABA_CLOUD_REGION") or None,
        exempt_users=exemptions.from_env(environ, "EXEMPT_USERS"),
        credential_report_max_age_seconds=env.number(
            environ, "CREDENTIAL_REPORT_MAX_AGE_SECONDS", 3600.0, 60.0, 86_400.0
        ),
        account_id=environ.get("ACCOUNT_ID", "").strip() or None,
        sts_endpoint=_endpoint(environ, "STS_ENDPOINT"),
    )


def _organization(environ: Mapping[str, str], base: Settings) -> Settings:
    """The member settings; only read when MEMBER_ACCOUNTS lists members (a stack without an
    organization sets it empty)."""
    raw = environ.get("MEMBER_ACCOUNTS", "").strip()
    members = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    for member in members:
        if not _ACCOUNT_ID.match(member):
            raise env.SettingsError(f"MEMBER_ACCOUNTS: {member!r} is not a 16-digit account id")
    if not members:
        return base
    role = environ.get("MEMBER_ROLE_NAME", "").strip()
    if not _ROLE_NAME.match(role):
        raise env.SettingsError(f"MEMBER_ROLE_NAME: expected a RAM role name, got {role!r}")
    external_id = environ.get("MEMBER_EXTERNAL_ID", "").strip()
    if not _EXTERNAL_ID.match(external_id):
        raise env.SettingsError(
            "MEMBER_EXTERNAL_ID: expected 2..1224 of letters, digits and `+=,.@:/-_` "
            "(the member role's trust requires it)"
        )
    return replace(
        base,
        members=members,
        member_role_name=role,
        member_external_id=external_id,
        max_accounts_in_flight=env.integer(environ, "ORG_MAX_ACCOUNTS_IN_FLIGHT", 8, 1, 32),
        sweep_period_hours=env.integer(environ, "SWEEP_PERIOD_HOURS", 1, 1, 24),
    )


def _endpoint(environ: Mapping[str, str], name: str) -> Endpoint | None:
    value = environ.get(name, "").strip()
    return env.endpoint(value, name) if value else None
