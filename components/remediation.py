"""`NonComplianceRemediation`: public OSS buckets found by Cloud Config are made private.

The managed rule `oss-bucket-public-read-prohibited` (`ALIYUN`, excluding exempt buckets through
`exclude_resource_ids_scope`) finds them; one of two engines fixes them:

- `function`: a `cfg.Delivery` of non-compliant notifications, filtered to `ACS::OSS::Bucket`
  (`deliveryChannelCondition`), to a `message.ServiceTopic`; the remediation function (its role
  holds `policies/documents/ram/oss-acl-remediation.json`) behind an MNS topic trigger and the
  trigger's invocation role (trusted by MNS, `fc:InvokeFunction` on this function only). The
  function re-reads each ACL, skips exempt buckets, acts only on its own account and writes one
  audit line per event; `dryRun` is possible.
- `oos`: Cloud Config's own `cfg.Remediation` with the OOS template `ACS-OSS-PutBucketAcl`
  (`permissionName: private`, run automatically); no topic, delivery, function or trigger.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_alicloud as alicloud

from components.arns import mns_topic_arn, ram_role_name
from components.exemptions import exemptions_env
from components.fc import FunctionSpec, deploy_function, deploy_mns_trigger
from components.packaging import FunctionPackage, package_function
from components.roles import document_json, service_role
from components.settings import FunctionComputeSettings, RemediationSettings
from policies import documents

TYPE = "baseline:alicloud:NonComplianceRemediation"
MANAGED_RULE = "oss-bucket-public-read-prohibited"
BUCKET_TYPE = "ACS::OSS::Bucket"
MANAGED_RULE_RESOURCE_TYPES = [BUCKET_TYPE]
# Config's official template; `{resourceId}`/`{regionId}` are filled from each finding (the
# CreateRemediation `Params` example of the Config 2020-09-07 API, alibabacloud_config20200907).
OOS_TEMPLATE = "ACS-OSS-PutBucketAcl"
OOS_PARAMS = {"bucketName": "{resourceId}", "regionId": "{regionId}", "permissionName": "private"}


def delivery_condition(resource_types: list[str]) -> str:
    """Only these resource types' findings reach the topic (format: cfg.Delivery docs)."""
    condition = [{"filterType": "ResourceType", "values": resource_types, "multiple": True}]
    return json.dumps(condition, separators=(",", ":"))


def remediation_environment(
    remediation: RemediationSettings, account_id: pulumi.Input[str]
) -> dict[str, pulumi.Input[str]]:
    return {
        "ACCOUNT_ID": account_id,
        "DRY_RUN": "true" if remediation.dry_run else "false",
        "EXEMPT_BUCKETS": exemptions_env(remediation.exempt_buckets),
        "LOG_LEVEL": remediation.log_level,
        "RULE_NAME": remediation.rule_name,
        "TIME_BUDGET_SECONDS": str(remediation.time_budget_seconds),
    }


def deliver_findings(
    name: str,
    *,
    channel_name: str,
    topic_arn: pulumi.Input[str],
    resource_types: list[str],
    description: str,
    opts: pulumi.ResourceOptions,
) -> alicloud.cfg.Delivery:
    """A Cloud Config delivery of NON_COMPLIANT findings of `resource_types` to an MNS topic."""
    return alicloud.cfg.Delivery(
        name,
        delivery_channel_name=channel_name,
        delivery_channel_type="MNS",
        delivery_channel_target_arn=topic_arn,
        delivery_channel_condition=delivery_condition(resource_types),
        non_compliant_notification=True,
        # Only findings: configuration changes and snapshots would flood the subscribers.
        configuration_item_change_notification=False,
        configuration_snapshot=False,
        description=description,
        opts=opts,
    )


