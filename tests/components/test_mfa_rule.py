"""MfaComplianceRule under the mock engine: exact rule inputs, function, role and documents."""

from __future__ import annotations

import dataclasses
import datetime
import json

import pulumi
import pytest

from baseline.mocks import run_with_mocks
from components.mfa_rule import TYPE, MfaComplianceRule
from components.packaging import PackagingError
from components.settings import FunctionComputeSettings, UserExemption
from policies import Decision, Request, documents, evaluate, holds
from tests.components.support import ACCOUNT, FC2, FC3, REGION, RULE, ram_policy

RULE_TYPE = "alicloud:cfg/rule:Rule"


def build(fc, package, preview=True):
    return run_with_mocks(
        lambda: MfaComplianceRule("mfa", region=REGION, fc=fc, rule=RULE, package=package), preview=preview
    )


def test_fc3_rule_inputs_are_exactly_the_custom_rule_cloud_config_expects(rule_package):
    run = build(FC3, rule_package)
    assert run.one(RULE_TYPE).inputs == {
        "ruleName": "RamUserMFA",
        "description": RULE.description,
        "sourceOwner": "CUSTOM_FC",
        "sourceIdentifier": f"acs:fc:{REGION}:{ACCOUNT}:functions/RamDangerousPolicyUserBindMFA",
        "inputParameters": {"dangerousActions": "ecs:*,oss:*,log:*", "paths": "console,accessKey"},
        "configRuleTriggerTypes": "ConfigurationItemChangeNotification,ScheduledNotification",
        "maximumExecutionFrequency": "One_Hour",
        "resourceTypesScopes": ["ACS::RAM::User"],
        "riskLevel": 1,
    }


def test_narrowed_paths_exemptions_and_rates_reach_the_rule_and_its_function(rule_package):
    rule = dataclasses.replace(
        RULE,
        paths=("console",),
        ram_requests_per_second=50,
        credential_report_max_age_minutes=15,
        exempt_users=(
            UserExemption(name="breakglass", owner="sec-team", reason="emergency access",
                          expires=datetime.date(2027, 3, 31)),
        ),
    )
    run = run_with_mocks(
        lambda: MfaComplianceRule("mfa", region=REGION, fc=FC3, rule=rule, package=rule_package)
    )
    assert run.one(RULE_TYPE).inputs["inputParameters"]["paths"] == "console"
    env = run.one("alicloud:fc/v3Function:V3Function").inputs["environmentVariables"]
    assert json.loads(env["EXEMPT_USERS"]) == [
        {"name": "breakglass", "owner": "sec-team", "reason": "emergency access", "expires": "2027-03-31"}
    ]
    assert env["EXEMPT_USERS"] == (
        '[{"name":"breakglass","owner":"sec-team","reason":"emergency access","expires":"2027-03-31"}]'
    )
    assert (env["RAM_RPS_PER_API"], env["CREDENTIAL_REPORT_MAX_AGE_SECONDS"]) == ("50", "900")


def test_fc2_rule_source_identifier_names_service_and_function(rule_package):
    run = build(FC2, rule_package)
    assert run.one(RULE_TYPE).inputs["sourceIdentifier"] == (
        f"acs:fc:{REGION}:{ACCOUNT}:services/Ram_User.LATEST/functions/RamDangerousPolicyUserBindMFA"
    )


