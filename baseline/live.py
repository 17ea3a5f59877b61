"""`evaluate --live`: the rule's own facts and decision code over a real account, read-only.

The same pieces the function wires (RamFacts over the RAM and IMS SDKs, one token bucket per
API, the inventory sweep and the credential report), with the caller's credentials from
Alibaba Cloud's default chain instead of a role's STS token, and no Config client at all: an
audit from a laptop or a pipeline never writes evaluations. The account id comes from STS
GetCallerIdentity. Endpoint overrides (`RAM_ENDPOINT`, `IMS_ENDPOINT`, `STS_ENDPOINT`, loopback
only for plain http) exist for the tests, as for the function.
"""

from __future__ import annotations

import datetime
import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_sts20150401.client import Client as StsClient

from functions.common import env
from functions.common.env import Endpoint
from functions.common.retry import Deadline
from functions.common.tea_api import CallSettings, TeaApi
from functions.mfa_rule import clients, credential_report
from functions.mfa_rule.decide import Verdict
from functions.mfa_rule.facts import UserRef
from functions.mfa_rule.ram_facts import RamFacts
from functions.mfa_rule.rule import Rule
from functions.mfa_rule.settings import Settings
from functions.mfa_rule.sweep import sweep

STS_HOST = "sts.aliyuncs.com"


class LiveError(RuntimeError):
    """The account could not be read at all (credentials, listing); the message says why."""


@dataclass(frozen=True)
class LiveResult:
    account_id: str
    results: tuple[tuple[UserRef, Verdict], ...]
    complete: bool
    warnings: tuple[str, ...]


def settings_from(environ: Mapping[str, str], region: str | None) -> tuple[Settings, Endpoint | None]:
    """The function's defaults (RAM_RPS_PER_API 80, ...), endpoint overrides from `environ`."""
    conf = replace(
        Settings(time_budget_seconds=3600.0),
        ram_endpoint=_endpoint(environ, "RAM_ENDPOINT"),
        ims_endpoint=_endpoint(environ, "IMS_ENDPOINT"),
        region=region,
    )
    return conf, _endpoint(environ, "STS_ENDPOINT")


def default_credential() -> Any:
    """Alibaba Cloud's default chain: environment, `aliyun` CLI profile, instance role (the SDK
    reads its environment once, at import)."""
    return CredentialClient()


def evaluate_live(rule: Rule, conf: Settings, sts_endpoint: Endpoint | None, user: str | None) -> LiveResult:
    try:
        credential = default_credential()
        credential.get_credential()  # resolve the chain now: a missing credential is not worth retrying
    except Exception as exc:  # the SDK raises its own types for every missing-credential case
        raise LiveError(f"no Alibaba Cloud credentials found by the default chain: {exc}") from None
    region = conf.region or clients.DEFAULT_REGION
    deadline = Deadline(conf.time_budget_seconds)
    call = CallSettings(conf.retry, conf.connect_timeout, conf.read_timeout)
    account_id = _caller_account(credential, conf, region, sts_endpoint, call, deadline)
    ram_api = TeaApi(
        clients.ram_client(credential, conf, region),
        settings=call,
        deadline=deadline,
        limiter=clients.rate_limits(conf),
    )
    ims_api = TeaApi(
        clients.ims_client(credential, conf, region),
        settings=call,
        deadline=deadline,
        limiter=clients.rate_limits(conf),
    )
    facts = RamFacts(ram_api, page_size=conf.list_page_size, ims_api=ims_api)
    if user is not None:
        ref = next((u for u in facts.iter_users() if u.name == user), None)
        if ref is None:
            raise LiveError(f"--user {user!r}: no such RAM user in account {account_id}")
        return LiveResult(account_id, ((ref, rule.evaluate(facts, user)),), True, ())
    report = functools.partial(
        credential_report.fetch,
        ims_api,
        now=lambda: datetime.datetime.now(datetime.timezone.utc),
        max_age=datetime.timedelta(seconds=conf.credential_report_max_age_seconds),
        sleep=time.sleep,
    )
    result = sweep(facts, rule, max_concurrency=conf.max_concurrency, credential_report=report)
    warnings = result.warnings + (
        (f"user listing incomplete: {result.listing_error}",) if result.listing_error else ()
    )
    return LiveResult(account_id, result.results, result.complete, warnings)


def _caller_account(
    credential: Any,
    conf: Settings,
    region: str,
    endpoint: Endpoint | None,
    call: CallSettings,
    deadline: Deadline,
) -> str:
    endpoint = endpoint or Endpoint(STS_HOST, "https")
    sts = TeaApi(
        StsClient(clients.config_for(credential, conf, region, endpoint)), settings=call, deadline=deadline
    )
    try:
        body = sts.call("get_caller_identity")
    except Exception as exc:
        raise LiveError(f"STS GetCallerIdentity failed: {exc}") from None
    if not body.account_id:
        raise LiveError("STS GetCallerIdentity answered no AccountId")
    return str(body.account_id)


def _endpoint(environ: Mapping[str, str], name: str) -> Endpoint | None:
    value = environ.get(name, "").strip()
    return env.endpoint(value, name) if value else None
