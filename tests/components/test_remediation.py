"""NonComplianceRemediation: topic, delivery, managed rule, function, trigger and its invoker role."""

from __future__ import annotations

import datetime
import json

import pytest

from baseline.mocks import run_with_mocks
from components.remediation import TYPE, NonComplianceRemediation
from components.settings import BucketExemption, RemediationSettings
from policies import Decision, Request, documents, evaluate, holds
from tests.components.support import ACCOUNT, FC2, FC3, REGION, REMEDIATION, ram_policy

TOPIC_ARN = f"acs:mns:{REGION}:{ACCOUNT}:/topics/MNSTestConfig"
FC2_ARN = f"acs:fc:{REGION}:{ACCOUNT}:services/resource_repair.LATEST/functions/oss_repair_acl_trigger"
FC3_ARN = f"acs:fc:{REGION}:{ACCOUNT}:functions/oss_repair_acl_trigger"


def build(fc, package, remediation=REMEDIATION):
    return run_with_mocks(
        lambda: NonComplianceRemediation(
            "fix", region=REGION, fc=fc, remediation=remediation, package=package
        )
    )


def test_delivery_sends_only_bucket_non_compliance_to_the_topic(remediation_package):
    run = build(FC3, remediation_package)
    assert run.one("alicloud:message/serviceTopic:ServiceTopic").inputs == {"topicName": "MNSTestConfig"}
    assert run.one("alicloud:cfg/delivery:Delivery").inputs == {
        "deliveryChannelName": "MNSTestConfig",
        "deliveryChannelType": "MNS",
        "deliveryChannelTargetArn": TOPIC_ARN,
        # Other rules' findings (the MFA rule's RAM users) never wake the remediation.
        "deliveryChannelCondition": (
            '[{"filterType":"ResourceType","values":["ACS::OSS::Bucket"],"multiple":true}]'
        ),
        "nonCompliantNotification": True,
        "configurationItemChangeNotification": False,
        "configurationSnapshot": False,
        "description": "Cloud Config non-compliance events for automatic remediation",
    }


def test_managed_rule_is_the_aliyun_public_read_rule(remediation_package):
    rule = build(FC3, remediation_package).one("alicloud:cfg/rule:Rule").inputs
    assert rule == {
        "ruleName": "oss-bucket-public-read-prohibited",
        "description": "OSS buckets must not be publicly readable",
        "sourceOwner": "ALIYUN",
        "sourceIdentifier": "oss-bucket-public-read-prohibited",
        "configRuleTriggerTypes": "ConfigurationItemChangeNotification",
        "resourceTypesScopes": ["ACS::OSS::Bucket"],
        "riskLevel": 1,
    }


@pytest.mark.parametrize(("dry_run", "expected"), [(True, "true"), (False, "false")])
def test_function_environment_names_the_rule_and_dry_run(remediation_package, dry_run, expected):
    settings = RemediationSettings(dry_run=dry_run, rule_name="test-oss-bucket-public-read-prohibited")
    function = build(FC3, remediation_package, settings).one("alicloud:fc/v3Function:V3Function").inputs
    assert function["environmentVariables"] == {
        "ACCOUNT_ID": ACCOUNT,
        "RULE_NAME": "test-oss-bucket-public-read-prohibited",
        "DRY_RUN": expected,
        "EXEMPT_BUCKETS": "[]",
        "LOG_LEVEL": "INFO",
        "TIME_BUDGET_SECONDS": "55",
    }


EXEMPT = (
    BucketExemption(name="www-site", owner="web", reason="static site", expires=datetime.date(2027, 3, 1)),
    BucketExemption(name="cdn-origin", owner="media", reason="CDN origin", expires=datetime.date(2027, 1, 1)),
)


def test_exempt_buckets_are_excluded_from_the_rule_and_handed_to_the_function(remediation_package):
    settings = RemediationSettings(exempt_buckets=EXEMPT)
    run = build(FC3, remediation_package, settings)
    assert run.one("alicloud:cfg/rule:Rule").inputs["excludeResourceIdsScope"] == "www-site,cdn-origin"
    env = run.one("alicloud:fc/v3Function:V3Function").inputs["environmentVariables"]
    assert [e["name"] for e in json.loads(env["EXEMPT_BUCKETS"])] == ["www-site", "cdn-origin"]


