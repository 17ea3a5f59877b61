"""The CrossGuard pack: the same checks, driven by `pulumi_policy` argument objects."""

from __future__ import annotations

import datetime
import json
import re
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
from policies.guard.config import GuardConfigError
from tests.guard.samples import STRICT_PASSWORD, force_mfa_policy, ram_doc

PACK_DIR = Path(pack.__file__).resolve().parent
REPO_ROOT = PACK_DIR.parents[1]


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


V3 = "alicloud:fc/v3Function:V3Function"
RAM_POLICY = "alicloud:ram/policy:Policy"
RULE = "alicloud:cfg/rule:Rule"
PREFERENCE = "alicloud:ram/securityPreference:SecurityPreference"


def _SOON(days: int) -> dict:
    """An exemption expiring `days` from today (CrossGuard runs the check on the real date)."""
    expires = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=days)
    return {"name": "site", "owner": "web", "reason": "static", "expires": expires.isoformat()}


SAFE_PREFERENCE = {
    "mfaOperationForLogin": "mandatory",
    "loginNetworkMasks": "47.88.0.0/16",
    "loginSessionDuration": 6.0,
}
# check name -> (resource type, passing props, violating props, exact messages for the violation).
# Props are nested dicts and lists, so the checks see CrossGuard's Mapping/Sequence proxies and
# its float numbers, as at `pulumi preview`.
THROUGH_CROSSGUARD = {
    "function-env-no-credentials": (
        V3,
        {"functionName": "f", "environmentVariables": {"LOG_LEVEL": "INFO", "RAM_MAX_RPS": "20"}},
        {"functionName": "f", "environmentVariables": {"LOG_LEVEL": "INFO", "SK": "x"}},
        ["env var 'SK' of function 'f' is named like a credential; functions must use their role's STS "
         "credentials"],
    ),
    "custom-ram-policies-least-privilege": (
        RAM_POLICY,
        {"policyName": "p", "policyDocument": ram_doc(
            {"Effect": "Allow", "Action": ["ram:GetUser", "ram:ListUsers"], "Resource": "*"})},
        {"policyName": "p", "policyDocument": ram_doc(
            {"Effect": "Allow", "Action": "ram:*", "Resource": "*"})},
        ["RAM policy 'p' allows RAM write actions matching 'ram:Create*' (Statement[0])"],
    ),
    "config-rule-dangerous-actions": (
        RULE,
        {"ruleName": "r", "sourceOwner": "CUSTOM_FC", "inputParameters": {"dangerousActions": "ecs:*,oss:*"}},
        {"ruleName": "r", "sourceOwner": "CUSTOM_FC", "inputParameters": {"dangerousActions": "ecs*"}},
        ["Config rule 'r' dangerousActions[0]: 'ecs*' is not 'service:action'"],
    ),
    "cross-account-trust-narrow": (
        "alicloud:ram/role:Role",
        {"roleName": "reader", "assumeRolePolicyDocument": json.dumps({"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"RAM": ["acs:ram::5123456789012345:role/rule-fn"]},
             "Condition": {"StringEquals": {"sts:ExternalId": "org-1"}}}]})},
        {"roleName": "reader", "assumeRolePolicyDocument": json.dumps({"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"RAM": ["acs:ram::5123456789012345:root"]}}]})},
        ["RAM role 'reader' trusts 'acs:ram::5123456789012345:root' (Statement[0]); trust one role "
         "(acs:ram::<account>:role/<name>), not an account or '*'",
         "RAM role 'reader' is trusted by another account's role without an sts:ExternalId condition "
         "(Statement[0])"],
    ),
    "aws-mfa-policy-denies-without-mfa": (
        "aws:iam/policy:Policy",
        force_mfa_policy("BoolIfExists"),
        force_mfa_policy("Bool"),
        ["AWS policy 'force-mfa' does not deny 'ec2:RunInstances' when aws:MultiFactorAuthPresent is absent "
         "(access-key calls); use BoolIfExists, not Bool"],
    ),
    "oss-bucket-not-public": (
        "alicloud:oss/bucketAcl:BucketAcl",
        {"bucket": "logs", "acl": "private"},
        {"bucket": "logs", "acl": "public-read-write"},
        ["OSS bucket 'logs' has public ACL 'public-read-write'"],
    ),
    "ram-password-policy-floor": (
        "alicloud:ram/passwordPolicy:PasswordPolicy",
        {**STRICT_PASSWORD, "minimumPasswordLength": 14.0, "passwordReusePrevention": 5.0,
         "maxLoginAttemps": 5.0},
        {**STRICT_PASSWORD, "requireNumbers": False, "maxLoginAttemps": 0.0},
        ["RAM password policy requireNumbers is false, the floor requires true",
         "RAM password policy maxLoginAttemps is 0 (lockout disabled), the floor requires 1 to 5"],
    ),
    "ram-console-login-requires-mfa": (
        PREFERENCE,
        SAFE_PREFERENCE,
        {**SAFE_PREFERENCE, "mfaOperationForLogin": "adaptive"},
        ["RAM security preference does not require MFA for console login "
         "(mfaOperationForLogin is 'adaptive', expected 'mandatory')"],
    ),
    "ram-login-network-masks-set": (
        PREFERENCE,
        SAFE_PREFERENCE,
        {**SAFE_PREFERENCE, "loginNetworkMasks": ";"},
        ["RAM security preference sets no loginNetworkMasks: console logon is allowed from any network"],
    ),
    "ram-login-network-masks-public": (
        PREFERENCE,
        SAFE_PREFERENCE,
        {**SAFE_PREFERENCE, "loginNetworkMasks": "47.88.0.0/16;192.168.0.0/16"},
        ["RAM security preference loginNetworkMasks 192.168.0.0/16 is private: console sign-ins arrive from "
         "public addresses, so it would lock RAM users out "
         "(baseline:ramSecurityPreference.loginNetworkMasks: list the office's public egress CIDRs)"],
    ),
    "ram-console-session-duration": (
        PREFERENCE,
        SAFE_PREFERENCE,
        {**SAFE_PREFERENCE, "loginSessionDuration": 13.0},
        ["RAM security preference loginSessionDuration is 13 hours, above the limit of 12"],
    ),
    "role-policies-name-the-account": (
        "alicloud:ram/policy:Policy",
        {"policyName": "p", "policyDocument": json.dumps({"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "oss:GetBucketAcl", "Resource": "acs:oss:*:5123456789012345:*"}]})},
        {"policyName": "p", "policyDocument": json.dumps({"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "oss:GetBucketAcl", "Resource": "acs:oss:*:*:*"}]})},
        ["RAM policy 'p' Statement[0] resource 'acs:oss:*:*:*' wildcards the account; "
         "name the deploying account instead"],
    ),
    "fc3-custom-rule-unconfirmed": (
        "alicloud:cfg/rule:Rule",
        {"ruleName": "r", "sourceOwner": "CUSTOM_FC", "inputParameters": {"dangerousActions": "ecs:*"},
         "sourceIdentifier": "acs:fc:ap-southeast-1:5123456789012345:services/s.LATEST/functions/f"},
        {"ruleName": "r", "sourceOwner": "CUSTOM_FC", "inputParameters": {"dangerousActions": "ecs:*"},
         "sourceIdentifier": "acs:fc:ap-southeast-1:5123456789012345:functions/f"},
        ["Config rule 'r' invokes the FC 3.0 function 'acs:fc:ap-southeast-1:5123456789012345:functions/f': "
         "Cloud Config documents custom rules only with FC 2.0 ARNs (services/<svc>.LATEST/functions/<fn>); "
         "confirm the rule evaluates after deploying (README, \"After it\") or choose "
         "functionCompute.generation 2"],
    ),
    "exemptions-expiring-soon": (
        V3,
        {"functionName": "repair", "environmentVariables": {"EXEMPT_BUCKETS": json.dumps([_SOON(400)])}},
        {"functionName": "repair", "environmentVariables": {"EXEMPT_BUCKETS": json.dumps([_SOON(3)])}},
        [f"EXEMPT_BUCKETS exemption 'site' (owner 'web') expires on {_SOON(3)['expires']}, in 3 days: "
         "renew it or let it lapse"],
    ),
    "remediation-dry-run-outside-dev": (
        V3,
        {"functionName": "repair", "environmentVariables": {"DRY_RUN": "false"}},
        {"functionName": "repair", "environmentVariables": {"DRY_RUN": "true"}},
        ["function 'repair' runs remediation in dry-run mode (DRY_RUN=true) in stack 'prod'; dry-run is "
         "expected only in: dev"],
    ),
}


def test_the_crossguard_table_covers_every_check():
    assert sorted(THROUGH_CROSSGUARD) == sorted(c.name for c in CHECKS)


@pytest.mark.parametrize("name", list(THROUGH_CROSSGUARD))
def test_each_policy_passes_a_safe_resource_through_resource_validation_args(name, monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "prod")
    resource_type, passing, _, _ = THROUGH_CROSSGUARD[name]
    assert run(name, args(resource_type, passing)) == []


@pytest.mark.parametrize("name", list(THROUGH_CROSSGUARD))
def test_each_policy_reports_the_exact_messages_through_resource_validation_args(name, monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "prod")
    resource_type, _, violating, messages = THROUGH_CROSSGUARD[name]
    assert run(name, args(resource_type, violating)) == [(message, None) for message in messages]


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
    reported = run(
        "ram-password-policy-floor",
        args("alicloud:ram/passwordPolicy:PasswordPolicy", STRICT_PASSWORD, {"minimumLength": 20}),
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


def test_config_stack_is_used_when_pulumi_stack_is_not_set(monkeypatch):
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    config = pack.guard_config_for("remediation-dry-run-outside-dev", {"stack": "prod"})
    assert config.stack == "prod"


def test_config_file_of_another_stack_is_rejected(monkeypatch):
    """dev.json passed to a prod preview must fail, as load_guard_config fails offline."""
    monkeypatch.setenv("PULUMI_STACK", "prod")
    with pytest.raises(GuardConfigError) as error:
        pack.guard_config_for("remediation-dry-run-outside-dev", {"stack": "dev"})
    assert str(error.value) == (
        "policy pack config: remediation-dry-run-outside-dev.stack: 'dev' does not match the stack 'prod'"
    )


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
    """PulumiPolicy.yaml as the pulumi-policy docs describe a Python pack: runtime object, version."""
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert set(project) <= {"runtime", "version", "main", "description", "author", "website", "license"}
    assert project["runtime"] == {
        "name": "python",
        "options": {"toolchain": "pip", "virtualenv": "../../.venv"},
    }
    assert (PACK_DIR / project["runtime"]["options"]["virtualenv"]).resolve() == REPO_ROOT / ".venv"
    assert re.fullmatch(r"\d+\.\d+\.\d+", project["version"])
    assert project["description"]


def requirement_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            name, pin = re.split(r"(?=~=|==|>=)", line, maxsplit=1)
            pins[name.strip().lower()] = pin.strip()
    return pins


def test_pack_requirements_are_pinned_as_in_the_shared_virtualenv():
    """The CLI installs requirements.txt into the shared .venv: a different pin would change it."""
    pack_pins = requirement_pins(PACK_DIR / "requirements.txt")
    project_pins = {
        **requirement_pins(REPO_ROOT / "requirements.txt"),
        **requirement_pins(REPO_ROOT / "requirements-dev.txt"),
    }
    assert pack_pins == {"pulumi": "~=3.200", "pulumi-policy": "~=1.21"}
    assert {name: project_pins.get(name) for name in pack_pins} == pack_pins


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
