"""The report as a pure function of evaluation dicts: figures, rows, Markdown and CSV exactly.

`tests/fixtures/evaluations/every-kind.json` is hand-made in the shape `evaluate` prints (the
rule-paths issue's `detail`): a console finding via a group, AccessKey findings on two keys, both
paths at once, an active exemption, an expired one, INSUFFICIENT_DATA and NOT_APPLICABLE.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from baseline.report_html import render_html
from baseline.report_model import ReportError, build_report
from baseline.report_tables import STEP_SUMMARY_LIMIT_BYTES, render_csv, render_markdown

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "evaluations"
EVERY_KIND = json.loads((FIXTURES / "every-kind.json").read_text())


def evaluation(name: str, verdict: str, **detail) -> dict:
    return {
        "accountId": "5123456789012345",
        "complianceResourceId": f"id-{name}",
        "complianceResourceName": name,
        "complianceResourceType": "ACS::RAM::User",
        "complianceType": verdict,
        "annotation": f"annotation of {name}",
        "detail": detail,
    }


def test_summary_counts_every_verdict_and_each_open_path():
    summary = build_report(EVERY_KIND).summary
    assert summary.verdicts == (
        ("NON_COMPLIANT", 4),
        ("INSUFFICIENT_DATA", 1),
        ("COMPLIANT", 2),
        ("NOT_APPLICABLE", 1),
    )
    # alice, carol, frank sign in without MFA; bob (two keys) and carol (one key) have keys at risk.
    assert summary.paths == (("console", 3), ("accessKey", 2))
    assert (summary.keys_at_risk, summary.exempt, summary.expired_exemptions) == (3, 1, 1)
    assert summary.accounts == ("5123456789012345",)


def test_rows_put_the_most_urgent_verdicts_first_then_names():
    rows = build_report(EVERY_KIND).rows
    assert [(r.verdict, r.user_name) for r in rows] == [
        ("NON_COMPLIANT", "alice"),
        ("NON_COMPLIANT", "bob"),
        ("NON_COMPLIANT", "carol"),
        ("NON_COMPLIANT", "frank"),
        ("INSUFFICIENT_DATA", "grace"),
        ("COMPLIANT", "dave"),
        ("COMPLIANT", "erin"),
        ("NOT_APPLICABLE", "heidi"),
    ]


def test_markdown_is_exactly_the_reviewed_summary_and_table():
    assert render_markdown(build_report(EVERY_KIND)) == (FIXTURES / "every-kind.md").read_text()


def test_csv_is_exactly_one_row_per_user_under_a_header():
    text = render_csv(build_report(EVERY_KIND))
    assert text == (FIXTURES / "every-kind.csv").read_bytes().decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 8
    carol = rows[2]
    assert (carol["userName"], carol["path"], carol["group"]) == (
        "carol",
        "console sign-in; AccessKey AKID-CAROL-1",
        "direct; dev",
    )


def test_facts_not_looked_up_are_unknown_never_none():
    report = build_report(
        [
            evaluation(
                "failed", "INSUFFICIENT_DATA", mfaDevice=None, accessKeys=[], loginProfile=None, reason="x"
            ),
            evaluation("absent", "COMPLIANT"),
            evaluation("looked-up", "COMPLIANT", mfaDevice=None, accessKeys=[], loginProfile=None),
        ]
    )
    facts = {r.user_name: (r.mfa_device, r.access_keys, r.login_profile) for r in report.rows}
    assert facts == {
        "failed": ("unknown", "unknown", "unknown"),
        "absent": ("unknown", "unknown", "unknown"),
        "looked-up": ("none", "none", "no login profile"),
    }


def test_console_login_states_what_the_account_setting_adds_to_the_login_profile():
    profile = {"mfaBindRequired": False}
    report = build_report(
        [
            evaluation(name, "COMPLIANT", mfaDevice=None, loginProfile=profile, mfaOperationForLogin=name)
            for name in ("independent", "adaptive", "mandatory")
        ]
    )
    assert {r.user_name: r.login_profile for r in report.rows} == {
        "independent": "password, MFA not required",
        "adaptive": "password, MFA not required (account: adaptive, only on unusual sign-ins)",
        "mandatory": "password, MFA required at sign-in (account setting)",
    }


def test_a_non_compliant_evaluation_without_detail_shows_an_unknown_path_not_a_blank():
    bare = {k: v for k, v in evaluation("old", "NON_COMPLIANT").items() if k != "detail"}
    csv_row = next(csv.DictReader(io.StringIO(render_csv(build_report([bare])))))
    assert (csv_row["path"], csv_row["pattern"], csv_row["policy"]) == ("unknown", "unknown", "unknown")


def test_markdown_past_the_budget_keeps_the_summary_cuts_least_urgent_rows_and_says_so():
    many = [evaluation(f"ok{i:04}", "COMPLIANT") for i in range(300)]
    many.append(evaluation("zz-risky", "NON_COMPLIANT", findings=[{"path": "console", "pattern": "ecs:*"}]))
    full = render_markdown(build_report(many))
    cut = render_markdown(build_report(many), max_bytes=8000)
    assert len(full.encode()) > 8000 >= len(cut.encode())
    assert "| zz-risky |" in cut  # the NON_COMPLIANT user is kept, compliant ones are cut
    shown = sum(line.startswith("| ok") for line in cut.splitlines())
    assert 0 < shown < 300
    assert f"**{300 - shown} of 301 users not shown** (COMPLIANT {300 - shown}): GitHub limits" in cut
    assert "| COMPLIANT | 300 |" in cut  # the summary counts everyone
    assert STEP_SUMMARY_LIMIT_BYTES == 1024 * 1024


def test_markdown_cells_cannot_break_the_table_or_inject_html():
    report = build_report([evaluation("x", "INSUFFICIENT_DATA", reason="a|b\n<img src=x>")])
    line = render_markdown(report).splitlines()[-1]
    assert line.endswith("| a\\|b &lt;img src=x&gt; |")


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted():
    report = build_report([evaluation("x", "INSUFFICIENT_DATA", reason='=HYPERLINK("http://evil")')])
    row = next(csv.DictReader(io.StringIO(render_csv(report))))
    assert row["reason"] == '\'=HYPERLINK("http://evil")'


def test_html_escapes_values_and_loads_nothing_from_outside():
    report = build_report([evaluation("<script>alert(1)</script>", "INSUFFICIENT_DATA", reason="r")])
    page = render_html(report, generated_at="now", source="s")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "default-src 'none'" in page
    for external in ("src=", "href=", "url(", "@import", "http://", "https://"):
        assert external not in page


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            {"complianceType": "OK", "complianceResourceName": "a"},
            "evaluations[0].complianceType: 'OK' is not",
        ),
        ({"complianceType": "COMPLIANT"}, "evaluations[0].complianceResourceName: missing"),
        (
            {
                "complianceType": "NON_COMPLIANT",
                "complianceResourceName": "a",
                "detail": {"findings": [{"path": "x"}]},
            },
            "evaluations[0].detail.findings[0].path: must be one of console, accessKey",
        ),
    ],
)
def test_malformed_evaluations_are_refused_naming_the_field(bad, message):
    with pytest.raises(ReportError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_report([bad])
