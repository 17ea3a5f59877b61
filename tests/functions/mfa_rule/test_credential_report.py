"""Reading the IMS credential report: what it proves, and when it is refused (fails to per-user calls)."""

from __future__ import annotations

import base64
import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from functions.mfa_rule.credential_report import ReportRow, ReportUnavailable, fetch

NOW = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.timezone.utc)
HOUR = datetime.timedelta(hours=1)
HEADER = (
    "user,password_exist,mfa_active,access_key_1_active,access_key_2_active,additional_access_key_3_active"
)


def _page(
    lines: list[str], *, truncated: bool = False, token: str | None = None, at: str = "2026-12-02T11:30:00Z"
):
    content = base64.b64encode("\n".join(lines).encode()).decode()
    return SimpleNamespace(
        content=content, generated_time=at, is_truncated="true" if truncated else "false", next_token=token
    )


class Api:
    """Answers GetCredentialReport pages in order; GenerateCredentialReport with the given states."""

    def __init__(self, pages: list[Any], states: tuple[str, ...] = ()) -> None:
        self.pages, self.states, self.calls = list(pages), list(states), []

    def call(self, operation: str, request: Any = None) -> Any:
        self.calls.append((operation, getattr(request, "next_token", None)))
        if operation == "generate_credential_report":
            return SimpleNamespace(state=self.states.pop(0))
        page = self.pages.pop(0)
        if isinstance(page, Exception):
            raise page
        return page


def _fetch(api: Api) -> Any:
    return fetch(api, now=lambda: NOW, max_age=HOUR, sleep=lambda s: None)  # type: ignore[arg-type]


def test_rows_name_users_by_logon_name_skip_root_and_read_documented_blanks():
    report = _fetch(
        Api(
            [
                _page(
                    [
                        HEADER,
                        "<root>,N/A,true,N/A,N/A,N/A",
                        "alice@5123456789012345.onaliyun.com,true,false,N/A,-,N/A",
                        "bob,false,true,false,true,N/A",
                        "carol,true,maybe,false,false,N/A",  # unreadable: carol gets the per-user calls
                        "dave,true,false,false,false,true",  # a third key counts
                    ]
                )
            ]
        )
    )
    assert dict(report.rows) == {
        "alice": ReportRow(mfa_active=False, password_exist=True, any_key_active=False),
        "bob": ReportRow(mfa_active=True, password_exist=False, any_key_active=True),
        "dave": ReportRow(mfa_active=False, password_exist=True, any_key_active=True),
    }


def test_pages_follow_next_token_and_a_token_seen_twice_is_refused():
    api = Api(
        [
            _page([HEADER, "alice,true,true,N/A,N/A,N/A"], truncated=True, token="t1"),
            _page(["bob,true,false,N/A,N/A,N/A"]),
        ]
    )
    assert sorted(_fetch(api).rows) == ["alice", "bob"]
    assert api.calls == [("get_credential_report", None), ("get_credential_report", "t1")]
    looping = Api([_page([HEADER], truncated=True, token="t1"), _page([HEADER], truncated=True, token="t1")])
    with pytest.raises(ReportUnavailable, match="does not advance"):
        _fetch(looping)


def test_a_stale_report_is_regenerated_and_the_new_one_used():
    stale = _page([HEADER, "alice,true,true,N/A,N/A,N/A"], at="2026-12-02T09:00:00Z")
    fresh = _page([HEADER, "alice,true,false,N/A,N/A,N/A"], at="2026-12-02T11:59:00Z")
    api = Api([stale, fresh], states=("STARTED", "INPROGRESS", "COMPLETED"))
    assert _fetch(api).row("alice") == ReportRow(False, True, False)


def test_generation_still_running_after_the_polls_or_content_not_base64_is_unavailable():
    with pytest.raises(ReportUnavailable, match="still being generated after 5 polls"):
        _fetch(Api([RuntimeError("no report")], states=("INPROGRESS",) * 5))
    broken = SimpleNamespace(
        content="%%%", generated_time="2026-12-02T11:59:00Z", is_truncated="false", next_token=None
    )
    with pytest.raises(ReportUnavailable, match="not base64"):
        _fetch(Api([broken]))


def test_polls_back_off_while_the_report_is_generated():
    waits: list[float] = []
    api = Api([RuntimeError("no report")], states=("INPROGRESS",) * 5)
    with pytest.raises(ReportUnavailable):
        fetch(api, now=lambda: NOW, max_age=HOUR, sleep=waits.append)  # type: ignore[arg-type]
    assert waits == [0.25, 0.5, 1.0, 2.0, 4.0]
