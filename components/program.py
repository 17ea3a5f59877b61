"""The Pulumi program: validated settings in, the components out, a few outputs exported."""

from __future__ import annotations

from typing import Any

import pulumi

from components.settings import Settings, SettingsError, load_settings

# Logical names of the component instances (prefixes of every child's name).
MFA_RULE = "mfa-rule"
REMEDIATION = "oss-remediation"
RAM_BASELINE = "ram-baseline"
AWS_GROUP = "aws-mfa-group"
NOTIFICATIONS = "compliance-notifications"
ORGANIZATION = "organization"
CONFIG_PREREQUISITES = "config-prerequisites"


def build(settings: Settings) -> dict[str, Any]:
    """Create every component the settings ask for; return the stack outputs."""
    # Imported here so that `plan` reports invalid settings before paying for the providers.
    from components.aws_group import AwsMfaEnforcedGroup
    from components.config_prerequisites import ConfigPrerequisites
    from components.mfa_rule import RESOURCE_TYPES as RULE_RESOURCE_TYPES
    from components.mfa_rule import MfaComplianceRule
    from components.notifications import ComplianceNotifications
    from components.organization import OrganizationCompliance
    from components.ram_baseline import RamSecurityBaseline
    from components.remediation import MANAGED_RULE_RESOURCE_TYPES, NonComplianceRemediation

    region = settings.alicloud_region
    fc = settings.function_compute
    # First: every rule and delivery below waits for it (and a missing prerequisite the stack said
    # the account has stops the program here, before anything else is planned).
    config = ConfigPrerequisites(CONFIG_PREREQUISITES, settings=settings.config_prerequisites)
    after_config = [config]
    rule = MfaComplianceRule(
        MFA_RULE, region=region, fc=fc, rule=settings.compliance_rule, prerequisites=after_config,
        organization=settings.organization,
    )
    outputs: dict[str, Any] = {
        "fcGeneration": fc.generation,
        "mfaRuleName": rule.rule.rule_name,
        "mfaRuleId": rule.rule.config_rule_id,
        "mfaRuleFunctionArn": rule.function_arn,
        "mfaRuleRoleArn": rule.role_arn,
    }
    if settings.organization is not None:
        organization = OrganizationCompliance(
            ORGANIZATION,
            region=region,
            organization=settings.organization,
            rule=settings.compliance_rule,
            function_arn=rule.function_arn,
            function_role_arn=rule.role_arn,
            function_role_name=rule.role_name,
            prerequisites=after_config,
        )
        outputs.update(
            {
                "organizationAggregatorId": organization.aggregator.id,
                "organizationRuleName": organization.rule.aggregate_config_rule_name,
                "organizationRuleId": organization.rule.config_rule_id,
                "organizationMemberRoleArns": organization.member_role_arns,
            }
        )
    if settings.remediation.enabled:
        remediation = NonComplianceRemediation(
            REMEDIATION,
            region=region,
            fc=fc,
            remediation=settings.remediation,
            prerequisites=after_config,
        )
        outputs.update(
            {
                "remediationEngine": settings.remediation.engine,
                "remediationRuleName": remediation.rule.rule_name,
            }
        )
        if remediation.function_arn is not None:
            outputs.update(
                {
                    "remediationTopicArn": remediation.topic_arn,
                    "remediationFunctionArn": remediation.function_arn,
                    "remediationDryRun": settings.remediation.dry_run,
                }
            )
    if settings.notifications.subscribers:
        resource_types = list(RULE_RESOURCE_TYPES)
        if settings.remediation.enabled:
            resource_types += MANAGED_RULE_RESOURCE_TYPES
        notifications = ComplianceNotifications(
            NOTIFICATIONS,
            region=region,
            notifications=settings.notifications,
            resource_types=resource_types,
            prerequisites=after_config,
        )
        outputs["notificationTopicArn"] = notifications.topic_arn
    RamSecurityBaseline(
        RAM_BASELINE,
        password_policy=settings.ram_password_policy,
        security_preference=settings.ram_security_preference,
    )
    if settings.aws is not None:
        group = AwsMfaEnforcedGroup(AWS_GROUP, settings=settings.aws)
        outputs.update({"awsGroupName": group.group.name, "awsForceMfaPolicyArn": group.policy.arn})
    return outputs


def main() -> None:
    try:
        settings = load_settings()
    except SettingsError as exc:
        # RunError: Pulumi prints the message alone, not a traceback of the loader.
        raise pulumi.RunError(f"invalid stack configuration:\n{exc}") from exc
    for name, value in build(settings).items():
        pulumi.export(name, value)
