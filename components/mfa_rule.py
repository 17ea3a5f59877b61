"""`MfaComplianceRule`: the custom Cloud Config rule that flags RAM users allowed dangerous
actions without MFA, with the function that evaluates it and the function's role.

Resources (children of the component): the role trusted by Function Compute holding
`policies/documents/ram/mfa-rule-function.json`, the function (FC 2.0 service + function, or
FC 3.0 function) and the `cfg.Rule` (`CUSTOM_FC`, triggered on change and on schedule, scoped
to `ACS::RAM::User`). Cloud Config invokes the function through its own service-linked role
(AliyunServiceRoleForConfig), so no invocation permission is created here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_alicloud as alicloud

from components.exemptions import exemptions_env
from components.fc import FunctionSpec, deploy_function
from components.packaging import FunctionPackage, package_function
from components.settings import ComplianceRuleSettings, FunctionComputeSettings, OrganizationSettings
from policies import documents

TYPE = "baseline:alicloud:MfaComplianceRule"
TRIGGER_TYPES = "ConfigurationItemChangeNotification,ScheduledNotification"
RESOURCE_TYPES = ["ACS::RAM::User"]


def rule_environment(
    rule: ComplianceRuleSettings,
    account_id: pulumi.Input[str],
    organization: OrganizationSettings | None = None,
) -> dict[str, pulumi.Input[str]]:
    """Environment of the rule function (never credentials: it runs on its role's STS token).
    MEMBER_ACCOUNTS is always set (empty without an organization), so the aggregate rule's sweep
    can never fall back to a default list of accounts."""
    members: dict[str, pulumi.Input[str]] = {"MEMBER_ACCOUNTS": ""}
    if organization is not None:
        members = {
            "MEMBER_ACCOUNTS": ",".join(organization.members),
            "MEMBER_ROLE_NAME": organization.member_role_name,
            "MEMBER_EXTERNAL_ID": organization.external_id,
            "ORG_MAX_ACCOUNTS_IN_FLIGHT": str(organization.max_accounts_in_flight),
            "SWEEP_PERIOD_HOURS": str(rule.sweep_period_hours),
        }
    return {
        **members,
        "ACCOUNT_ID": account_id,
        "CREDENTIAL_REPORT_MAX_AGE_SECONDS": str(rule.credential_report_max_age_minutes * 60),
        "EXEMPT_USERS": exemptions_env(rule.exempt_users),
        "LOG_LEVEL": rule.log_level,
        "RAM_MAX_CONCURRENCY": str(rule.ram_max_concurrency),
        "RAM_RPS_PER_API": str(rule.ram_requests_per_second),
        "TIME_BUDGET_SECONDS": str(rule.time_budget_seconds),
    }


def rule_parameters(rule: ComplianceRuleSettings, *, organization: bool = False) -> dict[str, str]:
    """The rule's input parameters: Cloud Config hands them to every evaluation (comma-joined text).
    The aggregate rule adds `accountScope: organization`: Config's event does not say which rule
    invoked the function, and only the aggregate rule's sweep may read the member accounts."""
    parameters = {"dangerousActions": ",".join(rule.dangerous_actions), "paths": ",".join(rule.paths)}
    return {**parameters, "accountScope": "organization"} if organization else parameters


class MfaComplianceRule(pulumi.ComponentResource):
    rule: alicloud.cfg.Rule
    function_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    role_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        region: str,
        fc: FunctionComputeSettings,
        rule: ComplianceRuleSettings,
        package: FunctionPackage | None = None,
        prerequisites: Sequence[pulumi.Resource] = (),
        organization: OrganizationSettings | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        package = package or package_function("mfa_rule")
        account_id = alicloud.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id
        function = deploy_function(
            f"{name}-fn",
            fc=fc,
            spec=FunctionSpec(
                function_name=rule.function_name,
                service_name=rule.service_name,
                description=f"Evaluates the {rule.rule_name} Cloud Config rule",
                timeout_seconds=rule.timeout_seconds,
                memory_mb=rule.memory_mb,
                environment=rule_environment(rule, account_id, organization),
                vcpus=rule.vcpus,
            ),
            package=package,
            # RAM users, groups, policies and MFA devices of this account only; Resource "*" only
            # where the API has no resource-level permission (GetSecurityPreference).
            policy_document=account_id.apply(
                lambda account: documents.for_account(documents.load("ram/mfa-rule-function.json"), account)
            ),
            role_description=f"Function Compute role of the {rule.rule_name} Cloud Config rule",
            parent=self,
        )
        self.rule = alicloud.cfg.Rule(
            f"{name}-rule",
            rule_name=rule.rule_name,
            description=rule.description,
            source_owner="CUSTOM_FC",
            source_identifier=function.arn,
            input_parameters=rule_parameters(rule),
            config_rule_trigger_types=TRIGGER_TYPES,
            maximum_execution_frequency=rule.maximum_execution_frequency,
            resource_types_scopes=RESOURCE_TYPES,
            risk_level=rule.risk_level,
            # The function must be able to run (role attached), and Cloud Config be able to invoke
            # it (`prerequisites`: its service-linked role, recording), before the first evaluation.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[function.role.attachment, *function.resources, *prerequisites]
            ),
        )
        self.function_arn = function.arn
        self.role_arn = function.role.arn
        self.role_name = function.role.role.role_name
        self.register_outputs(
            {
                "ruleName": self.rule.rule_name,
                "functionArn": self.function_arn,
                "roleArn": self.role_arn,
                "packageSha256": package.sha256,
                "vendored": package.vendored,
            }
        )
