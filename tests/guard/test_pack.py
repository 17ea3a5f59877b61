"""The CrossGuard pack: the same checks, driven by `pulumi_policy` argument objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.guard import pack
from policies.guard.checks import CHECKS

PACK_DIR = Path(pack.__file__).resolve().parent


def args(resource_type: str, props: dict, config: dict | None = None) -> ResourceValidationArgs:
    opts = PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )
    return ResourceValidationArgs(
        resource_type,
        unknown_checking_proxy(props),
        f"urn:pulumi:dev::baseline::{resource_type}::r",
        "r",
        opts,
        None,
        config,
    )


def policy(name: str) -> ResourceValidationPolicy:
    return next(p for p in pack.build_policies() if p.name == name)


def run(name: str, validation_args: ResourceValidationArgs) -> list[tuple[str, str | None]]:
    reported: list[tuple[str, str | None]] = []
    policy(name).validate(validation_args, lambda message, urn=None: reported.append((message, urn)))
    return reported


def test_one_policy_per_check_with_the_registry_level():
    policies = pack.build_policies()
    assert [(p.name, p.enforcement_level) for p in policies] == [
        (c.name, EnforcementLevel(c.level)) for c in CHECKS
    ]


def test_configurable_policies_publish_their_schema():
    schema = policy("ram-password-policy-floor").config_schema
    assert schema is not None
    assert schema.properties["minimumLength"] == {
        "type": "integer",
        "default": 14,
        "minimum": 8,
        "maximum": 32,
    }
    assert policy("oss-bucket-not-public").config_schema is None


def test_password_floor_violation_reported_through_crossguard_with_float_numbers():
    """CrossGuard delivers numbers (props and config) as floats; the verdict must not change."""
    props = {
        "minimumPasswordLength": 12.0,
        "requireLowercaseCharacters": True,
        "requireUppercaseCharacters": True,
        "requireNumbers": True,
        "requireSymbols": True,
        "passwordReusePrevention": 5.0,
        "maxLoginAttemps": 5.0,
    }
    reported = run(
        "ram-password-policy-floor",
        args("alicloud:ram/passwordPolicy:PasswordPolicy", props, {"minimumLength": 14.0}),
    )
    assert reported == [("RAM password policy minimumPasswordLength is 12, below the floor of 14", None)]


def test_pack_config_floor_applies():
    props = {
        "minimumPasswordLength": 14,
        "requireLowercaseCharacters": True,
        "requireUppercaseCharacters": True,
        "requireNumbers": True,
        "requireSymbols": True,
        "passwordReusePrevention": 5,
        "maxLoginAttemps": 5,
    }
    reported = run(
        "ram-password-policy-floor",
        args("alicloud:ram/passwordPolicy:PasswordPolicy", props, {"minimumLength": 20}),
    )
    assert reported == [("RAM password policy minimumPasswordLength is 14, below the floor of 20", None)]


def test_passing_resource_reports_nothing():
    props = {"bucket": "logs", "acl": "private"}
    assert run("oss-bucket-not-public", args("alicloud:oss/bucketAcl:BucketAcl", props)) == []


def test_policy_ignores_other_resource_types():
    props = {"acl": "public-read"}
    assert run("oss-bucket-not-public", args("alicloud:ram/role:Role", props)) == []


def test_dry_run_policy_takes_the_stack_from_pulumi_stack_when_config_has_none(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "prod")
    props = {"functionName": "oss_repair_acl", "environmentVariables": {"DRY_RUN": "true"}}
    reported = run("remediation-dry-run-outside-dev", args("alicloud:fc/v3Function:V3Function", props))
    assert reported == [
        (
            "function 'oss_repair_acl' runs remediation in dry-run mode (DRY_RUN=true) in stack "
            "'prod'; dry-run is expected only in: dev",
            None,
        )
    ]
    monkeypatch.setenv("PULUMI_STACK", "dev")
    assert run("remediation-dry-run-outside-dev", args("alicloud:fc/v3Function:V3Function", props)) == []


def test_config_stack_wins_over_pulumi_stack(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "dev")
    config = pack.guard_config_for("remediation-dry-run-outside-dev", {"stack": "prod"})
    assert config.stack == "prod"


def test_invalid_pack_config_fails_the_policy_with_the_key():
    with pytest.raises(
        ValueError,
        match=r"^policy pack config: ram-password-policy-floor.minimumLength: "
        r"7 is outside 8\.\.32$",
    ):
        pack.guard_config_for("ram-password-policy-floor", {"minimumLength": 7.0})


def test_unknown_preview_value_surfaces_as_crossguard_unknown_error():
    """An env var only known after deployment cannot be judged at preview: CrossGuard reports that."""
    props = {"functionName": "f", "environmentVariables": {"AK": UNKNOWN_STRING_VALUE}}
    with pytest.raises(UnknownValueError):
        run("function-env-no-credentials", args("alicloud:fc/v3Function:V3Function", props))


def test_pack_project_file_is_a_python_pack_sharing_the_project_virtualenv():
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["name"] == "python"
    venv = (PACK_DIR / project["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == PACK_DIR.parents[1] / ".venv"
    requirements = (PACK_DIR / "requirements.txt").read_text(encoding="utf-8")
    assert "pulumi-policy~=1.21" in requirements.splitlines()


def test_pack_program_serves_only_when_run_as_main():
    source = (PACK_DIR / "__main__.py").read_text(encoding="utf-8")
    assert 'if __name__ == "__main__":' in source
    namespace = {"__name__": "not_main", "__file__": str(PACK_DIR / "__main__.py")}
    exec(compile(source, str(PACK_DIR / "__main__.py"), "exec"), namespace)  # noqa: S102 - our own file
    assert "serve" not in namespace


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_pack_configs_are_valid_crossguard_config(stack):
    data = json.loads((PACK_DIR / "config" / f"{stack}.json").read_text(encoding="utf-8"))
    for name, value in data.items():
        if name == "all" or isinstance(value, str):
            continue
        properties = {k: v for k, v in value.items() if k != "enforcementLevel"}
        assert pack.guard_config_for(name, properties).stack in (None, stack)
