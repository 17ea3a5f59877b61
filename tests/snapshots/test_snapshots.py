"""Plan snapshots: canonical form, readable drift reports, and the committed snapshots themselves."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from baseline import snapshots

ROLE_URN = (
    "urn:pulumi:dev::baseline::baseline:alicloud:MfaComplianceRule$alicloud:ram/policy:Policy::rule-policy"
)
FUNCTION_URN = (
    "urn:pulumi:dev::baseline::baseline:alicloud:MfaComplianceRule$alicloud:fc/v3Function:V3Function::fn"
)


def policy_document(*actions: str) -> str:
    return json.dumps(
        {"Version": "1", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
    )


def sample_plan(*actions: str, sha: str = "ab" * 32) -> dict:
    return {
        "stack": "dev",
        "project": "baseline",
        "resources": [
            {
                "urn": ROLE_URN,
                "type": "alicloud:ram/policy:Policy",
                "name": "rule-policy",
                "parent": None,
                "inputs": {"policyName": "mfa-rule", "policyDocument": policy_document(*actions)},
            },
            {
                "urn": FUNCTION_URN,
                "type": "alicloud:fc/v3Function:V3Function",
                "name": "fn",
                "parent": None,
                "inputs": {
                    "code": {"zipFile": "UEsDBBQ" * 40},
                    "archive": {
                        "sha256": sha,
                        "bytes": len(sha) * 1000,
                        "path": str(snapshots.REPO_ROOT / "build/packages/mfa_rule.zip"),
                        "files": 12,
                    },
                    "memorySize": 512,
                    "codeChecksum": "1234567890",
                },
            },
        ],
        "outputs": {"digest": sha, "scratch": tempfile.gettempdir() + "/x/y.zip"},
    }


def test_canonical_plan_decodes_documents_scrubs_volatile_values_and_sorts_resources():
    canonical = snapshots.canonical_plan(sample_plan("ram:GetUser"))
    policy, function = canonical["resources"][1], canonical["resources"][0]
    assert [r["urn"] for r in canonical["resources"]] == sorted([ROLE_URN, FUNCTION_URN])
    assert policy["inputs"]["policyDocument"] == {
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": ["ram:GetUser"], "Resource": "*"}],
    }
    assert function["inputs"] == {
        "code": {"zipFile": "<scrubbed>"},
        "archive": {
            "sha256": "<scrubbed>",
            "bytes": "<scrubbed>",
            "path": "<repo>/build/packages/mfa_rule.zip",
            "files": 12,
        },
        "memorySize": 512,
        "codeChecksum": "<scrubbed>",
    }
    assert canonical["outputs"] == {"digest": "<scrubbed>", "scratch": "<scrubbed>"}


def test_render_is_sorted_indented_and_stable_across_volatile_changes():
    text = snapshots.render(sample_plan("ram:GetUser"))
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert snapshots.render(sample_plan("ram:GetUser", sha="cd" * 32)) == text


def test_archive_size_is_scrubbed_only_inside_archive_summaries():
    plan = {"resources": [], "outputs": {"bytes": 10, "archive": {"bytes": 10, "files": 3}}}
    assert snapshots.canonical_plan(plan)["outputs"] == {
        "bytes": 10,
        "archive": {"bytes": "<scrubbed>", "files": 3},
    }


def test_non_json_and_non_object_strings_stay_as_they_are():
    plan = {
        "resources": [],
        "outputs": {"a": "{not json", "b": "[1, 2]", "c": "acs:mns:ap-southeast-1:1:/topics/t"},
    }
    assert snapshots.canonical_plan(plan)["outputs"] == {
        "a": "{not json",
        "b": "[1, 2]",
        "c": "acs:mns:ap-southeast-1:1:/topics/t",
    }


def test_policy_change_shows_as_a_statement_diff_with_the_update_command():
    before = snapshots.render(sample_plan("ram:GetUser"))
    after = snapshots.render(sample_plan("ram:GetUser", "ram:CreateUser"))
    report = snapshots.drift(before, after, "dev")
    assert report is not None
    lines = report.splitlines()
    assert lines[0] == (
        "plan of stack 'dev' differs from tests/snapshots/dev.json; if the change is intended, "
        "run `make snapshots` and commit the file"
    )
    assert lines[1] == "--- tests/snapshots/dev.json (committed)"
    assert lines[2] == "+++ dev (current plan)"
    assert [line for line in lines[3:] if line.startswith(("+", "-"))] == [
        '-                "ram:GetUser"',
        '+                "ram:GetUser",',
        '+                "ram:CreateUser"',
    ]


def test_no_drift_and_missing_snapshot_reports():
    text = snapshots.render(sample_plan("ram:GetUser"))
    assert snapshots.drift(text, text, "dev") is None
    assert snapshots.drift(None, text, "qa") == (
        "no plan snapshot for stack 'qa' at tests/snapshots/qa.json: run `make snapshots` and commit it\n"
    )


def test_main_updates_then_checks_and_fails_on_drift(tmp_path, capsys):
    stacks_dir = tmp_path / "stacks"
    stacks_dir.mkdir()
    (stacks_dir / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    out = tmp_path / "snapshots"
    plans = {"dev": sample_plan("ram:GetUser")}

    def build(stack: str) -> dict:
        return plans[stack]

    assert snapshots.main(["--update"], build=build, snapshots_dir=out, stacks_dir=stacks_dir) == 0
    assert (out / "dev.json").read_text(encoding="utf-8") == snapshots.render(plans["dev"])
    assert snapshots.main([], build=build, snapshots_dir=out, stacks_dir=stacks_dir) == 0
    capsys.readouterr()

    plans["dev"] = sample_plan("ram:ListUsers")
    assert snapshots.main([], build=build, snapshots_dir=out, stacks_dir=stacks_dir) == 1
    printed = capsys.readouterr().out
    assert "run `make snapshots`" in printed
    assert '+                "ram:ListUsers"' in printed.splitlines()


def test_main_rejects_an_unknown_stack(tmp_path, capsys):
    assert (
        snapshots.main(["--stack", "staging"], build=dict, snapshots_dir=tmp_path, stacks_dir=tmp_path) == 2
    )
    assert capsys.readouterr().err == "error: unknown stack(s) staging (known: none)\n"


def test_stack_names_come_from_the_stack_files(tmp_path):
    for name in ("Pulumi.prod.yaml", "Pulumi.dev.yaml", "Pulumi.yaml", "notes.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert snapshots.stack_names(tmp_path) == ["dev", "prod"]


STACKS = snapshots.stack_names()


def test_every_stack_has_a_committed_snapshot():
    assert STACKS, "no stacks/Pulumi.<stack>.yaml found"
    assert sorted(p.stem for p in Path(snapshots.SNAPSHOTS_DIR).glob("*.json")) == STACKS


@pytest.mark.parametrize("stack", STACKS)
def test_plan_matches_committed_snapshot(stack):
    """Infrastructure changes must show up in review as a diff of tests/snapshots/<stack>.json."""
    report = snapshots.check_stack(stack)
    if report is not None:
        pytest.fail(report, pytrace=False)