def test_oos_engine_uses_configs_own_remediation_and_deploys_no_function(remediation_package):
    settings = RemediationSettings(engine="oos", exempt_buckets=EXEMPT[:1])
    run = build(FC3, remediation_package, settings)
    rule = run.one("alicloud:cfg/rule:Rule").inputs
    assert rule["excludeResourceIdsScope"] == "www-site"
    remediation = run.one("alicloud:cfg/remediation:Remediation")
    # The rule's provider-assigned id (the mock derives it from the rule name, as Config's `cr-...`).
    rules = {r.urn for r in run.registrations() if r.type == "alicloud:cfg/rule:Rule"}
    assert remediation.dependencies & rules
    assert remediation.inputs["configRuleId"].startswith("cr-")
    assert remediation.inputs == {
        "configRuleId": remediation.inputs["configRuleId"],
        "remediationType": "OOS",
        "remediationSourceType": "ALIYUN",
        "remediationTemplateId": "ACS-OSS-PutBucketAcl",
        "invokeType": "AUTO_EXECUTION",
        "params": '{"bucketName":"{resourceId}","regionId":"{regionId}","permissionName":"private"}',
    }
    types = {r.type for r in run.registrations()}
    assert not types & {
        "alicloud:fc/v3Function:V3Function", "alicloud:fc/v3Trigger:V3Trigger", "alicloud:ram/role:Role",
        "alicloud:message/serviceTopic:ServiceTopic", "alicloud:cfg/delivery:Delivery",
    }


def test_fc3_pipeline_trigger_reads_the_delivered_topic(remediation_package):
    run = build(FC3, remediation_package)
    trigger = run.one("alicloud:fc/v3Trigger:V3Trigger").inputs
    delivery = run.one("alicloud:cfg/delivery:Delivery").inputs
    invoker = run.one("alicloud:ram/role:Role", "fix-trigger-role").inputs
    assert trigger["sourceArn"] == delivery["deliveryChannelTargetArn"] == TOPIC_ARN
    assert trigger == {
        "functionName": "oss_repair_acl_trigger",
        "qualifier": "LATEST",
        "triggerName": "ConfigRuleNonComplianceMNSTrigger",
        "triggerType": "mns_topic",
        "sourceArn": TOPIC_ARN,
        "invocationRole": f"acs:ram::{ACCOUNT}:role/oss-repair-acl-trigger-invoker",
        "triggerConfig": '{"notifyContentFormat": "JSON", "notifyStrategy": "BACKOFF_RETRY"}',
    }
    assert invoker["roleName"] == "oss-repair-acl-trigger-invoker"


def test_fc2_pipeline_uses_service_function_and_mns_trigger(remediation_package):
    settings = RemediationSettings(retry_strategy="EXPONENTIAL_DECAY_RETRY")
    run = build(FC2, remediation_package, settings)
    trigger = run.one("alicloud:fc/trigger:Trigger").inputs
    delivery = run.one("alicloud:cfg/delivery:Delivery").inputs
    assert trigger["sourceArn"] == delivery["deliveryChannelTargetArn"] == TOPIC_ARN
    assert run.one("alicloud:fc/service:Service").inputs["name"] == "resource_repair"
    assert run.one("alicloud:fc/function:Function").inputs["service"] == "resource_repair"
    assert trigger == {
        "service": "resource_repair",
        "function": "oss_repair_acl_trigger",
        "name": "ConfigRuleNonComplianceMNSTrigger",
        "type": "mns_topic",
        "sourceArn": TOPIC_ARN,
        "role": f"acs:ram::{ACCOUNT}:role/oss-repair-acl-trigger-invoker",
        "configMns": '{"notifyContentFormat": "JSON", "notifyStrategy": "EXPONENTIAL_DECAY_RETRY"}',
    }


