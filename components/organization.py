"""`OrganizationCompliance`: the MFA rule over the Resource Directory member accounts.

Resources (children of the component), all in the administrator account (the Resource Directory
management account or Config's delegated administrator: whichever account the stack deploys to)
unless noted:

- `cfg.Aggregator`: the account group, `RD` (global: every member, kept in sync) or `FOLDER`;
- `cfg.AggregateConfigRule`: the aggregate form of the MFA rule, running the same function with
  the same parameters, trigger types, scope and frequency as the single-account rule;
- a policy on the rule function's role allowing `sts:AssumeRole` on exactly the listed members'
  reader role (an attachment, so the function component stays unchanged);
- in each listed member, through a provider that assumes `deploymentRoleName` there (Resource
  Directory's `ResourceDirectoryAccountAccessRole` by default): the reader role, trusted only by
  the function's role with the deployment's ExternalId, allowed only the RAM reads of the rule
  (`policies.member_role`).

Why a role of our own rather than `ResourceDirectoryAccountAccessRole` at run time: that is the
role through which the management account administers the member (Resource Directory creates it,
trusting the management account; its permissions are not in the stored docs, so it is treated as
administrator-level: README "Organization scale-out"). A compliance function holding it in 200
accounts would be the organization's widest credential; the deploying identity uses it only to
create the narrow reader.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_alicloud as alicloud

from components.mfa_rule import RESOURCE_TYPES, TRIGGER_TYPES, rule_parameters
from components.roles import document_json, service_role
from components.settings import ComplianceRuleSettings, OrganizationSettings
from policies import documents
from policies.member_role import assume_member_roles_policy, member_reader_policy, member_trust_policy

TYPE = "baseline:alicloud:OrganizationCompliance"
DEPLOY_SESSION_NAME = "baseline-organization-deploy"


class OrganizationCompliance(pulumi.ComponentResource):
    aggregator: alicloud.cfg.Aggregator
    rule: alicloud.cfg.AggregateConfigRule
    member_role_arns: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        *,
        region: str,
        organization: OrganizationSettings,
        rule: ComplianceRuleSettings,
        function_arn: pulumi.Input[str],
        function_role_arn: pulumi.Input[str],
        function_role_name: pulumi.Input[str],
        prerequisites: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.aggregator = alicloud.cfg.Aggregator(
            f"{name}-group",
            aggregator_name=organization.aggregator_name,
            description=organization.description,
            aggregator_type=organization.aggregator_type,
            folder_id=organization.folder_id,
            opts=child,
        )
        assume_policy = alicloud.ram.Policy(
            f"{name}-assume-policy",
            policy_name=f"{organization.member_role_name}-assume",
            policy_document=document_json(
                assume_member_roles_policy(organization.members, organization.member_role_name)
            ),
            description="The MFA rule function may assume the reader role in the listed member accounts",
            force=True,
            opts=child,
        )
        assume_attachment = alicloud.ram.RolePolicyAttachment(
            f"{name}-assume-attachment",
            role_name=function_role_name,
            policy_name=assume_policy.policy_name,
            policy_type="Custom",
            opts=child,
        )
        trust = pulumi.Output.from_input(function_role_arn).apply(
            lambda arn: document_json(member_trust_policy(arn, organization.external_id))
        )
        function_document = documents.load("ram/mfa-rule-function.json")
        readers = []
        self.member_role_arns = {}
        for account_id in organization.members:
            provider = alicloud.Provider(
                f"{name}-{account_id}",
                region=region,
                assume_role=alicloud.ProviderAssumeRoleArgs(
                    role_arn=f"acs:ram::{account_id}:role/{organization.deployment_role_name}",
                    session_name=DEPLOY_SESSION_NAME,
                ),
                opts=child,
            )
            reader = service_role(
                f"{name}-{account_id}-reader",
                role_name=organization.member_role_name,
                trust_document=trust,
                policy_document=document_json(member_reader_policy(function_document, account_id)),
                description=f"Read-only RAM access for the {rule.rule_name} rule function",
                parent=self,
                provider=provider,
            )
            readers.append(reader.attachment)
            self.member_role_arns[account_id] = reader.arn
        self.rule = alicloud.cfg.AggregateConfigRule(
            f"{name}-rule",
            aggregator_id=self.aggregator.id,
            aggregate_config_rule_name=organization.rule_name,
            description=rule.description,
            source_owner="CUSTOM_FC",
            source_identifier=function_arn,
            input_parameters=rule_parameters(rule, organization=True),
            config_rule_trigger_types=TRIGGER_TYPES,
            maximum_execution_frequency=rule.maximum_execution_frequency,
            resource_types_scopes=RESOURCE_TYPES,
            risk_level=rule.risk_level,
            # The first evaluation runs on creation: the function must already be able to read members.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[assume_attachment, *readers, *prerequisites]
            ),
        )
        self.register_outputs(
            {
                "aggregatorId": self.aggregator.id,
                "aggregateRuleName": self.rule.aggregate_config_rule_name,
                "memberRoleArns": self.member_role_arns,
            }
        )
