"""`python -m baseline simulate|holds`: the command contract of DESIGN.md, run in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from baseline.cli import main

REPO = Path(__file__).resolve().parents[2]
FORCE_MFA = str(REPO / "policies" / "documents" / "aws" / "force-mfa.json")
POWER_USER = str(REPO / "tests" / "policies" / "fixtures" / "power-user-access.json")


@pytest.fixture
def ram_policy(tmp_path):
    path = tmp_path / "ecs-mfa.json"
    path.write_text(
        json.dumps(
            {
                "Version": "1",
                "Statement": [
                    {"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"},
                    {
                        "Sid": "RunWithMfa",
                        "Effect": "Allow",
                        "Action": "ecs:RunInstances",
                        "Resource": "*",
                        "Condition": {"Bool": {"acs:MFAPresent": "true"}},
                    },
                ],
            }
        )
    )
    return str(path)


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_force_mfa_without_mfa_prints_the_denying_statement(capsys):
    code, out, err = _run(
        capsys, "simulate", "--dialect", "aws", "--policy", POWER_USER, "--policy", FORCE_MFA,
        "--action", "ec2:RunInstances",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "decision": "ExplicitlyDenied",
        "statements": [
            {"policy": FORCE_MFA, "index": 5, "sid": "DenyAllExceptListedIfNoMFA", "effect": "Deny"}
        ],
    }
    assert out == json.dumps(json.loads(out), indent=2, sort_keys=True) + "\n"


def test_simulate_with_mfa_context_is_allowed(capsys):
    code, out, _ = _run(
        capsys, "simulate", "--dialect", "aws", "--policy", POWER_USER, "--policy", FORCE_MFA,
        "--action", "ec2:RunInstances", "--context", "aws:MultiFactorAuthPresent=true", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "decision": "Allowed",
        "statements": [{"policy": POWER_USER, "index": 0, "sid": None, "effect": "Allow"}],
    }


def test_simulate_resource_and_repeated_context_key(capsys, tmp_path):
    policy = tmp_path / "tags.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::home/${aws:username}/*",
                        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
                    }
                ],
            }
        )
    )
    base = ["simulate", "--dialect", "aws", "--policy", str(policy), "--action", "s3:GetObject",
            "--resource", "arn:aws:s3:::home/alice/f", "--context", "aws:username=alice"]  # fmt: skip
    code, out, _ = _run(capsys, *base, "--context", "aws:TagKeys=env", "--context", "aws:TagKeys=team")
    assert (code, json.loads(out)["decision"]) == (0, "Allowed")
    code, out, _ = _run(capsys, *base, "--context", "aws:TagKeys=env", "--context", "aws:TagKeys=cost")
    assert (code, json.loads(out)["decision"]) == (0, "ImplicitlyDenied")


def test_simulate_text_output(capsys, ram_policy):
    code, out, _ = _run(
        capsys, "simulate", "--dialect", "ram", "--policy", ram_policy, "--action", "ecs:RunInstances",
        "--context", "acs:MFAPresent=true", "--text",
    )  # fmt: skip
    assert (code, out) == (0, f"Allowed by {ram_policy} Statement[1] (RunWithMfa)\n")


def test_holds_without_mfa_names_the_witness_and_its_grant(capsys, ram_policy):
    code, out, err = _run(
        capsys, "holds", "--dialect", "ram", "--policy", ram_policy, "--pattern", "ecs:*Instances",
        "--context", "acs:MFAPresent=false",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "holds": True,
        "witness": "ecs:DescribeInstances",
        "statement": {"policy": ram_policy, "index": 0, "sid": None, "effect": "Allow"},
    }


def test_holds_false_and_unknown_keys(capsys, ram_policy):
    argv = ["holds", "--dialect", "ram", "--policy", ram_policy, "--pattern", "ecs:Run*"]
    code, out, _ = _run(capsys, *argv, "--context", "acs:MFAPresent=false")
    assert (code, json.loads(out)) == (0, {"holds": False, "witness": None, "statement": None})
    # A key not given is absent, so the MFA-conditioned Allow cannot grant...
    code, out, _ = _run(capsys, *argv)
    assert json.loads(out)["holds"] is False
    # ...unless the caller says it cannot know it.
    code, out, _ = _run(capsys, *argv, "--unknown", "acs:MFAPresent")
    assert json.loads(out)["witness"] == "ecs:RunInstances"


def test_bad_policy_file_is_exit_2_with_file_and_path(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs*", "Resource": "*"}]}')
    code, out, err = _run(capsys, "simulate", "--dialect", "ram", "--policy", str(bad), "--action", "ecs:Run")
    assert (code, out) == (2, "")
    assert err == f"error: {bad}: Statement[0].Action: 'ecs*' is not 'service:action' or '*'\n"


def test_wrong_dialect_is_exit_2(capsys):
    code, _, err = _run(capsys, "holds", "--dialect", "ram", "--policy", FORCE_MFA, "--pattern", "ec2:*")
    assert code == 2
    assert err == f"error: {FORCE_MFA}: Version: expected '1', got '2012-10-17'\n"


def test_missing_policy_file_is_exit_2(capsys, tmp_path):
    missing = tmp_path / "nope.json"
    code, _, err = _run(
        capsys, "simulate", "--dialect", "aws", "--policy", str(missing), "--action", "s3:Get"
    )
    assert (code, err) == (2, f"error: {missing}: no such file\n")


def test_bad_context_and_pattern_are_exit_2(capsys, ram_policy):
    code, _, err = _run(capsys, "simulate", "--dialect", "ram", "--policy", ram_policy, "--action", "ecs:Run",
                        "--context", "acs:MFAPresent")  # fmt: skip
    assert (code, err) == (2, "error: --context 'acs:MFAPresent': expected KEY=VALUE\n")
    code, _, err = _run(capsys, "holds", "--dialect", "ram", "--policy", ram_policy, "--pattern", "ecs: *")
    assert (code, err) == (2, "error: --pattern: 'ecs: *' is not an action pattern\n")


@pytest.mark.parametrize("action", ["oss", "ecs:*", "ecs:Describe?", ":Run", "ecs: Run", ""])
def test_simulate_takes_one_concrete_action_not_a_pattern(capsys, ram_policy, action):
    code, out, err = _run(capsys, "simulate", "--dialect", "ram", "--policy", ram_policy, "--action", action)
    assert (code, out) == (2, "")
    assert err == f"error: --action {action!r}: expected a concrete 'service:action' name\n"


def test_missing_required_option_is_argparse_exit_2(capsys, ram_policy):
    code, _, err = _run(capsys, "simulate", "--dialect", "ram", "--policy", ram_policy)
    assert code == 2
    assert "the following arguments are required: --action" in err


def test_module_entry_point_smoke(ram_policy):
    """The real `python -m baseline holds` process: JSON on stdout, exit 0."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "baseline", "holds", "--dialect", "ram", "--policy", ram_policy,
         "--pattern", "ecs:*", "--context", "acs:MFAPresent=false"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["witness"] == "ecs:Describe"
