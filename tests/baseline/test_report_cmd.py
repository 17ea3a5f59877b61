"""`python -m baseline report`: sources, formats, output file and the exit-code contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from baseline.cli import main

REPO = Path(__file__).resolve().parents[2]
EVALUATIONS = REPO / "tests" / "fixtures" / "evaluations"
ACCOUNT = REPO / "tests" / "fixtures" / "snapshots" / "account.json"


def test_each_format_goes_to_stdout_or_to_the_output_file(capsys, tmp_path):
    source = str(EVALUATIONS / "every-kind.json")
    assert main(["report", "--evaluations", source, "--format", "md"]) == 0
    assert capsys.readouterr().out == (EVALUATIONS / "every-kind.md").read_text()
    out = tmp_path / "nested" / "report.csv"
    assert main(["report", "--evaluations", source, "--format", "csv", "--output", str(out)]) == 0
    assert out.read_bytes() == (EVALUATIONS / "every-kind.csv").read_bytes()
    assert capsys.readouterr().out == ""


def test_snapshot_reports_what_evaluate_decides(capsys):
    assert (
        main(["report", "--snapshot", str(ACCOUNT), "--format", "csv", "--dangerous-actions", "ecs:*"]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert main(["evaluate", "--snapshot", str(ACCOUNT), "--dangerous-actions", "ecs:*", "--text"]) == 0
    decided = [line.split()[:2] for line in capsys.readouterr().out.splitlines()]
    reported = [line.split(",")[1:4:2] for line in lines[1:]]
    assert sorted((name, verdict) for verdict, name in decided) == sorted(map(tuple, reported))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--evaluations", "missing.json", "--format", "md"], "--evaluations missing.json: cannot read JSON"),
        (
            ["--evaluations", "E", "--format", "csv", "--max-bytes", "10"],
            "--max-bytes: only with --format md",
        ),
        (
            ["--evaluations", "E", "--format", "md", "--max-bytes", "10"],
            "--max-bytes: max_bytes=10: too small",
        ),
        (
            ["--evaluations", "E", "--format", "md", "--user", "bob"],
            "--evaluations: --dangerous-actions, --exempt-users, --user",
        ),
        (
            ["--evaluations", "E", "--format", "md", "--exempt-users", "x.json"],
            "--evaluations: --dangerous-actions, --exempt-users",
        ),
        (
            ["--snapshot", str(ACCOUNT), "--format", "md", "--exempt-users", "missing.json"],
            "--exempt-users missing.json: cannot read",
        ),
        (
            ["--snapshot", str(ACCOUNT), "--format", "md", "--dangerous-actions", "ecs*"],
            "--dangerous-actions",
        ),
    ],
)
def test_bad_usage_exits_2_naming_the_option(capsys, argv, message):
    argv = [str(EVALUATIONS / "every-kind.json") if a == "E" else a for a in argv]
    assert main(["report", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_report_needs_a_source_and_a_format(capsys):
    assert main(["report", "--format", "md"]) == 2
    assert main(["report", "--evaluations", "x.json"]) == 2
