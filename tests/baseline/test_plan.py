"""build_plan over every stack file, and over temporary stack files that must be rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from baseline.plan import STACKS_DIR, UnknownStackError, build_plan, stack_names
from components.settings import SettingsError, load_stack_file

COMPONENT_TYPES = {
    "baseline:alicloud:ConfigPrerequisites",
    "baseline:alicloud:ComplianceNotifications",
    "baseline:alicloud:MfaComplianceRule",
    "baseline:alicloud:NonComplianceRemediation",
    "baseline:alicloud:RamSecurityBaseline",
    "baseline:aws:AwsMfaEnforcedGroup",
    "baseline:alicloud:OrganizationCompliance",
}


def expected_components(stack: str) -> set[str]:
    """The components a stack's settings ask for: Config's prerequisites, the rule and RAM baseline
    always, the rest when on."""
    settings = load_stack_file(STACKS_DIR / f"Pulumi.{stack}.yaml")
    optional = {
        "baseline:alicloud:NonComplianceRemediation": settings.remediation.enabled,
        "baseline:aws:AwsMfaEnforcedGroup": settings.aws is not None,
        "baseline:alicloud:OrganizationCompliance": settings.organization is not None,
        "baseline:alicloud:ComplianceNotifications": settings.notifications.subscribers > 0,
    }
    always = {
        "baseline:alicloud:ConfigPrerequisites",
        "baseline:alicloud:MfaComplianceRule",
        "baseline:alicloud:RamSecurityBaseline",
    }
    return always | {
        t for t, on in optional.items() if on
    }


@pytest.fixture(scope="module")
def plans() -> dict[str, dict]:
    return {stack: build_plan(stack) for stack in stack_names()}


def test_the_repository_has_dev_and_prod_stacks():
    assert {"dev", "prod"} <= set(stack_names())


def test_every_stack_plans_every_component_with_each_resource_under_its_component(plans):
    for stack, plan in plans.items():
        assert plan["stack"] == stack and plan["project"] == "baseline"
        types = {r["urn"]: r["type"] for r in plan["resources"]}
        assert {t for t in types.values() if t.startswith("baseline:")} == expected_components(stack), stack
        for resource in plan["resources"]:
            parent_type = types.get(resource["parent"], "pulumi:pulumi:Stack")
            if resource["type"] in COMPONENT_TYPES:
                assert parent_type == "pulumi:pulumi:Stack"
            else:
                assert parent_type in COMPONENT_TYPES, resource["name"]
        assert len({r["urn"] for r in plan["resources"]}) == len(plan["resources"])


def test_plans_are_json_and_identical_when_repeated(plans):
    for stack, plan in plans.items():
        assert json.loads(json.dumps(plan, sort_keys=True)) == plan
        assert build_plan(stack) == plan  # no state leaks between runs, order is deterministic


def test_dev_maps_the_seed_walkthroughs_on_fc2(plans):
    plan = plans["dev"]
    by_name = {r["name"]: r for r in plan["resources"]}
    rule = by_name["mfa-rule-rule"]["inputs"]
    assert rule["ruleName"] == "RamUserMFA"
    assert rule["inputParameters"] == {"dangerousActions": "ecs:*,oss:*,log:*", "paths": "console,accessKey"}
    assert rule["sourceIdentifier"] == (
        "acs:fc:ap-southeast-1:5123456789012345:services/Ram_User.LATEST/functions/RamDangerousPolicyUserBindMFA"
    )
    assert by_name["oss-remediation-trigger"]["type"] == "alicloud:fc/trigger:Trigger"
    assert by_name["oss-remediation-trigger"]["inputs"]["name"] == "ConfigRuleNonComplianceMNSTrigger"
    assert by_name["oss-remediation-topic"]["inputs"] == {"topicName": "MNSTestConfig"}
    function = by_name["oss-remediation-fn-function"]["inputs"]
    assert function["filename"] == "build/packages/oss_acl_remediation.zip"  # relative: same on every machine
    assert function["environmentVariables"]["DRY_RUN"] == "true"
    assert plan["outputs"]["fcGeneration"] == 2
    assert (
        plan["outputs"]["remediationTopicArn"]
        == "acs:mns:ap-southeast-1:5123456789012345:/topics/MNSTestConfig"
    )


def test_prod_is_stricter_and_on_fc3(plans):
    by_name = {r["name"]: r for r in plans["prod"]["resources"]}
    preference = by_name["ram-baseline-security-preference"]["inputs"]
    assert preference["mfaOperationForLogin"] == "mandatory"
    # No private masks: they would lock every RAM user out of the console (the guard refuses them).
    assert "loginNetworkMasks" not in preference
    assert by_name["ram-baseline-password-policy"]["inputs"]["minimumPasswordLength"] == 16
    code = by_name["mfa-rule-fn-function"]["inputs"]["code"]
    assert set(code["zipFile"]["archive"]) == {"sha256", "bytes", "files", "encoding"}
    assert by_name["oss-remediation-trigger"]["type"] == "alicloud:fc/v3Trigger:V3Trigger"
    assert by_name["oss-remediation-fn-function"]["inputs"]["environmentVariables"]["DRY_RUN"] == "false"


def test_unknown_stack_is_named(tmp_path):
    with pytest.raises(UnknownStackError, match=r"--stack 'nope': no Pulumi.nope.yaml"):
        build_plan("nope", stacks_dir=STACKS_DIR)
    with pytest.raises(UnknownStackError, match="not a stack name"):
        build_plan("../dev", stacks_dir=tmp_path)


# ---- invalid configurations: each change to the dev stack and the exact message it produces ----


def dev_config() -> dict:
    return yaml.safe_load((STACKS_DIR / "Pulumi.dev.yaml").read_text())["config"]


def plan_with(tmp_path: Path, config: dict) -> dict:
    (tmp_path / "Pulumi.bad.yaml").write_text(yaml.safe_dump({"config": config}))
    return build_plan("bad", stacks_dir=tmp_path)


def drop(key):
    return lambda c: c.pop(key)


def put(section, field, value):
    def change(c):
        c[section][field] = value

    return change


def put_top(key, value):
    return lambda c: c.__setitem__(key, value)


RULE, FC, PWD, PREF, AWS, REM = (
    "baseline:complianceRule",
    "baseline:functionCompute",
    "baseline:ramPasswordPolicy",
    "baseline:ramSecurityPreference",
    "baseline:aws",
    "baseline:remediation",
)

INVALID = [
    ("missing region", drop("alicloud:region"), ["alicloud:region: required"]),
    (
        "malformed region",
        put_top("alicloud:region", "Singapore"),
        ["alicloud:region: 'Singapore' is not a region id"],
    ),
    ("missing aws region", drop("aws:region"), ["aws:region: required"]),
    (
        "missing rule section",
        drop(RULE),
        ["baseline:complianceRule: required", "baseline:complianceRule.dangerousActions: required"],
    ),
    (
        "empty dangerousActions",
        put(RULE, "dangerousActions", []),
        ["baseline:complianceRule.dangerousActions: must not be empty"],
    ),
    (
        "empty dangerousActions text",
        put(RULE, "dangerousActions", ""),
        ["baseline:complianceRule.dangerousActions: must not be empty"],
    ),
    (
        "malformed action",
        put(RULE, "dangerousActions", ["ecs:*", "ecs*"]),
        ["baseline:complianceRule.dangerousActions[1]: 'ecs*' is not 'service:action'"],
    ),
    (
        "malformed action in text",
        put(RULE, "dangerousActions", "ecs:*,,oss:*"),
        ["baseline:complianceRule.dangerousActions[1]: empty (stray comma?)"],
    ),
    (
        "duplicated action",
        put(RULE, "dangerousActions", ["oss:*", "oss:*"]),
        ["baseline:complianceRule.dangerousActions[1]: 'oss:*' is listed twice"],
    ),
    (
        "unknown FC generation",
        put(FC, "generation", 4),
        ["baseline:functionCompute.generation: 4 is not one of 2, 3"],
    ),
    (
        "unsupported runtime",
        put(FC, "runtime", "python3.6"),
        ["baseline:functionCompute.runtime: 'python3.6' is not one of python3.10"],
    ),
    (
        "password length 7",
        put(PWD, "minimumLength", 7),
        ["baseline:ramPasswordPolicy.minimumLength: 7 is out of range 8..32"],
    ),
    (
        "password length 33",
        put(PWD, "minimumLength", 33),
        ["baseline:ramPasswordPolicy.minimumLength: 33 is out of range 8..32"],
    ),
    (
        "password length as text",
        put(PWD, "minimumLength", "12"),
        ["baseline:ramPasswordPolicy.minimumLength: expected an integer, got string '12'"],
    ),
    (
        "bad CIDR",
        put(PREF, "loginNetworkMasks", ["10.0.0.0/8", "10.0.0.1/8"]),
        [
            "baseline:ramSecurityPreference.loginNetworkMasks[1]: '10.0.0.1/8' is not a CIDR network "
            "(10.0.0.1/8 has host bits set)"
        ],
    ),
    (
        "session duration 0",
        put(PREF, "loginSessionHours", 0),
        ["baseline:ramSecurityPreference.loginSessionHours: 0 is out of range 1..24"],
    ),
    (
        "session duration 25",
        put(PREF, "loginSessionHours", 25),
        ["baseline:ramSecurityPreference.loginSessionHours: 25 is out of range 1..24"],
    ),
    (
        "RAM request rate above the settable ceiling",
        put(RULE, "ramRequestsPerSecond", 101),
        ["baseline:complianceRule.ramRequestsPerSecond: 101 is out of range 1..100"],
    ),
    (
        "misspelled key",
        lambda c: c[RULE].__setitem__("dangerousActon", ["ecs:*"]),
        ["baseline:complianceRule.dangerousActon: unknown key (did you mean 'dangerousActions'?)"],
    ),
    (
        "misspelled section",
        lambda c: c.__setitem__("baseline:ramPasswordPolcy", {}),
        ["baseline:ramPasswordPolcy: unknown key (did you mean 'baseline:ramPasswordPolicy'?)"],
    ),
    (
        "unknown MFA mode",
        put(PREF, "mfaForLogin", "always"),
        [
            "baseline:ramSecurityPreference.mfaForLogin: 'always' is not one of "
            "mandatory, independent, adaptive"
        ],
    ),
    (
        "frequency",
        put(RULE, "maximumExecutionFrequency", "Two_Hours"),
        [
            "baseline:complianceRule.maximumExecutionFrequency: 'Two_Hours' is not one of "
            "One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours"
        ],
    ),
    (
        "timeout leaves no time budget",
        put(RULE, "timeoutSeconds", 30),
        ["baseline:complianceRule.timeoutSeconds: 30 is out of range 31..600"],
    ),
    (
        "memory not a multiple of 64",
        put(RULE, "memoryMb", 500),
        ["baseline:complianceRule.memoryMb: 500 is not a multiple of 64"],
    ),
    ("risk level", put(RULE, "riskLevel", 0), ["baseline:complianceRule.riskLevel: 0 is out of range 1..3"]),
    (
        "retry strategy",
        put(REM, "retryStrategy", "RETRY"),
        ["baseline:remediation.retryStrategy: 'RETRY' is not one of BACKOFF_RETRY, EXPONENTIAL_DECAY_RETRY"],
    ),
    (
        "dry run as text",
        put(REM, "dryRun", "yes"),
        ["baseline:remediation.dryRun: expected true or false, got string 'yes'"],
    ),
    (
        "FC name with a space",
        put(RULE, "functionName", "Ram User"),
        ["baseline:complianceRule.functionName: 'Ram User' is not a valid FC function name"],
    ),
    (
        "bad managed policy ARN",
        put(AWS, "managedPolicyArns", ["PowerUserAccess"]),
        ["baseline:aws.managedPolicyArns[0]: 'PowerUserAccess' is not an IAM policy ARN"],
    ),
    (
        "nested AWS password policy",
        lambda c: c[AWS]["passwordPolicy"].__setitem__("minimumLength", 5),
        ["baseline:aws.passwordPolicy.minimumLength: 5 is out of range 6..128"],
    ),
    (
        "section not a mapping",
        put_top(PWD, ["minimumLength"]),
        ["baseline:ramPasswordPolicy: expected a mapping, got a list"],
    ),
    (
        "log project without store",
        put(FC, "logProject", "audit-logs"),
        ["baseline:functionCompute.logStore: logProject and logStore must be set together"],
    ),
]


@pytest.mark.parametrize(("change", "expected"), [case[1:] for case in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_config_is_rejected_with_the_exact_key_and_reason(tmp_path, change, expected):
    config = dev_config()
    change(config)
    with pytest.raises(SettingsError) as caught:
        plan_with(tmp_path, config)
    assert list(caught.value.problems) == expected


def test_all_problems_are_reported_at_once(tmp_path):
    config = dev_config()
    config.pop("alicloud:region")
    config[PWD]["minimumLength"] = 7
    config[PREF]["loginSessionHours"] = 0
    with pytest.raises(SettingsError) as caught:
        plan_with(tmp_path, config)
    assert caught.value.problems == (
        "alicloud:region: required",
        "baseline:ramPasswordPolicy.minimumLength: 7 is out of range 8..32",
        "baseline:ramSecurityPreference.loginSessionHours: 0 is out of range 1..24",
    )


def test_invalid_yaml_is_a_settings_error(tmp_path):
    (tmp_path / "Pulumi.bad.yaml").write_text("config: [unclosed\n")
    with pytest.raises(SettingsError, match=r"^Pulumi.bad.yaml: not valid YAML"):
        build_plan("bad", stacks_dir=tmp_path)


def test_remediation_disabled_and_no_aws_section_plan_fewer_components(tmp_path):
    config = dev_config()
    config[REM]["enabled"] = False
    config.pop("baseline:notifications")  # no subscriber: no topic, delivery or subscription
    config.pop(AWS)
    config.pop("aws:region")
    types = {r["type"] for r in plan_with(tmp_path, config)["resources"]}
    assert {t for t in types if t.startswith("baseline:")} == {
        "baseline:alicloud:ConfigPrerequisites",
        "baseline:alicloud:MfaComplianceRule",
        "baseline:alicloud:RamSecurityBaseline",
    }
