"""The HTML report as a person sees it, in a real headless Chromium (Debian's `chromium`).

One browser session (a few seconds): the summary figures and every non-compliant user are on
the rendered page, nothing is fetched but the file itself, filtering and sorting work without a
server, and the print layout drops the controls. The screenshot is kept at
`build/report-screenshot.png` for reviewers (the README's picture is a copy of it).

`.ci/run` installs `chromium` when it is missing; where it cannot (not root, no apt-get) this test
is skipped with that reason, shown in the run's summary (`-rs`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from baseline.cli import main
from tests.baseline.browser import Page, find_chromium

REPO = Path(__file__).resolve().parents[2]
EVERY_KIND = REPO / "tests" / "fixtures" / "evaluations" / "every-kind.json"
SCREENSHOT = REPO / "build" / "report-screenshot.png"

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed and could not be (.ci/run installs it with apt-get as root)",
)

VISIBLE_ROWS = """Array.from(document.querySelectorAll('#users tbody tr'))
  .filter(r => r.offsetParent !== null).map(r => r.cells[0].innerText.split('\\n')[0])"""


def choose_verdict(page: Page, verdict: str) -> None:
    page.evaluate(
        "(() => { const v = document.getElementById('filter-verdict');"
        f" v.value = {json.dumps(verdict)}; v.dispatchEvent(new Event('input')); }})()"
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    html = tmp_path_factory.mktemp("report") / "report.html"
    source = str(EVERY_KIND.relative_to(REPO))  # the page names its source; keep it short for the picture
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        assert main(["report", "--evaluations", source, "--format", "html", "--output", str(html)]) == 0
    finally:
        os.chdir(cwd)
    assert CHROMIUM is not None
    with Page(CHROMIUM) as browser:
        browser.open(html.as_uri())
        browser.url = html.as_uri()
        yield browser


def test_the_summary_figures_are_on_the_rendered_page(page):
    assert page.visible_text(".cards").split("\n") == [
        "4", "NON_COMPLIANT",
        "1", "INSUFFICIENT_DATA",
        "2", "COMPLIANT",
        "1", "NOT_APPLICABLE",
        "3", "at risk via console sign-in",
        "2", "at risk via AccessKey",
    ]  # fmt: skip
    assert "8 users" in page.visible_text(".meta") and "AccessKeys at risk: 3" in page.visible_text(".meta")
    # The charts are drawn: one bar per verdict and per path, each labelled with its figure.
    assert page.evaluate("document.querySelectorAll('.charts svg rect').length") == 6
    labels = "Array.from(document.querySelectorAll('.charts svg text')).map(t => t.textContent)"
    assert page.evaluate(labels) == [
        "NON_COMPLIANT", "4", "INSUFFICIENT_DATA", "1", "COMPLIANT", "2", "NOT_APPLICABLE", "1",
        "console sign-in", "3", "AccessKey", "2",
    ]  # fmt: skip
    SCREENSHOT.unlink(missing_ok=True)
    page.screenshot(SCREENSHOT)
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_non_compliant_user_is_shown_with_the_reason(page):
    rows = page.evaluate(
        """Array.from(document.querySelectorAll('#users tbody tr'))
             .filter(r => r.offsetParent !== null && r.dataset.verdict === 'NON_COMPLIANT')
             .map(r => r.innerText)"""
    )
    expected = {
        "alice": ["console sign-in", "ecs:*", "ecs:X", "ops-admin (Custom)", "ops"],
        "bob": ["AccessKey AKID-BOB-1", "AccessKey AKID-BOB-2", "log:*", "AliyunLogFullAccess (System)"],
        "carol": ["console sign-in", "AccessKey AKID-CAROL-1", "dev"],
        "frank": ["console sign-in", "oss:*", "expired 2026-11-30: migration window (sec-lead@example.com)"],
    }
    assert [row.split("\n")[0] for row in rows] == list(expected)
    for row, (_, facts) in zip(rows, expected.items(), strict=True):
        assert all(fact in row for fact in facts), (row, facts)


def test_the_page_fetches_nothing_but_itself(page):
    assert set(page.requested_urls()) == {page.url}


def test_filter_and_sort_work_in_the_browser(page):
    choose_verdict(page, "NON_COMPLIANT")
    assert page.evaluate(VISIBLE_ROWS) == ["alice", "bob", "carol", "frank"]
    assert page.visible_text("#shown") == "4 of 8 users shown"
    page.type_into("#filter-text", "akid-bob-2")
    assert page.evaluate(VISIBLE_ROWS) == ["bob"]
    page.evaluate("document.getElementById('filter-text').value = ''")
    choose_verdict(page, "")
    page.evaluate("document.querySelectorAll('#users thead th button')[0].click()")  # User, ascending
    assert page.evaluate(VISIBLE_ROWS) == ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    page.evaluate("document.querySelectorAll('#users thead th button')[0].click()")  # descending
    assert page.evaluate(VISIBLE_ROWS)[0] == "heidi"


def test_printing_drops_the_controls_and_keeps_every_row(page):
    page.call("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        text = page.visible_text("body")
        assert "Search" not in text and "users shown" not in text
        assert "All 8 users." in text
        assert len(page.evaluate(VISIBLE_ROWS)) == 8
    finally:
        page.call("Emulation.setEmulatedMedia", {"media": ""})


def test_fixture_covers_every_kind_of_finding():
    kinds = {e["complianceType"] for e in json.loads(EVERY_KIND.read_text())}
    assert kinds == {"NON_COMPLIANT", "INSUFFICIENT_DATA", "COMPLIANT", "NOT_APPLICABLE"}
