"""OrganizationCompliance under the mock engine: exact account group and aggregate rule inputs,
the member reader roles (in the member accounts, read-only, narrowly trusted), the assume grant."""

from __future__ import annotations

import dataclasses
import json

import pytest

from baseline.mocks import run_with_mocks
from components.mfa_rule import MfaComplianceRule, rule_parameters
from components.organization import TYPE, OrganizationCompliance
from components.settings import OrganizationSettings
from policies import Decision, Request, documents, evaluate, holds
from policies.member_role import ACCOUNT_WIDE_ACTIONS
from tests.components.support import ACCOUNT, FC3, REGION, RULE, ram_policy

MEMBERS = ("1713220985230001", "1005320983490002")
ORG = OrganizationSettings(members=MEMBERS, external_id="org-mfa-1")
GROUP_TYPE = "alicloud:cfg/aggregator:Aggregator"
AGGREGATE_RULE_TYPE = "alicloud:cfg/aggregateConfigRule:AggregateConfigRule"
ROLE_TYPE = "alicloud:ram/role:Role"
POLICY_TYPE = "alicloud:ram/policy:Policy"
FUNCTION_ROLE_ARN = f"acs:ram::{ACCOUNT}:role/ramdangerouspolicyuserbindmfa-role"


def build(package, organization=ORG):
    def program():
        rule = MfaComplianceRule(
            "mfa", region=REGION, fc=FC3, rule=RULE, package=package, organization=organization
        )
        return OrganizationCompliance(
            "org", region=REGION, organization=organization, rule=RULE, function_arn=rule.function_arn,
            function_role_arn=rule.role_arn, function_role_name=rule.role_name,
        )

    return run_with_mocks(program)


def reader_roles(run):
    return [r for r in run.by_type(ROLE_TYPE) if r.name.startswith("org-")]


def test_account_group_inputs_are_exact(rule_package):
    assert build(rule_package).one(GROUP_TYPE).inputs == {
        "aggregatorName": "baseline-organization",
        "description": ORG.description,
        "aggregatorType": "RD",
    }


def test_aggregate_rule_is_the_single_account_rule_on_the_account_group(rule_package):
    # The single-account rule's exact inputs are asserted in test_mfa_rule.py; the aggregate rule
    # must equal them field for field (same function, parameters, triggers, scope, frequency).
    run = build(rule_package)
    single = dict(run.one("alicloud:cfg/rule:Rule").inputs)
    aggregate = dict(run.one(AGGREGATE_RULE_TYPE).inputs)
    assert aggregate.pop("aggregateConfigRuleName") == "RamUserMFA-org"
    assert aggregate.pop("aggregatorId").startswith("ca-")
    assert single.pop("ruleName") == "RamUserMFA"
    # ...but for `accountScope`, by which the function tells the aggregate rule's sweep apart.
    parameters = single.pop("inputParameters")
    assert aggregate.pop("inputParameters") == {**parameters, "accountScope": "organization"}
    assert aggregate == single
    assert rule_parameters(RULE, organization=True)["accountScope"] == "organization"
    assert aggregate["sourceOwner"] == "CUSTOM_FC"


def test_folder_group_names_its_folder(rule_package):
    folder = dataclasses.replace(ORG, aggregator_type="FOLDER", folder_id="fd-abc123")
    inputs = build(rule_package, folder).one(GROUP_TYPE).inputs
    assert (inputs["aggregatorType"], inputs["folderId"]) == ("FOLDER", "fd-abc123")


def test_each_member_gets_its_reader_role_through_a_provider_assuming_the_deployment_role(rule_package):
    run = build(rule_package)
    providers = {r.name: r for r in run.by_type("pulumi:providers:alicloud")}
    assert sorted(providers) == sorted(f"org-{m}" for m in MEMBERS)
    for member in MEMBERS:
        provider = providers[f"org-{member}"]
        assert json.loads(provider.inputs["assumeRole"]) == {
            "roleArn": f"acs:ram::{member}:role/ResourceDirectoryAccountAccessRole",
            "sessionName": "baseline-organization-deploy",
        }
        role = run.one(ROLE_TYPE, f"org-{member}-reader-role")
        assert role.provider is not None and role.provider.startswith(provider.urn + "::")
        assert role.inputs["roleName"] == "BaselineMfaRuleReader"
    # The function's own role stays in the administrator account (default provider).
    assert run.one(ROLE_TYPE, "mfa-fn-role").provider is None
    component = [r for r in run.registrations() if r.type == TYPE]
    assert len(component) == 1
    assert all(r.parent == component[0].urn for r in reader_roles(run))


