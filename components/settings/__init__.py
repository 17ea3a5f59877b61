"""Stack settings: declared once (`model`), loaded and validated once (`loader`), documented from
the declaration (`render`: the `config:` block of `Pulumi.yaml`, the key table of `stacks/README.md`).

Components import the frozen settings classes from here and never read config.
"""

from components.settings.loader import (
    NAMESPACE,
    SettingsError,
    flatten_for_pulumi,
    load_settings,
    load_stack_file,
    pulumi_config_values,
    read_stack_config,
    settings_from_config,
)
from components.settings.model import (
    EXEMPTION_WARNING_DAYS,
    RAM_API_QUOTA_PER_SECOND,
    TIME_BUDGET_RESERVE_SECONDS,
    AwsPasswordPolicySettings,
    AwsSettings,
    BucketExemption,
    ComplianceRuleSettings,
    ConfigPrerequisiteSettings,
    Exemption,
    FunctionComputeSettings,
    NotificationSettings,
    OrganizationSettings,
    PasswordRules,
    RamPasswordPolicySettings,
    RamSecurityPreferenceSettings,
    RemediationSettings,
    SecretUrl,
    Settings,
    UserExemption,
)

__all__ = [
    "EXEMPTION_WARNING_DAYS",
    "NAMESPACE",
    "RAM_API_QUOTA_PER_SECOND",
    "TIME_BUDGET_RESERVE_SECONDS",
    "AwsPasswordPolicySettings",
    "AwsSettings",
    "BucketExemption",
    "ComplianceRuleSettings",
    "ConfigPrerequisiteSettings",
    "Exemption",
    "FunctionComputeSettings",
    "NotificationSettings",
    "OrganizationSettings",
    "PasswordRules",
    "RamPasswordPolicySettings",
    "RamSecurityPreferenceSettings",
    "RemediationSettings",
    "SecretUrl",
    "Settings",
    "SettingsError",
    "UserExemption",
    "flatten_for_pulumi",
    "load_settings",
    "load_stack_file",
    "pulumi_config_values",
    "read_stack_config",
    "settings_from_config",
]
