"""The preview workflow cannot run here: its structure is checked instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from baseline.snapshots import REPO_ROOT, stack_names

WORKFLOW_PATH = REPO_ROOT / ".github" / "workflows" / "preview.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW_PATH.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as boolean True.
    return workflow.get("on", workflow.get(True))


def pulumi_step(job: dict) -> dict:
    steps = [s for s in job["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert len(steps) == 1
    return steps[0]


def test_triggers_are_pull_requests_and_pushes_to_main(workflow):
    on = triggers(workflow)
    assert set(on) == {"pull_request", "push"}
    assert on["push"]["branches"] == ["main"]
    assert on["pull_request"]["branches"] == ["main"]


def test_jobs_test_then_preview_on_prs_and_up_on_main(workflow):
    jobs = workflow["jobs"]
    assert set(jobs) == {"test", "preview", "up"}
    assert any(step.get("run") == "make test" for step in jobs["test"]["steps"])
    assert jobs["preview"]["needs"] == "test"
    assert jobs["preview"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["up"]["needs"] == "test"
    assert jobs["up"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"


@pytest.mark.parametrize("job", ["preview", "up"])
def test_matrix_stacks_are_exactly_the_stacks_directory(workflow, job):
    assert sorted(workflow["jobs"][job]["strategy"]["matrix"]["stack"]) == stack_names()


def test_preview_runs_the_guard_pack_with_diff_and_comments_on_the_pr(workflow):
    step = pulumi_step(workflow["jobs"]["preview"])
    assert step["uses"] == "pulumi/actions@v7"
    assert step["with"]["command"] == "preview"
    assert step["with"]["diff"] is True
    assert step["with"]["comment-on-pr"] is True
    assert step["with"]["policyPacks"] == "policies/guard"
    assert step["with"]["policyPackConfigs"] == "policies/guard/config/${{ matrix.stack }}.json"
    assert step["with"]["stack-name"].endswith("/${{ matrix.stack }}")
    assert workflow["jobs"]["preview"]["permissions"]["pull-requests"] == "write"


# Each action the workflow uses, at the major checked against its releases and the inputs its
# action.yml declares (pulumi/actions: command, stack-name, work-dir, comment-on-pr, diff,
# policyPacks, policyPackConfigs, ...), so a typo'd input, silently ignored by GitHub, fails here.
ACTIONS = {
    "actions/checkout": ("v7", set()),
    "actions/setup-python": ("v7", {"python-version"}),
    "aliyun/configure-aliyun-credentials-action": (
        "v1.1.0",
        {"role-to-assume", "oidc-provider-arn", "audience", "role-session-name", "role-session-expiration"},
    ),
    "aws-actions/configure-aws-credentials": ("v6", {"role-to-assume", "aws-region", "role-session-name"}),
    "pulumi/actions": (
        "v7",
        {
            "command",
            "stack-name",
            "work-dir",
            "comment-on-pr",
            "diff",
            "policyPacks",
            "policyPackConfigs",
            "refresh",
            "upsert",
            "message",
        },
    ),
}


def test_every_action_is_a_known_action_at_its_current_major_with_real_inputs(workflow):
    used = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" not in step:
                continue
            name, version = step["uses"].split("@")
            assert name in ACTIONS, f"unreviewed action {name}"
            expected_version, inputs = ACTIONS[name]
            assert version == expected_version, name
            assert set(step.get("with", {})) <= inputs, name
            used.append(name)
    assert set(used) == set(ACTIONS)


def test_policy_pack_paths_used_by_the_workflow_exist(workflow):
    assert (REPO_ROOT / "policies" / "guard" / "PulumiPolicy.yaml").is_file()
    for stack in stack_names():
        assert (REPO_ROOT / "policies" / "guard" / "config" / f"{stack}.json").is_file()


def test_up_runs_per_environment_in_order_with_prod_gated_by_its_environment(workflow):
    up = workflow["jobs"]["up"]
    assert up["environment"] == "${{ matrix.stack }}"
    # The matrix expands `environment` to `prod` for the prod stack: its required reviewers gate it.
    assert "prod" in up["strategy"]["matrix"]["stack"]
    assert up["strategy"]["max-parallel"] == 1
    assert up["strategy"]["matrix"]["stack"].index("dev") < up["strategy"]["matrix"]["stack"].index("prod")
    step = pulumi_step(up)
    assert step["with"]["command"] == "up"
    assert step["with"]["policyPacks"] == "policies/guard"


@pytest.mark.parametrize("job", ["preview", "up"])
def test_cloud_credentials_come_from_oidc_role_assumption(workflow, job):
    steps = workflow["jobs"][job]["steps"]
    assert workflow["jobs"][job]["permissions"]["id-token"] == "write"
    aliyun = next(
        s for s in steps if str(s.get("uses", "")).startswith("aliyun/configure-aliyun-credentials-action")
    )
    aws = next(s for s in steps if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials"))
    assert set(aliyun["with"]) == {"role-to-assume", "oidc-provider-arn"}
    assert set(aws["with"]) == {"role-to-assume", "aws-region"}
    assert pulumi_step(workflow["jobs"][job])["env"] == {
        "PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    }


def test_no_literal_credential_in_the_workflow():
    text = WORKFLOW_PATH.read_text(encoding="utf-8")
    assert not re.search(r"LTAI[0-9A-Za-z]{12,}|(?:AKIA|ASIA)[0-9A-Z]{16}", text)
    assert not re.search(r"(?i)(access.?key|secret)[\w-]*\s*:\s*['\"]?[0-9A-Za-z/+]{16,}", text)
    # Every secret is referenced through the secrets context, and only the Pulumi token is one.
    assert set(re.findall(r"secrets\.(\w+)", text)) == {"PULUMI_ACCESS_TOKEN"}


def test_every_make_target_the_workflow_calls_exists():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([\w./$()-]+)\s*:(?!=)", makefile, flags=re.MULTILINE))
    defined = {t.replace("$(VENV)", ".venv") for t in defined}
    text = WORKFLOW_PATH.read_text(encoding="utf-8")
    called = {target for line in re.findall(r"run: make ([^\n]+)", text) for target in line.split()}
    assert called <= defined, f"Makefile lacks {sorted(called - defined)}"


def test_workflow_documents_the_secrets_and_variables_it_expects():
    header = WORKFLOW_PATH.read_text(encoding="utf-8").split("\nname:", 1)[0]
    for name in (
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_ORG",
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
        "ALIBABA_CLOUD_ROLE_ARN",
        "ALIBABA_CLOUD_PREVIEW_ROLE_ARN",
        "AWS_ROLE_ARN",
        "AWS_PREVIEW_ROLE_ARN",
        "AWS_REGION",
    ):
        assert name in header
    assert Path(WORKFLOW_PATH).suffix == ".yml"
