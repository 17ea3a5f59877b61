"""The IMS credential report: MFA and AccessKey state of every user in a couple of calls.

IMS 2019-08-15 (SDK `alibabacloud_ims20190815`, response models read for every field):
- `GenerateCredentialReport` answers `State` STARTED | INPROGRESS | COMPLETED. Alibaba's
  documentation: a new report can be generated only every four hours (earlier requests get the
  existing one), and not for accounts of more than 3,500 RAM users; its columns have no
  MFABindRequired (https://www.alibabacloud.com/help/en/ram/user-guide/generate-and-download-user-credential-reports).
- `GetCredentialReport` (`MaxItems` 1..3501 as a string, `NextToken`, `IsTruncated` "true"|"false")
  answers `GeneratedTime` and `Content`: base64 of a CSV whose first row is `<root>` (the account)
  and whose columns include `user`, `password_exist`, `mfa_active`, `access_key_1_active`,
  `access_key_2_active` (and `additional_access_key_N_active` for more keys), with `N/A` or `-`
  for blanks.

How far the rule trusts it: only a report at most `max_age` old (CREDENTIAL_REPORT_MAX_AGE_SECONDS,
one hour by default: the sweep's own period) is used; an older one is regenerated, and when no
fresh report can be had (regenerated too recently, too many users, still generating after a
short wait, any error) the sweep falls back to per-user calls and says why. From a fresh report
the sweep takes: `mfa_active` true (a device is bound, GetUserMFAInfo skipped), `mfa_active`
false without a virtual device (none bound), `password_exist` false (no login profile, so the
console path counts as open without GetLoginProfile), `password_exist` true where the account
forces MFA at every console sign-in (the path is closed without GetLoginProfile), and no active
key (ListAccessKeys skipped; a user with an active key is still listed, to name the key). A user
missing from the report, with an unreadable row, or created after it (ListUsers' CreateDate: the
row, keyed by name, would be a deleted namesake's) gets every per-user call.

So within `max_age` a verdict may rest on the report: a change made after it was generated (a
key created, a password removed, a device unbound) reaches the sweeps only once the report is
too old. A change notification meanwhile is evaluated with fresh lookups, and a sweep before
then may report the earlier state again; `max_age` bounds how long.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from alibabacloud_ims20190815 import models as ims

from functions.common import cloud_errors
from functions.common.cloud_time import utc_time
from functions.common.tea_api import TeaApi

MAX_USERS = 3500
PAGE_SIZE = "3501"  # the largest MaxItems GetCredentialReport takes
ROOT_ROW = "<root>"
KEY_COLUMNS = ("access_key_1_active", "access_key_2_active")


@dataclass(frozen=True)
class ReportRow:
    mfa_active: bool
    password_exist: bool
    any_key_active: bool


@dataclass(frozen=True)
class CredentialReport:
    generated: datetime.datetime
    rows: Mapping[str, ReportRow]

    def row(self, user: str) -> ReportRow | None:
        return self.rows.get(user)


class ReportUnavailable(Exception):
    """No fresh report can be had; the message says why (the sweep falls back per user)."""


def fetch(
    api: TeaApi,
    *,
    now: Callable[[], datetime.datetime],
    max_age: datetime.timedelta,
    sleep: Callable[[float], None],
    polls: int = 5,
    poll_seconds: float = 0.25,
) -> CredentialReport:
    """A report at most `max_age` old, generating one if needed; raises ReportUnavailable."""
    report = _get(api)
    if report is not None and now() - report.generated <= max_age:
        return report
    # Polls back off (0.25, 0.5, 1, 2 s...): a small account's report is ready at once, a large
    # one gets about 8 s before the sweep goes on without it.
    for attempt in range(polls):
        try:
            state = api.call("generate_credential_report").state
        except Exception as exc:
            raise ReportUnavailable(cloud_errors.explain("GenerateCredentialReport", exc)) from exc
        if state == "COMPLETED":
            report = _get(api)
            if report is None:
                raise ReportUnavailable(
                    "GetCredentialReport: no report after GenerateCredentialReport COMPLETED"
                )
            age = now() - report.generated
            if age > max_age:
                # Regenerated at most every four hours: the account's report is what it is.
                raise ReportUnavailable(
                    f"the credential report is {int(age.total_seconds() // 60)} minutes old "
                    f"(more than {int(max_age.total_seconds() // 60)}) and cannot be regenerated yet"
                )
            return report
        if state not in ("STARTED", "INPROGRESS"):
            raise ReportUnavailable(f"GenerateCredentialReport: unexpected State {state!r}")
        sleep(poll_seconds * 2**attempt)
    raise ReportUnavailable(f"the credential report was still being generated after {polls} polls")


def _get(api: TeaApi) -> CredentialReport | None:
    """The account's current report, None when there is none yet (any error reads as none)."""
    token: str | None = None
    generated: datetime.datetime | None = None
    rows: dict[str, ReportRow] = {}
    header: list[str] | None = None
    seen: set[str] = set()
    while True:
        try:
            body = api.call(
                "get_credential_report", ims.GetCredentialReportRequest(max_items=PAGE_SIZE, next_token=token)
            )
        except Exception as exc:
            if token is None and not cloud_errors.is_retryable(exc):
                return None  # no report generated yet (the code is not documented)
            raise ReportUnavailable(cloud_errors.explain("GetCredentialReport", exc)) from exc
        generated = generated or _time(body.generated_time)
        header = _rows(body.content, header, rows)
        if str(body.is_truncated).lower() != "true":
            return CredentialReport(generated, rows)
        if not body.next_token or body.next_token in seen:
            raise ReportUnavailable("GetCredentialReport: the listing does not advance")
        seen.add(body.next_token)
        token = body.next_token