def test_reader_trust_admits_only_the_function_role_with_the_external_id(rule_package):
    run = build(rule_package)
    for role in reader_roles(run):
        assert json.loads(role.inputs["assumeRolePolicyDocument"]) == {
            "Version": "1",
            "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"RAM": [FUNCTION_ROLE_ARN]},
                "Condition": {"StringEquals": {"sts:ExternalId": "org-mfa-1"}},
            }],
        }


def test_reader_policy_allows_the_rules_ram_reads_in_its_member_and_nothing_else(rule_package):
    run = build(rule_package)
    function_reads = sorted(
        a for s in documents.load("ram/mfa-rule-function.json")["Statement"] for a in s["Action"]
        if a.startswith("ram:")
    )
    for member in MEMBERS:
        policy = ram_policy(run.one(POLICY_TYPE, f"org-{member}-reader-policy").inputs["policyDocument"])
        for action in function_reads:
            resource = f"acs:ram:*:{member}:user/alice"
            assert evaluate([policy], Request(action, resource)).decision is Decision.ALLOWED, action
            if action.lower() in ACCOUNT_WIDE_ACTIONS:
                continue  # no resource-level permission (RAM authorization reference): Resource "*"
            other = f"acs:ram:*:{ACCOUNT}:user/alice"
            assert evaluate([policy], Request(action, other)).decision is not Decision.ALLOWED, action
        # No write, no other service, no `*`: every action it allows is one of the rule's reads.
        writes_and_others = ("ram:Create*", "ram:Attach*", "ram:Update*", "ram:PassRole", "config:*", "sts:*")
        for pattern in writes_and_others:
            assert not holds([policy], pattern, context={}).holds, pattern


def test_function_role_may_assume_exactly_the_listed_members_reader(rule_package):
    run = build(rule_package)
    grant = ram_policy(run.one(POLICY_TYPE, "org-assume-policy").inputs["policyDocument"])
    for member in MEMBERS:
        arn = f"acs:ram::{member}:role/baselinemfarulereader"
        assert evaluate([grant], Request("sts:AssumeRole", arn)).decision is Decision.ALLOWED
    for arn in ("acs:ram::9999999999999999:role/baselinemfarulereader",
                f"acs:ram::{MEMBERS[0]}:role/resourcedirectoryaccountaccessrole"):
        assert evaluate([grant], Request("sts:AssumeRole", arn)).decision is not Decision.ALLOWED
    attachment = run.one("alicloud:ram/rolePolicyAttachment:RolePolicyAttachment", "org-assume-attachment")
    assert attachment.inputs == {
        "roleName": "RamDangerousPolicyUserBindMFA-role",
        "policyName": "BaselineMfaRuleReader-assume",
        "policyType": "Custom",
    }


def test_aggregate_rule_waits_for_every_reader_role_and_the_assume_grant(rule_package):
    run = build(rule_package)
    urns = {r.name: r.urn for r in run.registrations()}
    waits = run.one(AGGREGATE_RULE_TYPE).dependencies
    expected = {urns["org-assume-attachment"]} | {urns[f"org-{m}-reader-attachment"] for m in MEMBERS}
    assert expected <= waits


@pytest.mark.parametrize("member", ["171322098523****", "12345"])
def test_a_malformed_member_id_is_refused_before_any_document_is_built(member):
    from policies.member_role import member_reader_policy

    with pytest.raises(ValueError, match="account_id"):
        member_reader_policy(documents.load("ram/mfa-rule-function.json"), member)


def test_the_rule_function_is_told_the_members_their_role_and_external_id(rule_package):
    env = build(rule_package).one("alicloud:fc/v3Function:V3Function").inputs["environmentVariables"]
    assert {k: v for k, v in env.items() if k.startswith(("MEMBER_", "ORG_"))} == {
        "MEMBER_ACCOUNTS": ",".join(MEMBERS),
        "MEMBER_ROLE_NAME": "BaselineMfaRuleReader",
        "MEMBER_EXTERNAL_ID": "org-mfa-1",
        "ORG_MAX_ACCOUNTS_IN_FLIGHT": "8",
    }


@pytest.mark.parametrize(
    ("frequency", "hours"), [("One_Hour", "1"), ("Three_Hours", "3"), ("TwentyFour_Hours", "24")]
)
def test_the_rule_function_is_told_the_sweep_period_its_member_rotation_steps_by(
    rule_package, frequency, hours
):
    from functions.mfa_rule import settings as rule_settings

    rule = dataclasses.replace(RULE, maximum_execution_frequency=frequency)
    run = run_with_mocks(
        lambda: MfaComplianceRule(
            "mfa", region=REGION, fc=FC3, rule=rule, package=rule_package, organization=ORG
        )
    )
    env = run.one("alicloud:fc/v3Function:V3Function").inputs["environmentVariables"]
    assert env["SWEEP_PERIOD_HOURS"] == hours
    assert rule_settings.from_env(env).sweep_period_hours == int(hours)
