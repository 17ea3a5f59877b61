"""STS credentials of the reader role in each member account, cached per account.

`AssumeRole` (alibabacloud_sts20150401) into `acs:ram::<member>:role/<MEMBER_ROLE_NAME>` with the
deployment's ExternalId (the role's trust requires it: policies/member_role.py). Constraints of
the API (https://www.alibabacloud.com/help/doc-detail/42775.htm, "common errors";
AssumeRoleRequest docstrings): RoleSessionName 2..32 of `[a-zA-Z0-9.@-_]`, DurationSeconds
900..3600.

The credentials are kept per (caller key, role ARN, ExternalId) for the life of the container
and reused while they stay valid for the whole time budget of one more invocation (plus a
minute): a warm container sweeping 200 members every hour asks STS for each member once an hour,
not once per sweep. STS's own quota (100 requests/s per account, README) is then never near.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from alibabacloud_sts20150401 import models as sts

from functions.common import cloud_errors
from functions.common.credentials import Credentials
from functions.common.tea_api import TeaApi

SESSION_NAME = "baseline-mfa-rule"  # shows in the member's ActionTrail as the assumed-role session
DURATION_SECONDS = 3600  # STS's maximum without raising the role's MaxSessionDuration


class AssumeFailed(RuntimeError):
    """The member's reader role could not be assumed; the message names the account and the reason."""


@dataclass(frozen=True)
class _Cached:
    credentials: Credentials
    expires: float  # epoch seconds


_CACHE: dict[tuple[str, str, str], _Cached] = {}
_CACHE_LOCK = threading.Lock()


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def role_arn(account_id: str, role_name: str) -> str:
    # RAM writes role ARNs with the role name lower-cased (policies/member_role.py member_role_arn).
    return f"acs:ram::{account_id}:role/{role_name.lower()}"


class MemberSessions:
    """`sessions.credentials(account)` -> the member reader role's STS credentials, or AssumeFailed."""

    def __init__(
        self,
        sts_api: TeaApi,
        *,
        caller_key_id: str,
        role_name: str,
        external_id: str,
        keep_for_seconds: float,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._sts = sts_api
        self._caller = caller_key_id
        self._role_name = role_name
        self._external_id = external_id
        self._keep_for = keep_for_seconds
        self._now = wall_clock
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def credentials(self, account_id: str) -> Credentials:
        arn = role_arn(account_id, self._role_name)
        key = (self._caller, arn, self._external_id)
        with self._locks_lock:
            lock = self._locks.setdefault(account_id, threading.Lock())
        with lock:  # one AssumeRole per account even when two workers ask at once
            with _CACHE_LOCK:
                cached = _CACHE.get(key)
            if cached is not None and cached.expires - self._now() > self._keep_for:
                return cached.credentials
            fresh = self._assume(account_id, arn)
            with _CACHE_LOCK:
                _CACHE[key] = fresh
            return fresh.credentials

    def _assume(self, account_id: str, arn: str) -> _Cached:
        request = sts.AssumeRoleRequest(
            role_arn=arn,
            role_session_name=SESSION_NAME,
            duration_seconds=DURATION_SECONDS,
            external_id=self._external_id,
        )
        try:
            body = self._sts.call("assume_role", request)
        except Exception as exc:
            raise AssumeFailed(
                f"account {account_id}: {cloud_errors.explain('AssumeRole', exc)} (role {arn})"
            ) from exc
        creds = getattr(body, "credentials", None)
        names = ("access_key_id", "access_key_secret", "security_token")
        values = [getattr(creds, name, None) for name in names]
        if not all(isinstance(v, str) and v for v in values):
            raise AssumeFailed(f"account {account_id}: AssumeRole into {arn} answered no credentials")
        expires = _expiration(getattr(creds, "expiration", None), self._now() + DURATION_SECONDS)
        return _Cached(Credentials(*values), expires)  # type: ignore[arg-type]


def _expiration(text: object, fallback: float) -> float:
    """`Expiration` as STS writes it (UTC, `2015-04-09T11:52:19Z`); unreadable -> the duration asked."""
    if not isinstance(text, str):
        return fallback
    try:
        moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return fallback
    return min(moment.replace(tzinfo=datetime.timezone.utc).timestamp(), fallback)
