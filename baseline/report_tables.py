"""Markdown and CSV renderings of a `report_model.Report`.

Markdown is for pull-request comments and CI job summaries. GitHub limits what one step adds to
`$GITHUB_STEP_SUMMARY` to 1 MiB and rejects the whole upload beyond it ("each step is restricted
to a maximum size of 1MiB ... If more than 1MiB of content is added for a step, then the upload
for the step will fail": docs.github.com, Workflow commands for GitHub Actions, "Step isolation
and limits"). So the summary is always kept whole and, past the budget, rows are cut from the
end (the least urgent verdicts, rows are ordered most urgent first) and the report says how many
users of which verdict are missing.
"""

from __future__ import annotations

import csv
import io

from baseline.report_model import COLUMNS, PATH_TITLES, Column, Report, Row, columns_for

STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024
STEP_SUMMARY_LIMITS_URL = (
    "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/"
    "workflow-commands-for-github-actions#step-isolation-and-limits"
)
# Spreadsheets run a cell starting with these as a formula (OWASP "CSV Injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _md_cell(values: tuple[str, ...]) -> str:
    text = "<br>".join(values)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("&lt;br&gt;", "<br>")
        .replace("|", "\\|")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def _md_row(columns: tuple[Column, ...], row: Row) -> str:
    return "| " + " | ".join(_md_cell(c.values(row)) for c in columns) + " |\n"


def render_markdown(report: Report, *, max_bytes: int = STEP_SUMMARY_LIMIT_BYTES) -> str:
    summary = report.summary
    accounts = ", ".join(summary.accounts) or "unknown account"
    nc = summary.count("NON_COMPLIANT")
    head = [
        "## MFA compliance report\n\n",
        f"**{nc} of {summary.users} users NON_COMPLIANT** (account {accounts}).\n\n",
        "| Verdict | Users |\n|---|---:|\n",
        *(f"| {verdict} | {count} |\n" for verdict, count in summary.verdicts),
        "\n| Open path at risk (NON_COMPLIANT users) | Users |\n|---|---:|\n",
        *(
            f"| {PATH_TITLES[path]} | {count}"
            + (f" ({_keys(summary.keys_at_risk)})" if path == "accessKey" else "")
            + " |\n"
            for path, count in summary.paths
        ),
        f"\nExemptions: {summary.exempt} active, {summary.expired_exemptions} expired.\n\n",
    ]
    columns = columns_for(report)
    table_head = (
        "| " + " | ".join(c.title for c in columns) + " |\n|" + "|".join("---" for _ in columns) + "|\n"
    )
    lines = [_md_row(columns, row) for row in report.rows]
    fixed = sum(len(part.encode()) for part in head) + len(table_head.encode())
    kept = len(lines)
    total = fixed + sum(len(line.encode()) for line in lines)
    note = ""
    while kept and total + len(note.encode()) > max_bytes:
        kept -= 1
        total -= len(lines[kept].encode())
        note = _cut_note(report, kept)
    if fixed + len(note.encode()) > max_bytes:
        raise ValueError(f"max_bytes={max_bytes}: too small for the summary itself")
    return "".join(head) + table_head + "".join(lines[:kept]) + note


def _keys(n: int) -> str:
    return "1 key" if n == 1 else f"{n} keys"


def _cut_note(report: Report, kept: int) -> str:
    cut = report.rows[kept:]
    counts: dict[str, int] = {}
    for row in cut:
        counts[row.verdict] = counts.get(row.verdict, 0) + 1
    which = ", ".join(f"{verdict} {n}" for verdict, n in counts.items())
    return (
        f"\n**{len(cut)} of {len(report.rows)} users not shown** ({which}): GitHub limits a step "
        f"summary to 1 MiB ({STEP_SUMMARY_LIMITS_URL}). The HTML and CSV reports list every user.\n"
    )


def _csv_cell(values: tuple[str, ...]) -> str:
    text = "; ".join(values)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for row in report.rows:
        writer.writerow([_csv_cell(c.values(row)) for c in COLUMNS])
    return out.getvalue()
