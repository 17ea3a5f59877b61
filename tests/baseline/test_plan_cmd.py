"""`python -m baseline plan`: exit codes, tree and JSON output, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml

from baseline.cli import main
from baseline.plan import PROJECT_ROOT, STACKS_DIR


def test_tree_shows_components_children_and_key_inputs(capsys):
    assert main(["plan", "--stack", "dev"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stack dev (project baseline): 37 resources\n")
    assert "├─ baseline:alicloud:MfaComplianceRule  mfa-rule\n" in out
    assert "│  └─ alicloud:cfg/rule:Rule  mfa-rule-rule\n" in out
    assert "├─ baseline:alicloud:ConfigPrerequisites  config-prerequisites\n" in out
    assert "│  │      serviceName: config.aliyuncs.com\n" in out
    assert 'inputParameters: {"dangerousActions":"ecs:*,oss:*,log:*","paths":"console,accessKey"}' in out
    assert "  remediationTopicArn: acs:mns:ap-southeast-1:5123456789012345:/topics/MNSTestConfig" in out


def test_json_prints_the_plan_contract_plus_guard_violations(capsys):
    assert main(["plan", "--stack", "prod", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert set(plan) == {"stack", "project", "resources", "outputs", "violations"}
    assert {tuple(sorted(r)) for r in plan["resources"]} == {("inputs", "name", "parent", "type", "urn")}
    # prod is the strict stack: its one finding is advisory and deliberate. Its login masks must be
    # the office's public egress CIDRs, which only the deployer knows; a private range would lock
    # everyone out, so the shipped file sets none until they are filled in.
    # prod also runs the rule on FC 3.0, which no Cloud Config source confirms for custom rules.
    assert sorted((v["policy"], v["level"]) for v in plan["violations"]) == [
        ("fc3-custom-rule-unconfirmed", "advisory"),
        ("ram-login-network-masks-set", "advisory"),
    ]


def test_mandatory_guard_violation_makes_plan_exit_1_and_names_the_check(tmp_path, capsys):
    """A stack that weakens the RAM password policy below the guard's floor must not plan clean."""
    config = yaml.safe_load((STACKS_DIR / "Pulumi.dev.yaml").read_text())
    config["config"]["baseline:ramPasswordPolicy"]["minimumLength"] = 8
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump(config))
    assert main(["plan", "--stack", "dev", "--stacks-dir", str(tmp_path), "--json"]) == 1
    violations = json.loads(capsys.readouterr().out)["violations"]
    mandatory = [v for v in violations if v["level"] == "mandatory"]
    assert [(v["policy"], v["message"]) for v in mandatory] == [
        (
            "ram-password-policy-floor",
            "RAM password policy minimumPasswordLength is 8, below the floor of 14",
        ),
    ]


def test_invalid_config_exits_1_with_key_and_reason_lines(tmp_path, capsys):
    config = yaml.safe_load((STACKS_DIR / "Pulumi.dev.yaml").read_text())
    config["config"]["baseline:ramPasswordPolicy"]["minimumLength"] = 33
    config["config"]["baseline:complianceRule"]["dangerousActions"] = "ecs*"
    (tmp_path / "Pulumi.bad.yaml").write_text(yaml.safe_dump(config))
    assert main(["plan", "--stack", "bad", "--stacks-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "baseline:complianceRule.dangerousActions[0]: 'ecs*' is not 'service:action'",
        "baseline:ramPasswordPolicy.minimumLength: 33 is out of range 8..32",
    ]


def test_unknown_stack_exits_2_naming_the_known_stacks(capsys):
    assert main(["plan", "--stack", "staging"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --stack 'staging': no Pulumi.staging.yaml in ")
    assert "(stacks: dev, org, prod" in err


def test_as_a_process_invalid_config_prints_no_traceback(tmp_path):
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  alicloud:region: ap-southeast-1\n")
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "baseline", "plan", "--stack", "bad", "--stacks-dir", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "baseline:complianceRule: required",
        "baseline:complianceRule.dangerousActions: required",
    ]