def test_fc3_function_has_role_code_environment_timeout_and_memory(rule_package):
    run = build(FC3, rule_package)
    function = run.one("alicloud:fc/v3Function:V3Function").inputs
    role = run.one("alicloud:ram/role:Role")
    assert function["functionName"] == "RamDangerousPolicyUserBindMFA"
    assert function["handler"] == "index.handler"
    assert function["runtime"] == "python3.10"
    assert function["role"] == f"acs:ram::{ACCOUNT}:role/ramdangerouspolicyuserbindmfa-role"
    assert role.inputs["roleName"] == "RamDangerousPolicyUserBindMFA-role"
    assert function["timeout"] == 300
    assert function["memorySize"] == 512
    assert function["internetAccess"] is True
    assert function["environmentVariables"] == {
        "ACCOUNT_ID": ACCOUNT,
        "CREDENTIAL_REPORT_MAX_AGE_SECONDS": "3600",
        "EXEMPT_USERS": "[]",
        "MEMBER_ACCOUNTS": "",  # no organization: the aggregate rule's sweep has no member to read
        "LOG_LEVEL": "INFO",
        "RAM_MAX_CONCURRENCY": "8",
        "RAM_RPS_PER_API": "80",
        "TIME_BUDGET_SECONDS": "270",
    }
    assert function["code"]["checksum"] == rule_package.crc64
    assert len(function["code"]["zipFile"]) == 4 * ((rule_package.size + 2) // 3)


def test_fc2_uses_a_service_with_the_role_and_a_function_from_the_zip_path(rule_package):
    run = build(FC2, rule_package)
    service = run.one("alicloud:fc/service:Service").inputs
    function = run.one("alicloud:fc/function:Function").inputs
    assert service["name"] == "Ram_User"
    assert service["role"] == f"acs:ram::{ACCOUNT}:role/ramdangerouspolicyuserbindmfa-role"
    assert "logConfig" not in service
    assert function["service"] == "Ram_User"
    assert function["name"] == "RamDangerousPolicyUserBindMFA"
    assert function["filename"] == str(rule_package.path)
    assert function["codeChecksum"] == rule_package.crc64
    assert function["environmentVariables"]["TIME_BUDGET_SECONDS"] == "270"


def test_log_settings_reach_the_function_when_configured(rule_package):
    fc = FunctionComputeSettings(generation=3, log_project="audit-logs", log_store="fc-logs")
    function = build(fc, rule_package).one("alicloud:fc/v3Function:V3Function").inputs
    assert function["logConfig"] == {
        "project": "audit-logs",
        "logstore": "fc-logs",
        "enableRequestMetrics": True,
    }


def test_role_carries_the_documents_and_the_engine_confirms_least_privilege(rule_package):
    run = build(FC3, rule_package)
    role = run.one("alicloud:ram/role:Role").inputs
    policy = run.one("alicloud:ram/policy:Policy").inputs
    attachment = run.one("alicloud:ram/rolePolicyAttachment:RolePolicyAttachment").inputs
    assert json.loads(role["assumeRolePolicyDocument"]) == documents.load("ram/fc-trust.json")
    assert json.loads(policy["policyDocument"]) == documents.for_account(
        documents.load("ram/mfa-rule-function.json"), "5123456789012345"
    )
    assert attachment == {
        "roleName": "RamDangerousPolicyUserBindMFA-role",
        "policyName": "RamDangerousPolicyUserBindMFA-role-policy",
        "policyType": "Custom",
    }
    granted = [ram_policy(policy["policyDocument"])]
    for forbidden in ("ram:Attach*", "ram:Create*", "ram:Update*", "ram:Delete*", "oss:*", "ecs:*", "sts:*"):
        assert holds(granted, forbidden).holds is False, forbidden
    own = "acs:ram:*:5123456789012345:user/alice"
    for needed, resource in (
        ("ram:ListUsers", own),
        ("ram:GetUserMFAInfo", own),
        ("ram:ListAccessKeys", own),
        ("config:PutEvaluations", "acs:config:ap-southeast-1:5123456789012345:*"),
    ):
        assert evaluate(granted, Request(needed, resource)).decision is Decision.ALLOWED, needed
        other = resource.replace("5123456789012345", "9999999999999999")
        assert evaluate(granted, Request(needed, other)).decision is Decision.IMPLICITLY_DENIED, needed


def test_every_child_has_the_component_as_parent(rule_package):
    run = build(FC2, rule_package)
    component = run.one(TYPE)
    children = [r for r in run.registrations() if r.type != TYPE]
    assert {r.parent for r in children} == {component.urn}
    assert len(children) == 6  # role, policy, attachment, service, function, rule


def test_two_instances_do_not_collide(rule_package):
    def program():
        MfaComplianceRule("a", region=REGION, fc=FC3, rule=RULE, package=rule_package)
        MfaComplianceRule("b", region=REGION, fc=FC3, rule=RULE, package=rule_package)

    run = run_with_mocks(program)
    urns = [r.urn for r in run.registrations()]
    assert len(urns) == len(set(urns)) == 12
    assert {r.name for r in run.by_type(RULE_TYPE)} == {"a-rule", "b-rule"}


def test_a_real_deployment_refuses_an_unvendored_package(unvendored_rule_package):
    with pytest.raises(pulumi.RunError) as caught:
        build(FC3, unvendored_rule_package, preview=False)
    assert str(caught.value) == (
        "function mfa_rule: its third-party libraries are not vendored (build/vendor/mfa_rule is missing); "
        "run `make vendor` before `pulumi up`"
    )
    assert isinstance(caught.value.__cause__, PackagingError)


def test_a_real_deployment_accepts_a_vendored_package(rule_package):
    run = build(FC3, rule_package, preview=False)
    assert run.one(RULE_TYPE).inputs["sourceOwner"] == "CUSTOM_FC"


def test_a_preview_of_an_unvendored_package_still_plans(unvendored_rule_package):
    run = build(FC3, unvendored_rule_package)
    assert (
        run.one("alicloud:fc/v3Function:V3Function").inputs["code"]["checksum"]
        == unvendored_rule_package.crc64
    )


def test_vcpus_reach_the_fc3_function_as_its_cpu_and_are_refused_on_fc2(rule_package):
    rule = dataclasses.replace(RULE, vcpus=1, memory_mb=1024)
    run = run_with_mocks(
        lambda: MfaComplianceRule("mfa", region=REGION, fc=FC3, rule=rule, package=rule_package)
    )
    function = run.one("alicloud:fc/v3Function:V3Function").inputs
    assert (function["cpu"], function["memorySize"]) == (1, 1024)
    assert "cpu" not in build(FC3, rule_package).one("alicloud:fc/v3Function:V3Function").inputs
    with pytest.raises(ValueError, match=r"FC 2\.0 sizes CPU by memory alone"):
        run_with_mocks(
            lambda: MfaComplianceRule("mfa", region=REGION, fc=FC2, rule=rule, package=rule_package)
        )