@pytest.mark.parametrize(
    ("fc", "function_arn", "resources", "qualified", "others"),
    [
        (
            FC2,
            FC2_ARN,
            [FC2_ARN.replace(".LATEST/", ".*/")],
            FC2_ARN.replace(".LATEST", ".prod"),
            (
                FC2_ARN.replace("oss_repair_acl_trigger", "other"),
                FC2_ARN.replace("resource_repair.LATEST", "other_service.LATEST"),
                FC2_ARN.replace(ACCOUNT, "5999999999999999"),
            ),
        ),
        (
            FC3,
            FC3_ARN,
            [FC3_ARN, FC3_ARN + "/*"],
            FC3_ARN + "/LATEST",
            (
                FC3_ARN.replace("oss_repair_acl_trigger", "other"),
                FC3_ARN.replace("oss_repair_acl_trigger", "other") + "/LATEST",
                FC3_ARN.replace(ACCOUNT, "5999999999999999"),
            ),
        ),
    ],
)
def test_invoker_role_may_invoke_this_function_only(
    remediation_package, fc, function_arn, resources, qualified, others
):
    """The trigger's role: trusted by MNS, `fc:InvokeFunction` on this function (the resource forms FC
    authorizes a trigger's invocation against, qualifier included), no other function or account."""
    run = build(fc, remediation_package)
    role = run.one("alicloud:ram/role:Role", "fix-trigger-role").inputs
    policy = run.one("alicloud:ram/policy:Policy", "fix-trigger-policy").inputs
    attachment = run.one("alicloud:ram/rolePolicyAttachment:RolePolicyAttachment", "fix-trigger-attachment")
    assert json.loads(role["assumeRolePolicyDocument"]) == documents.load("ram/mns-trust.json")
    assert json.loads(policy["policyDocument"]) == {
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": "fc:InvokeFunction", "Resource": resources}],
    }
    assert attachment.inputs == {
        "roleName": "oss-repair-acl-trigger-invoker",
        "policyName": "oss-repair-acl-trigger-invoker-policy",
        "policyType": "Custom",
    }
    granted = [ram_policy(policy["policyDocument"])]
    for allowed in (function_arn, qualified):
        assert evaluate(granted, Request("fc:InvokeFunction", allowed)).decision is Decision.ALLOWED, allowed
    for other in others:
        decision = evaluate(granted, Request("fc:InvokeFunction", other)).decision
        assert decision is Decision.IMPLICITLY_DENIED, other
    assert holds(granted, "fc:InvokeFunction").witness == "fc:InvokeFunction"
    for forbidden in ("fc:Update*", "fc:Create*", "fc:Delete*", "fc:Get*", "ram:*", "mns:*", "sts:*"):
        assert holds(granted, forbidden).holds is False, forbidden


def test_remediation_role_only_reads_and_sets_bucket_acls(remediation_package):
    run = build(FC3, remediation_package)
    role = run.one("alicloud:ram/role:Role", "fix-fn-role").inputs
    policy = run.one("alicloud:ram/policy:Policy", "fix-fn-policy").inputs
    assert json.loads(role["assumeRolePolicyDocument"]) == documents.load("ram/fc-trust.json")
    assert json.loads(policy["policyDocument"])["Statement"][0]["Resource"] == f"acs:oss:*:{ACCOUNT}:*"
    granted = [ram_policy(policy["policyDocument"])]
    assert holds(granted, "oss:PutBucketAcl").holds is True
    for forbidden in ("oss:Delete*", "oss:PutObject*", "oss:PutBucketPolicy", "ram:*"):
        assert holds(granted, forbidden).holds is False, forbidden
    # Only this account's buckets: the same action on another account's bucket is not allowed.
    own = Request(action="oss:PutBucketAcl", resource=f"acs:oss:*:{ACCOUNT}:www-site")
    other = Request(action="oss:PutBucketAcl", resource="acs:oss:*:1999999999999999:www-site")
    assert evaluate(granted, own).decision == Decision.ALLOWED
    assert evaluate(granted, other).decision == Decision.IMPLICITLY_DENIED


@pytest.mark.parametrize("fc", [FC2, FC3])
def test_every_child_has_the_component_as_parent(remediation_package, fc):
    run = build(fc, remediation_package)
    component = run.one(TYPE)
    assert {r.parent for r in run.registrations() if r.type != TYPE} == {component.urn}


def test_two_instances_do_not_collide(remediation_package):
    def program():
        for name in ("a", "b"):
            NonComplianceRemediation(
                name, region=REGION, fc=FC2, remediation=REMEDIATION, package=remediation_package
            )

    registrations = run_with_mocks(program).registrations()
    urns = [r.urn for r in registrations]
    assert len(urns) == len(set(urns)) == 26
    assert sorted(r.name for r in registrations if r.name.startswith("b")) == [
        "b",
        "b-delivery",
        "b-fn-attachment",
        "b-fn-function",
        "b-fn-policy",
        "b-fn-role",
        "b-fn-service",
        "b-rule",
        "b-topic",
        "b-trigger",
        "b-trigger-attachment",
        "b-trigger-policy",
        "b-trigger-role",
    ]
