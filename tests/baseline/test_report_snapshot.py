"""The report end to end over account snapshots: the rule's own code decides, the output is exact.

`tests/fixtures/snapshots/every-finding.json` (+ `every-finding.exempt-users.json`) holds one user
per finding kind the rule can emit over a snapshot (the table in `KINDS`); `mandatory-login-mfa.json`
is an account whose security preference forces MFA at every console sign-in. Each goes through
`python -m baseline evaluate` and `report` (in process, the same `main` as the command line), and
the whole output is compared with the reviewed goldens in `tests/fixtures/reports/`.

When a deliberate change (rule wording, a report column) moves the output, regenerate the goldens
with `make report-fixtures`, read the diff, and commit it with the change. `KINDS` is asserted from
the evaluations, independently of the goldens, so a regenerated golden cannot silently lose a kind.

Not reachable from a snapshot: NOT_APPLICABLE (a user deleted between the event and the lookup;
tests/baseline/test_report.py covers its rendering).
"""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from baseline.cli import main

REPO = Path(__file__).resolve().parents[2]
SNAPSHOTS = REPO / "tests" / "fixtures" / "snapshots"
GOLDEN = REPO / "tests" / "fixtures" / "reports"
EVERY = ["--snapshot", str(SNAPSHOTS / "every-finding.json")]
EVERY += ["--exempt-users", str(SNAPSHOTS / "every-finding.exempt-users.json")]
MANDATORY = ["--snapshot", str(SNAPSHOTS / "mandatory-login-mfa.json")]

# user -> (verdict, the open paths the rule found at risk, exemption state): what each user is for.
KINDS = {
    "alice": ("NON_COMPLIANT", ["console"], None),  # console at risk, policy via a group
    "bob": ("NON_COMPLIANT", ["accessKey AKID-BOB-1"], None),  # one active key (the other inactive)
    "carol": ("NON_COMPLIANT", ["accessKey AKID-CAROL-1", "accessKey AKID-CAROL-2"], None),  # two keys
    "dave": ("NON_COMPLIANT", ["console", "accessKey AKID-DAVE-1"], None),  # both paths, one risk
    # Deny ecs:* when acs:MFAPresent is false: stops the console for ecs, not the key (key absent).
    "eve": ("NON_COMPLIANT", ["console", "accessKey AKID-EVE-1"], None),
    "frank": ("COMPLIANT", [], None),  # MFABindRequired on the login profile, key inactive
    "grace": ("COMPLIANT", [], None),  # MFA device bound, no key
    "heidi": ("NON_COMPLIANT", ["console"], None),  # no login profile: the console path still counts
    "ivan": ("COMPLIANT", [], True),  # exempt (active), though an administrator with a key
    "judy": ("NON_COMPLIANT", ["console"], False),  # exemption expired: judged like anyone
    "mallory": ("INSUFFICIENT_DATA", [], None),  # a policy that does not parse
    "niaj": ("COMPLIANT", [], None),  # open paths, but nothing dangerous without MFA
}


def golden(name: str) -> str:
    # Bytes, not read_text(): the CSV's CRLF row ends (RFC 4180) are part of the output.
    return (GOLDEN / name).read_bytes().decode("utf-8")


def run(capsys, *argv: str) -> str:
    assert main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def test_the_fixture_produces_every_kind_of_finding(capsys):
    evaluations = json.loads(run(capsys, "evaluate", *EVERY))
    found = {}
    for e in evaluations:
        detail = e["detail"]
        paths = [
            f["path"] if f["accessKeyId"] is None else f"{f['path']} {f['accessKeyId']}"
            for f in detail.get("findings", [])
        ]
        exemption = detail.get("exemption")
        found[e["complianceResourceName"]] = (
            e["complianceType"],
            paths,
            None if exemption is None else exemption["active"],
        )
    assert found == KINDS
    by_name = {e["complianceResourceName"]: e for e in evaluations}
    dave, eve = by_name["dave"]["detail"]["findings"], by_name["eve"]["detail"]["findings"]
    assert dave[0]["pattern"] == dave[1]["pattern"] == "ecs:*"
    assert [f["pattern"] for f in eve] == ["oss:*", "ecs:*"]


def test_evaluate_prints_exactly_the_reviewed_evaluations(capsys):
    assert run(capsys, "evaluate", *EVERY) == golden("every-finding.evaluations.json")


@pytest.mark.parametrize("fmt", ["md", "csv"])
def test_every_finding_report_is_exactly_the_reviewed_golden(capsys, fmt):
    assert run(capsys, "report", *EVERY, "--format", fmt) == golden(f"every-finding.{fmt}")


@pytest.mark.parametrize("fmt", ["md", "csv"])
def test_mandatory_account_login_mfa_report_is_exactly_the_reviewed_golden(capsys, fmt):
    expected = golden(f"mandatory-login-mfa.{fmt}")
    assert run(capsys, "report", *MANDATORY, "--format", fmt) == expected


def test_the_account_setting_closes_the_console_but_not_the_keys(capsys):
    rows = list(csv.DictReader(io.StringIO(run(capsys, "report", *MANDATORY, "--format", "csv"))))
    forced = "password, MFA required at sign-in (account setting)"
    assert [(r["userName"], r["complianceType"], r["path"], r["loginProfile"]) for r in rows] == [
        ("lee", "NON_COMPLIANT", "AccessKey AKID-LEE-1", forced),
        ("kim", "COMPLIANT", "", forced),
    ]


class _Cells(HTMLParser):
    """Summary cards and per-row cell texts of the report page (multi-value cells joined by '; ')."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[str] = []
        self.rows: list[list[str]] = []
        self._card: list[str] | None = None
        self._cell: list[list[str]] | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "div" and classes == "card":
            self._card = []
        elif tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = [[]]
        elif self._cell is not None and tag in ("div", "br") and self._cell[-1]:
            self._cell.append([])

    def handle_endtag(self, tag):
        if tag == "div" and self._card is not None and self._cell is None:
            self.cards.append(" ".join(self._card))
            self._card = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append("; ".join("".join(part) for part in self._cell if part))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[-1].append(data)
        elif self._card is not None:
            self._card.append(data)


def test_html_shows_the_same_figures_and_cells_as_the_exact_csv(capsys, tmp_path):
    page = tmp_path / "report.html"
    run(capsys, "report", *EVERY, "--format", "html", "--output", str(page))
    parsed = _Cells()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert parsed.cards == [
        "7 NON_COMPLIANT",
        "1 INSUFFICIENT_DATA",
        "4 COMPLIANT",
        "0 NOT_APPLICABLE",
        "5 at risk via console sign-in",
        "4 at risk via AccessKey",
    ]
    # One account: no account column; the user id is shown under the name.
    expected = [
        [f"{r['userName']}; {r['userId']}", *list(r.values())[3:]]
        for r in csv.DictReader(io.StringIO(golden("every-finding.csv")))
    ]
    assert parsed.rows == expected