def _rows(content: Any, header: list[str] | None, rows: dict[str, ReportRow]) -> list[str]:
    if not isinstance(content, str):
        raise ReportUnavailable("GetCredentialReport: no Content")
    try:
        text = base64.b64decode(content, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ReportUnavailable("GetCredentialReport: Content is not base64 of UTF-8 text") from None
    lines = list(csv.reader(io.StringIO(text)))
    if lines and lines[0] and lines[0][0] == "user":
        header, lines = lines[0], lines[1:]
    if header is None or not {"user", "password_exist", "mfa_active"} <= set(header):
        raise ReportUnavailable("GetCredentialReport: the CSV has no user/password_exist/mfa_active header")
    for line in lines:
        if not line or len(line) != len(header):
            continue  # an unreadable row proves nothing: that user gets the per-user calls
        row = dict(zip(header, line, strict=True))
        name = _user_name(row["user"])
        flags = [_flag(row.get(c)) for c in ("mfa_active", "password_exist")]
        keys = [
            _flag(v)
            for k, v in row.items()
            if k in KEY_COLUMNS or (k.startswith("additional_access_key_") and k.endswith("_active"))
        ]
        if name == ROOT_ROW or None in flags or any(k is None for k in keys):
            continue
        rows[name] = ReportRow(bool(flags[0]), bool(flags[1]), any(keys))
    return header


def _user_name(value: str) -> str:
    # Rows may name users by their logon name `<user>@<account alias>.onaliyun.com`.
    return value.rsplit("@", 1)[0] if "@" in value and value != ROOT_ROW else value


def _flag(value: str | None) -> bool | None:
    text = (value or "").strip().lower()
    if text in ("true", "false"):
        return text == "true"
    if text in ("n/a", "-", "not_supported"):
        return False  # documented blanks: the credential does not exist
    return None


def _time(value: Any) -> datetime.datetime:
    parsed = utc_time(value)
    if parsed is None:
        raise ReportUnavailable(f"GetCredentialReport: GeneratedTime {value!r} is not a time")
    return parsed
