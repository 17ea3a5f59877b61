"""`NonComplianceRemediation`: Cloud Config non-compliance events -> MNS topic -> remediation function.

Resources (children of the component): the `message.ServiceTopic`; a `cfg.Delivery` of
non-compliant notifications to that topic; the managed rule `oss-bucket-public-read-prohibited`
(`ALIYUN`) whose findings are remediated; the remediation function and its role (trusted by
Function Compute, holding `policies/documents/ram/oss-acl-remediation.json`); the MNS topic
trigger; and the trigger's invocation role (trusted by MNS, `fc:InvokeFunction` on this
function only).
"""

from __future__ import annotations

import pulumi
import pulumi_alicloud as alicloud

from components.arns import mns_topic_arn, ram_role_name
from components.fc import FunctionSpec, deploy_function, deploy_mns_trigger
from components.packaging import FunctionPackage, package_function
from components.roles import document_json, service_role
from components.settings import FunctionComputeSettings, RemediationSettings
from policies import documents

TYPE = "baseline:alicloud:NonComplianceRemediation"
MANAGED_RULE = "oss-bucket-public-read-prohibited"
MANAGED_RULE_RESOURCE_TYPES = ["ACS::OSS::Bucket"]


def remediation_environment(remediation: RemediationSettings) -> dict[str, str]:
    return {
        "RULE_NAME": remediation.rule_name,
        "DRY_RUN": "true" if remediation.dry_run else "false",
        "LOG_LEVEL": remediation.log_level,
    }


class NonComplianceRemediation(pulumi.ComponentResource):
    topic: alicloud.message.ServiceTopic
    topic_arn: pulumi.Output[str]
    delivery: alicloud.cfg.Delivery
    rule: alicloud.cfg.Rule
    function_arn: pulumi.Output[str]
    trigger: pulumi.CustomResource

    def __init__(
        self,
        name: str,
        *,
        region: str,
        fc: FunctionComputeSettings,
        remediation: RemediationSettings,
        package: FunctionPackage | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        package = package or package_function("oss_acl_remediation")
        child = pulumi.ResourceOptions(parent=self)
        account_id = alicloud.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id

        self.topic = alicloud.message.ServiceTopic(
            f"{name}-topic", topic_name=remediation.topic_name, opts=child
        )
        self.topic_arn = pulumi.Output.all(account_id, self.topic.topic_name).apply(
            lambda v: mns_topic_arn(region, v[0], v[1])
        )
        self.delivery = alicloud.cfg.Delivery(
            f"{name}-delivery",
            delivery_channel_name=remediation.topic_name,
            delivery_channel_type="MNS",
            delivery_channel_target_arn=self.topic_arn,
            non_compliant_notification=True,
            # Only findings: configuration changes and snapshots would flood the function.
            configuration_item_change_notification=False,
            configuration_snapshot=False,
            description="Cloud Config non-compliance events for automatic remediation",
            opts=child,
        )
        self.rule = alicloud.cfg.Rule(
            f"{name}-rule",
            rule_name=remediation.rule_name,
            description="OSS buckets must not be publicly readable",
            source_owner="ALIYUN",
            source_identifier=MANAGED_RULE,
            config_rule_trigger_types="ConfigurationItemChangeNotification",
            resource_types_scopes=MANAGED_RULE_RESOURCE_TYPES,
            risk_level=remediation.risk_level,
            opts=child,
        )
        function = deploy_function(
            f"{name}-fn",
            fc=fc,
            spec=FunctionSpec(
                function_name=remediation.function_name,
                service_name=remediation.service_name,
                description=f"Remediates {remediation.rule_name} findings sent to {remediation.topic_name}",
                timeout_seconds=remediation.timeout_seconds,
                memory_mb=remediation.memory_mb,
                environment=remediation_environment(remediation),
            ),
            package=package,
            policy_document=documents.load("ram/oss-acl-remediation.json"),
            role_description=f"Function Compute role remediating {remediation.rule_name} findings",
            region=region,
            account_id=account_id,
            parent=self,
        )
        invoker = service_role(
            f"{name}-trigger",
            role_name=ram_role_name(remediation.function_name, "invoker"),
            trust_document=documents.load("ram/mns-trust.json"),
            policy_document=function.arn.apply(
                lambda arn: document_json(documents.trigger_invoke_policy(arn))
            ),
            description=f"MNS topic {remediation.topic_name} invoking {remediation.function_name}",
            parent=self,
        )
        self.trigger = deploy_mns_trigger(
            f"{name}-trigger",
            function=function,
            trigger_name=remediation.trigger_name,
            topic_arn=self.topic_arn,
            invocation_role_arn=invoker.arn,
            retry_strategy=remediation.retry_strategy,
            parent=self,
            # MNS checks the role when the trigger is created, so its permission must exist first.
            depends_on=[invoker.attachment, function.role.attachment],
        )
        self.function_arn = function.arn
        self.register_outputs(
            {
                "topicArn": self.topic_arn,
                "ruleName": self.rule.rule_name,
                "functionArn": self.function_arn,
                "invokerRoleArn": invoker.arn,
                "packageSha256": package.sha256,
            }
        )