class NonComplianceRemediation(pulumi.ComponentResource):
    rule: alicloud.cfg.Rule
    topic_arn: pulumi.Output[str] | None = None
    function_arn: pulumi.Output[str] | None = None
    remediation: alicloud.cfg.Remediation | None = None

    def __init__(
        self,
        name: str,
        *,
        region: str,
        fc: FunctionComputeSettings,
        remediation: RemediationSettings,
        package: FunctionPackage | None = None,
        prerequisites: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        # Config evaluates, delivers and remediates through its service-linked role, on recorded items.
        after_config = pulumi.ResourceOptions(parent=self, depends_on=list(prerequisites))
        exempt = [entry.name for entry in remediation.exempt_buckets]
        self.rule = alicloud.cfg.Rule(
            f"{name}-rule",
            rule_name=remediation.rule_name,
            description="OSS buckets must not be publicly readable",
            source_owner="ALIYUN",
            source_identifier=MANAGED_RULE,
            config_rule_trigger_types="ConfigurationItemChangeNotification",
            resource_types_scopes=MANAGED_RULE_RESOURCE_TYPES,
            # An OSS bucket's resource id is its name; exempt buckets are never evaluated.
            exclude_resource_ids_scope=",".join(exempt) if exempt else None,
            risk_level=remediation.risk_level,
            opts=after_config,
        )
        outputs: dict[str, pulumi.Input[object]] = {
            "ruleName": self.rule.rule_name,
            "engine": remediation.engine,
        }
        if remediation.engine == "oos":
            self.remediation = alicloud.cfg.Remediation(
                f"{name}-oos",
                config_rule_id=self.rule.config_rule_id,
                remediation_type="OOS",
                remediation_source_type="ALIYUN",
                remediation_template_id=OOS_TEMPLATE,
                invoke_type="AUTO_EXECUTION",
                params=json.dumps(OOS_PARAMS, separators=(",", ":")),
                opts=after_config,
            )
        else:
            outputs.update(self._function_pipeline(name, region, fc, remediation, package, after_config))
        self.register_outputs(outputs)

    def _function_pipeline(
        self,
        name: str,
        region: str,
        fc: FunctionComputeSettings,
        remediation: RemediationSettings,
        package: FunctionPackage | None,
        after_config: pulumi.ResourceOptions,
    ) -> dict[str, pulumi.Input[object]]:
        package = package or package_function("oss_acl_remediation")
        child = pulumi.ResourceOptions(parent=self)
        account_id = alicloud.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id
        topic = alicloud.message.ServiceTopic(f"{name}-topic", topic_name=remediation.topic_name, opts=child)
        topic_arn = pulumi.Output.all(account_id, topic.topic_name).apply(
            lambda v: mns_topic_arn(region, v[0], v[1])
        )
        deliver_findings(
            f"{name}-delivery",
            channel_name=remediation.topic_name,
            topic_arn=topic_arn,
            resource_types=MANAGED_RULE_RESOURCE_TYPES,
            description="Cloud Config non-compliance events for automatic remediation",
            opts=after_config,
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
                environment=remediation_environment(remediation, account_id),
            ),
            package=package,
            # OSS has bucket-level permissions: only this account's buckets (acs:oss:*:<account>:*).
            policy_document=account_id.apply(
                lambda account: documents.for_account(documents.load("ram/oss-acl-remediation.json"), account)
            ),
            role_description=f"Function Compute role remediating {remediation.rule_name} findings",
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
        deploy_mns_trigger(
            f"{name}-trigger",
            function=function,
            trigger_name=remediation.trigger_name,
            topic_arn=topic_arn,
            invocation_role_arn=invoker.arn,
            retry_strategy=remediation.retry_strategy,
            parent=self,
            # MNS checks the role when the trigger is created, so its permission must exist first.
            depends_on=[invoker.attachment, function.role.attachment],
        )
        self.topic_arn = topic_arn
        self.function_arn = function.arn
        return {
            "topicArn": topic_arn,
            "functionArn": function.arn,
            "invokerRoleArn": invoker.arn,
            "packageSha256": package.sha256,
        }
