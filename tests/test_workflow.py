"""The preview workflow cannot run here: its structure is checked instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from baseline.snapshots import REPO_ROOT, stack_names

WORKFLOW_PATH = REPO_ROOT / ".github" / "workflows" / "preview.yml"
DEPLOY_PATH = REPO_ROOT / ".github" / "workflows" / "deploy.yml"
WORKFLOW_FILES = (WORKFLOW_PATH, DEPLOY_PATH)
UP_IF = "github.event_name == 'push' && github.ref == 'refs/heads/main'"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def deploy() -> dict:
    return yaml.safe_load(DEPLOY_PATH.read_text(encoding="utf-8"))


def step_jobs(*workflows: dict) -> list[dict]:
    """Jobs that run steps (a job calling a reusable workflow has `uses` instead)."""
    return [job for w in workflows for job in w["jobs"].values() if "steps" in job]


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
    assert set(jobs) == {"test", "preview", "up", "up-prod"}
    assert any(step.get("run") == "make test" for step in jobs["test"]["steps"])
    assert jobs["preview"]["needs"] == "test"
    assert jobs["preview"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["up"]["needs"] == "test"
    assert jobs["up"]["if"] == jobs["up-prod"]["if"] == UP_IF


def test_every_stack_is_previewed_and_deployed_exactly_once(workflow):
    jobs = workflow["jobs"]
    assert sorted(jobs["preview"]["strategy"]["matrix"]["stack"]) == stack_names()
    deployed = [*jobs["up"]["strategy"]["matrix"]["stack"], jobs["up-prod"]["with"]["stack"]]
    assert sorted(deployed) == stack_names()


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


def test_every_action_is_a_known_action_at_its_current_major_with_real_inputs(workflow, deploy):
    used = []
    for job in step_jobs(workflow, deploy):
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


def test_prod_is_deployed_only_after_every_other_stack_succeeded(workflow):
    jobs = workflow["jobs"]
    assert "prod" not in jobs["up"]["strategy"]["matrix"]["stack"]
    assert jobs["up"]["strategy"]["fail-fast"] is True
    assert jobs["up-prod"]["needs"] == "up"
    for name in ("up", "up-prod"):
        assert jobs[name]["uses"] == "./.github/workflows/deploy.yml"
        assert jobs[name]["secrets"] == {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}
        assert jobs[name]["permissions"]["id-token"] == "write"
    assert jobs["up"]["with"] == {"stack": "${{ matrix.stack }}"}
    assert jobs["up-prod"]["with"] == {"stack": "prod"}


def test_deploy_runs_up_with_the_guard_in_the_stacks_environment(deploy):
    on = triggers(deploy)
    assert set(on) == {"workflow_call"}
    assert on["workflow_call"]["inputs"]["stack"]["required"] is True
    job = deploy["jobs"]["up"]
    # The job's environment is named like the stack: prod's required reviewers gate the prod run.
    assert job["environment"] == "${{ inputs.stack }}"
    step = pulumi_step(job)
    assert step["with"]["command"] == "up"
    assert step["with"]["stack-name"].endswith("/${{ inputs.stack }}")
    assert step["with"]["policyPacks"] == "policies/guard"
    assert step["with"]["policyPackConfigs"] == "policies/guard/config/${{ inputs.stack }}.json"


@pytest.mark.parametrize(("path", "job"), [(WORKFLOW_PATH, "preview"), (DEPLOY_PATH, "up")])
def test_cloud_credentials_come_from_oidc_role_assumption(path, job):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = document["jobs"][job]["steps"]
    permissions = document["jobs"][job].get("permissions", document.get("permissions"))
    assert permissions["id-token"] == "write"
    aliyun = next(
        s for s in steps if str(s.get("uses", "")).startswith("aliyun/configure-aliyun-credentials-action")
    )
    aws = next(s for s in steps if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials"))
    assert set(aliyun["with"]) == {"role-to-assume", "oidc-provider-arn"}
    assert set(aws["with"]) == {"role-to-assume", "aws-region"}
    assert pulumi_step(document["jobs"][job])["env"] == {
        "PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    }


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_literal_credential_in_the_workflow(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"LTAI[0-9A-Za-z]{12,}|(?:AKIA|ASIA)[0-9A-Z]{16}", text)
    assert not re.search(r"(?i)(access.?key|secret)[\w-]*\s*:\s*['\"]?[0-9A-Za-z/+]{16,}", text)
    # Every secret is referenced through the secrets context, and only the Pulumi token is one.
    assert set(re.findall(r"secrets\.(\w+)", text)) == {"PULUMI_ACCESS_TOKEN"}


def test_every_make_target_the_workflow_calls_exists():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([\w./$()-]+)\s*:(?!=)", makefile, flags=re.MULTILINE))
    defined = {t.replace("$(VENV)", ".venv") for t in defined}
    text = "\n".join(p.read_text(encoding="utf-8") for p in WORKFLOW_FILES)
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
