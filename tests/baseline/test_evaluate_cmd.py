"""`python -m baseline evaluate`: the DESIGN.md contract, run in-process over snapshot fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from baseline.cli import main

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = str(REPO / "tests" / "fixtures" / "snapshots" / "account.json")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["evaluate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_user_is_evaluated_with_the_functions_decision(capsys):
    code, out, err = run(capsys, "--snapshot", ACCOUNT)
    assert (code, err) == (0, "")
    evaluations = json.loads(out)
    assert [(e["complianceResourceName"], e["complianceType"]) for e in evaluations] == [
        ("alice", "NON_COMPLIANT"),
        ("bob", "COMPLIANT"),
        ("carol", "COMPLIANT"),
        ("dave", "NON_COMPLIANT"),
        ("erin", "COMPLIANT"),
        ("frank", "COMPLIANT"),
        ("grace", "INSUFFICIENT_DATA"),
        ("heidi", "COMPLIANT"),
    ]
    assert set(evaluations[0]) == {
        "complianceResourceId",
        "complianceResourceName",
        "complianceResourceType",
        "complianceRegionId",
        "complianceType",
        "annotation",
        "accountId",
        "detail",
    }
    assert evaluations[0]["complianceResourceId"] == "200000000000001"
    assert evaluations[0]["complianceResourceType"] == "ACS::RAM::User"
    assert evaluations[0]["annotation"] == (
        "console sign-in without MFA: ecs:* allowed without MFA (e.g. ecs:X) by Custom policy ops-admin (v3) "
        "via group ops"
    )
    assert evaluations[0]["detail"] == {
        "mfaDevice": None,
        "loginProfile": {"mfaBindRequired": False},
        "mfaOperationForLogin": "independent",
        "accessKeys": [],
        "findings": [
            {
                "path": "console",
                "accessKeyId": None,
                "pattern": "ecs:*",
                "witness": "ecs:X",
                "policyName": "ops-admin",
                "policyType": "Custom",
                "group": "ops",
            }
        ],
    }


def test_paths_console_alone_is_the_device_only_check(capsys):
    code, out, _ = run(capsys, "--snapshot", ACCOUNT, "--paths", "console", "--user", "heidi")
    assert code == 0 and json.loads(out)[0]["detail"].get("accessKeys") is None


def test_a_bad_paths_value_is_a_usage_error_naming_the_option(capsys):
    code, _, err = run(capsys, "--snapshot", ACCOUNT, "--paths", "console,sms")
    assert code == 2
    assert "--paths[1]: 'sms' is not one of console, accessKey" in err


def test_one_user_and_other_patterns(capsys):
    code, out, _ = run(capsys, "--snapshot", ACCOUNT, "--user", "heidi", "--dangerous-actions", "ecs:*")
    assert code == 0
    assert [(e["complianceResourceName"], e["complianceType"]) for e in json.loads(out)] == [
        ("heidi", "COMPLIANT")
    ]


def test_text_output_has_one_line_per_user(capsys):
    code, out, _ = run(capsys, "--snapshot", ACCOUNT, "--text", "--user", "dave")
    assert code == 0
    assert out.splitlines() == [
        "NON_COMPLIANT     dave (200000000000004): console sign-in without MFA: ecs:* allowed without MFA "
        "(e.g. ecs:X) by Custom policy everything-but-ram (v1)"
    ]


def test_non_compliant_findings_still_exit_zero(capsys):
    code, out, _ = run(capsys, "--snapshot", ACCOUNT, "--user", "alice")
    assert code == 0 and json.loads(out)[0]["complianceType"] == "NON_COMPLIANT"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["users"][3]["policies"][0].pop("policyName"),
            "users[3].policies[0].policyName: missing",
        ),
        (lambda d: d.pop("users"), "users: missing"),
    ],
)
def test_bad_snapshot_exits_2_naming_the_field(tmp_path, capsys, mutate, message):
    data = json.loads(Path(ACCOUNT).read_text())
    mutate(data)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(data))
    code, out, err = run(capsys, "--snapshot", str(path))
    assert (code, out) == (2, "")
    assert err == f"error: {path}: {message}\n"


def test_unknown_user_bad_pattern_and_missing_file_exit_2(tmp_path, capsys):
    assert run(capsys, "--snapshot", ACCOUNT, "--user", "mallory")[::2] == (
        2,
        f"error: --user 'mallory': no such user in {ACCOUNT}\n",
    )
    assert run(capsys, "--snapshot", ACCOUNT, "--dangerous-actions", "ecs:*,ecs")[::2] == (
        2,
        "error: --dangerous-actions[1]: 'ecs' is not 'service:action'\n",
    )
    missing = tmp_path / "none.json"
    assert run(capsys, "--snapshot", str(missing))[::2] == (
        2,
        f"error: --snapshot {missing}: cannot read ([Errno 2] No such file or directory: '{missing}')\n",
    )


def test_snapshot_that_is_not_json_exits_2_naming_the_file_once(tmp_path, capsys):
    path = tmp_path / "notjson.json"
    path.write_text("{not json", encoding="utf-8")
    assert run(capsys, "--snapshot", str(path)) == (
        2,
        "",
        f"error: {path}: not valid JSON (Expecting property name enclosed in double quotes "
        "at line 1 column 2)\n",
    )


def test_command_line_entry_point():
    out = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-m", "baseline", "evaluate", "--snapshot", ACCOUNT, "--user", "bob"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["complianceType"] == "COMPLIANT"


OWNER = "sec@example.com"


def test_exempt_users_apply_through_their_expiry_day_as_in_the_function(tmp_path, capsys):
    exempt = tmp_path / "exempt.json"
    exempt.write_text(
        json.dumps(
            [
                {"name": "alice", "owner": OWNER, "reason": "break-glass", "expires": "2099-12-31"},
                {"name": "dave", "owner": OWNER, "reason": "migration", "expires": "2020-01-31"},
            ]
        )
    )
    code, out, _ = run(capsys, "--snapshot", ACCOUNT, "--exempt-users", str(exempt), "--text")
    lines = {line.split()[1]: line for line in out.splitlines()}
    assert code == 0
    assert lines["alice"] == (
        "COMPLIANT         alice (200000000000001): exempt until 2099-12-31: break-glass (sec@example.com)"
    )
    assert lines["dave"].startswith("NON_COMPLIANT     dave")  # expired: judged like anyone


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '[{"name": "a", "owner": "o", "reason": "r", "expires": "soon"}]',
            "--exempt-users[0].expires: 'soon' is not a YYYY-MM-DD date",
        ),
        ('[{"name": "a", "owner": "o", "expires": "2099-01-01"}]', "--exempt-users[0].reason: expected"),
        ('{"name": "a"}', "--exempt-users: expected a JSON list"),
        ("[", "--exempt-users: not valid JSON"),
        (None, "--exempt-users "),
    ],
)
def test_bad_exempt_users_exit_2_naming_the_option_and_file(tmp_path, capsys, content, message):
    path = tmp_path / "exempt.json"
    if content is not None:
        path.write_text(content)
    code, out, err = run(capsys, "--snapshot", ACCOUNT, "--exempt-users", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {message}") and str(path) in err


ORGANIZATION = str(REPO / "tests" / "fixtures" / "snapshots" / "organization.json")


def test_an_organization_snapshot_is_evaluated_account_by_account_each_with_its_account_id(capsys, tmp_path):
    """Every member, in the snapshot's order; each member's evaluations are those of the member
    as an account snapshot of its own (same user names in two members stay apart)."""
    code, out, err = run(capsys, "--snapshot", ORGANIZATION)
    assert (code, err) == (0, "")
    evaluations = json.loads(out)
    organization = json.loads(Path(ORGANIZATION).read_text())
    members = [a["accountId"] for a in organization["accounts"]]
    assert list(dict.fromkeys(e["accountId"] for e in evaluations)) == members
    for index, member in enumerate(organization["accounts"]):
        path = tmp_path / f"member-{index}.json"
        path.write_text(json.dumps(member))
        _, alone, _ = run(capsys, "--snapshot", str(path))
        assert [e for e in evaluations if e["accountId"] == member["accountId"]] == json.loads(alone)
    dave = {e["accountId"]: e["complianceType"] for e in evaluations if e["complianceResourceName"] == "dave"}
    assert dave == {members[0]: "NON_COMPLIANT", members[1]: "COMPLIANT"}


def test_user_of_an_organization_snapshot_is_looked_up_in_every_member(capsys):
    code, out, _ = run(capsys, "--snapshot", ORGANIZATION, "--user", "alice")
    assert code == 0
    assert [(e["accountId"], e["complianceType"]) for e in json.loads(out)] == [
        ("1713220985230001", "NON_COMPLIANT"),
        ("1005320983490002", "NON_COMPLIANT"),
    ]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["accounts"][1]["users"][0].pop("userName"), "accounts[1].users[0].userName: missing"),
        (lambda d: d["accounts"].append(d["accounts"][0]), "accounts[3].accountId: duplicate account"),
        (lambda d: d.pop("managementAccountId"), "managementAccountId: missing"),
        (lambda d: d.update(accounts=[]), "accounts: expected at least one account"),
    ],
)
def test_a_bad_organization_snapshot_exits_2_naming_the_member_and_field(tmp_path, capsys, mutate, message):
    data = json.loads(Path(ORGANIZATION).read_text())
    mutate(data)
    path = tmp_path / "org.json"
    path.write_text(json.dumps(data))
    code, out, err = run(capsys, "--snapshot", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {path}: {message}")
