"""Each guard check: a passing and a violating input, with the exact message."""

from __future__ import annotations

import datetime
import json

import pytest

from policies.guard import checks
from policies.guard.config import GuardConfig, PasswordFloor
from tests.guard.samples import STRICT_PASSWORD, force_mfa_policy, ram_doc

CONFIG = GuardConfig(stack="dev")
# Built from parts so no credential-shaped literal sits in the repository.
FAKE_LTAI_ID = "LTAI" + "5tFakeFakeFake0"
FAKE_AKIA_ID = "AKIA" + "FAKE" * 4
FAKE_SECRET_30 = "Ab3" * 10
FAKE_AWS_SECRET_40 = "Ab3/" * 10


def v3_function(env: dict, name: str = "RamDangerousPolicyUserBindMFA") -> dict:
    return {
        "functionName": name,
        "handler": "index.handler",
        "runtime": "python3.10",
        "environmentVariables": env,
    }


def ram_policy(*statements: dict, name: str = "mfa-rule-function") -> dict:
    return {"policyName": name, "policyDocument": ram_doc(*statements)}


RULE_FUNCTION_STATEMENTS = (
    {
        "Effect": "Allow",
        "Action": [
            "ram:ListUsers",
            "ram:GetUser",
            "ram:ListPoliciesForUser",
            "ram:ListGroupsForUser",
            "ram:ListPoliciesForGroup",
            "ram:GetPolicy",
            "ram:GetPolicyVersion",
            "ram:GetUserMFAInfo",
            "ram:GetLoginProfile",
        ],
        "Resource": "*",
    },
    {"Effect": "Allow", "Action": "config:PutEvaluations", "Resource": "*"},
)


def run(check, resource_type: str, props: dict, config: GuardConfig = CONFIG) -> list[str]:
    return check(resource_type, props, config)


# --- function-env-no-credentials ------------------------------------------------------------


def test_function_env_with_only_settings_passes():
    env = {
        "LOG_LEVEL": "INFO",
        "RAM_MAX_CONCURRENCY": "8",
        "RAM_MAX_RPS": "20",
        "TIME_BUDGET_SECONDS": "270",
        "RULE_NAME": "oss-bucket-public-read-prohibited",
        "DRY_RUN": "false",
    }
    assert run(checks.function_env_no_credentials, checks.V3_FUNCTION, v3_function(env)) == []


def test_function_env_alibaba_key_id_is_reported_masked():
    messages = run(
        checks.function_env_no_credentials, checks.V3_FUNCTION, v3_function({"KEY_ID": FAKE_LTAI_ID})
    )
    assert messages == [
        "env var 'KEY_ID' of function 'RamDangerousPolicyUserBindMFA' looks like an "
        "Alibaba Cloud access key id (LTAI****)"
    ]
    assert FAKE_LTAI_ID not in messages[0]


def test_function_env_aws_key_id_inside_a_longer_value_is_reported():
    messages = run(
        checks.function_env_no_credentials,
        checks.FC2_FUNCTION,
        {"name": "legacy", "environmentVariables": {"CONN": f"id={FAKE_AKIA_ID};x=1"}},
    )
    assert messages == ["env var 'CONN' of function 'legacy' looks like an AWS access key id (AKIA****)"]


def test_function_env_thirty_character_secret_is_reported_without_its_value():
    messages = run(checks.function_env_no_credentials, checks.V3_FUNCTION, v3_function({"X": FAKE_SECRET_30}))
    assert messages == [
        "env var 'X' of function 'RamDangerousPolicyUserBindMFA' looks like an access key "
        "secret (30 characters, masked)"
    ]
    assert FAKE_SECRET_30[:5] not in messages[0]


def test_function_env_aws_secret_is_reported():
    messages = run(
        checks.function_env_no_credentials, checks.V3_FUNCTION, v3_function({"V": FAKE_AWS_SECRET_40})
    )
    assert messages == [
        "env var 'V' of function 'RamDangerousPolicyUserBindMFA' looks like an AWS secret "
        "access key (40 characters, masked)"
    ]


@pytest.mark.parametrize("name", ["AK", "SK", "DB_PASSWORD", "ALIBABA_CLOUD_ACCESS_KEY_ID", "api_token"])
def test_function_env_credential_named_variable_is_reported_even_with_a_harmless_value(name):
    messages = run(checks.function_env_no_credentials, checks.V3_FUNCTION, v3_function({name: "x"}, "f"))
    assert messages == [
        f"env var '{name}' of function 'f' is named like a credential; functions must use "
        "their role's STS credentials"
    ]


@pytest.mark.parametrize("name", ["CREDENTIALS", "DB_CREDENTIAL", "CREDENTIAL_FILE"])
def test_function_env_credential_names_are_reported(name):
    assert run(checks.function_env_no_credentials, checks.V3_FUNCTION, v3_function({name: "x"}, "f")) == [
        f"env var '{name}' of function 'f' is named like a credential; functions must use "
        "their role's STS credentials"
    ]


def test_function_env_credential_report_setting_is_not_a_credential():
    """The rule function's `CREDENTIAL_REPORT_MAX_AGE_SECONDS` configures RAM's credential report."""
    env = {"CREDENTIAL_REPORT_MAX_AGE_SECONDS": "3600"}
    assert run(checks.function_env_no_credentials, checks.V3_FUNCTION, v3_function(env)) == []


def test_function_env_thirty_lowercase_letters_is_not_a_secret():
    env = {"NAME": "abcdefghijklmnopqrstuvwxyzabcd"}
    assert run(checks.function_env_no_credentials, checks.V3_FUNCTION, v3_function(env)) == []


# --- custom-ram-policies-least-privilege -------------------------------------------------------


def test_rule_function_policy_passes_least_privilege():
    props = ram_policy(*RULE_FUNCTION_STATEMENTS)
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == []


def test_policy_allowing_star_is_reported():
    props = ram_policy({"Effect": "Allow", "Action": "*", "Resource": "*"}, name="too-broad")
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == [
        "RAM policy 'too-broad' allows every action; grant only the actions the role needs"
    ]


def test_policy_whose_allows_together_cover_every_action_is_reported():
    props = ram_policy(
        {"Effect": "Allow", "NotAction": "ecs:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "ECS:*", "Resource": "acs:ecs:*:*:instance/*"},
        name="split",
    )
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == [
        "RAM policy 'split' allows every action; grant only the actions the role needs"
    ]


def test_not_action_allow_that_leaves_one_service_out_is_not_every_action_but_grants_ram_writes():
    props = ram_policy({"Effect": "Allow", "NotAction": "ecs:*", "Resource": "*"}, name="not-ecs")
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == [
        "RAM policy 'not-ecs' allows RAM write actions matching 'ram:Create*' (Statement[0])"
    ]


def test_ram_write_by_wildcard_is_reported_with_the_granting_statement():
    props = ram_policy(
        *RULE_FUNCTION_STATEMENTS,
        {"Sid": "oops", "Effect": "Allow", "Action": "ram:*Policy*", "Resource": "*"},
        name="p",
    )
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == [
        "RAM policy 'p' allows RAM write actions matching 'ram:Create*' (Statement[2] 'oops')"
    ]


def test_ram_write_allowed_only_with_mfa_condition_is_still_reported():
    props = ram_policy(
        {
            "Effect": "Allow",
            "Action": "ram:AttachPolicyToRole",
            "Resource": "*",
            "Condition": {"Bool": {"acs:MFAPresent": "true"}},
        },
        name="p",
    )
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == [
        "RAM policy 'p' allows RAM write actions matching 'ram:Attach*' (Statement[0])"
    ]


def test_ram_action_outside_the_write_verbs_that_is_not_a_read_is_reported():
    """Fail closed: `ram:PassRole` starts with none of the write verbs, yet is no read."""
    props = ram_policy(
        {"Effect": "Allow", "Action": ["ram:GetUser", "ram:ListUsers"], "Resource": "*"},
        {"Sid": "pass", "Effect": "Allow", "Action": "ram:PassRole", "Resource": "*"},
        name="p",
    )
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == [
        "RAM policy 'p' allows the RAM action 'ram:PassRole', which is not read-only "
        "(ram:Get*, ram:List*) (Statement[1] 'pass')"
    ]


def test_ram_reads_denied_by_the_document_itself_stay_read_only():
    props = ram_policy(
        {"Effect": "Allow", "Action": "ram:*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["ram:Get*", "ram:List*"], "Resource": "*"},
        name="reads-only",
    )
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == []


def test_policy_document_given_as_an_object_is_checked_like_its_json_text():
    props = {
        "policyName": "obj",
        "policyDocument": {
            "Version": "1",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        },
    }
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == [
        "RAM policy 'obj' allows every action; grant only the actions the role needs"
    ]


def test_invalid_policy_document_fails_closed_with_the_path():
    props = ram_policy({"Effect": "Permit", "Action": "ram:GetUser", "Resource": "*"}, name="bad")
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == [
        "RAM policy 'bad' has an invalid document: Statement[0].Effect: expected Allow or Deny"
    ]


def test_policy_document_that_is_not_json_fails_closed():
    props = {"policyName": "bad", "policyDocument": "{not json"}
    assert run(checks.custom_ram_policies_least_privilege, checks.RAM_POLICY, props) == [
        "RAM policy 'bad' has an invalid document: invalid JSON: Expecting property name enclosed in "
        "double quotes at line 1 column 2"
    ]


def test_administrator_access_attachment_is_reported_and_custom_attachment_passes():
    admin = {"roleName": "fc-role", "policyName": "AdministratorAccess", "policyType": "System"}
    custom = {"roleName": "fc-role", "policyName": "mfa-rule-function", "policyType": "Custom"}
    check = checks.custom_ram_policies_least_privilege
    assert run(check, checks.RAM_ROLE_POLICY_ATTACHMENT, admin) == [
        "role 'fc-role' is attached the system policy 'AdministratorAccess', which grants every action"
    ]
    assert run(check, checks.RAM_ROLE_POLICY_ATTACHMENT, custom) == []


# --- config-rule-dangerous-actions -------------------------------------------------------------


def rule(parameters: dict | None, owner: str = "CUSTOM_FC") -> dict:
    props = {"ruleName": "RamUserMFA", "sourceOwner": owner}
    if parameters is not None:
        props["inputParameters"] = parameters
    return props


def test_config_rule_with_valid_dangerous_actions_passes():
    props = rule({"dangerousActions": "ecs:*,oss:*,log:*"})
    assert run(checks.config_rule_dangerous_actions, checks.CONFIG_RULE, props) == []


def test_managed_config_rule_is_not_subject_to_the_dangerous_actions_check():
    props = rule(None, owner="ALIYUN")
    assert run(checks.config_rule_dangerous_actions, checks.CONFIG_RULE, props) == []


def test_config_rule_without_dangerous_actions_is_reported():
    assert run(checks.config_rule_dangerous_actions, checks.CONFIG_RULE, rule(None)) == [
        "Config rule 'RamUserMFA' has no dangerousActions input parameter"
    ]


def test_config_rule_with_empty_dangerous_actions_is_reported():
    assert run(
        checks.config_rule_dangerous_actions, checks.CONFIG_RULE, rule({"dangerousActions": " , "})
    ) == ["Config rule 'RamUserMFA' dangerousActions: must not be empty"]


def test_config_rule_with_malformed_dangerous_action_names_its_index():
    props = rule({"dangerousActions": "ecs:*,ecs*,*"})
    assert run(checks.config_rule_dangerous_actions, checks.CONFIG_RULE, props) == [
        "Config rule 'RamUserMFA' dangerousActions[1]: 'ecs*' is not 'service:action'",
    ]


def test_config_rule_with_dangerous_actions_as_a_list_is_reported():
    """The provider's inputParameters is a map of strings; the function splits text on commas."""
    props = rule({"dangerousActions": ["ecs:*", "oss:*"]})
    assert run(checks.config_rule_dangerous_actions, checks.CONFIG_RULE, props) == [
        "Config rule 'RamUserMFA' dangerousActions: expected a comma-separated string"
    ]


# --- aws-mfa-policy-denies-without-mfa ---------------------------------------------------------


force_mfa = force_mfa_policy


def test_force_mfa_policy_with_bool_if_exists_passes():
    check = checks.aws_mfa_policy_denies_without_mfa
    assert run(check, checks.AWS_IAM_POLICY, force_mfa("BoolIfExists")) == []


def test_force_mfa_policy_with_plain_bool_lets_access_key_calls_through():
    check = checks.aws_mfa_policy_denies_without_mfa
    assert run(check, checks.AWS_IAM_POLICY, force_mfa("Bool")) == [
        "AWS policy 'force-mfa' does not deny 'ec2:RunInstances' when aws:MultiFactorAuthPresent is absent "
        "(access-key calls); use BoolIfExists, not Bool"
    ]


def test_mfa_named_policy_without_any_deny_is_reported_for_both_cases():
    props = {
        "name": "mfa-group",
        "policy": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iam:ListMFADevices", "Resource": "*"}],
            }
        ),
    }
    assert run(checks.aws_mfa_policy_denies_without_mfa, checks.AWS_IAM_POLICY, props) == [
        "AWS policy 'mfa-group' does not deny 'ec2:RunInstances' when aws:MultiFactorAuthPresent is absent "
        "(access-key calls); use BoolIfExists, not Bool",
        "AWS policy 'mfa-group' does not deny 'ec2:RunInstances' when aws:MultiFactorAuthPresent is false",
    ]


def test_force_mfa_policy_given_as_an_object_is_checked():
    props = {"name": "force-mfa", "policy": json.loads(force_mfa("Bool")["policy"])}
    assert run(checks.aws_mfa_policy_denies_without_mfa, checks.AWS_IAM_POLICY, props) == [
        "AWS policy 'force-mfa' does not deny 'ec2:RunInstances' when aws:MultiFactorAuthPresent is absent "
        "(access-key calls); use BoolIfExists, not Bool"
    ]


def test_unrelated_aws_policy_is_not_subject_to_the_mfa_check():
    props = {
        "name": "read-reports",
        "policy": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            }
        ),
    }
    assert run(checks.aws_mfa_policy_denies_without_mfa, checks.AWS_IAM_POLICY, props) == []


# --- oss-bucket-not-public ---------------------------------------------------------------------


def test_private_bucket_acl_passes_and_public_read_is_reported():
    check = checks.oss_bucket_not_public
    assert run(check, checks.OSS_BUCKET_ACL, {"bucket": "logs", "acl": "private"}) == []
    assert run(check, checks.OSS_BUCKET_ACL, {"bucket": "logs", "acl": "public-read"}) == [
        "OSS bucket 'logs' has public ACL 'public-read'"
    ]


def test_public_read_write_on_the_bucket_resource_is_reported():
    assert run(
        checks.oss_bucket_not_public, checks.OSS_BUCKET, {"bucket": "b", "acl": "public-read-write"}
    ) == ["OSS bucket 'b' has public ACL 'public-read-write'"]


# --- ram-password-policy-floor -----------------------------------------------------------------

def test_password_policy_at_the_floor_passes():
    assert run(checks.ram_password_policy_floor, checks.RAM_PASSWORD_POLICY, STRICT_PASSWORD) == []


def test_password_policy_below_the_floor_lists_every_weak_field():
    props = {
        **STRICT_PASSWORD,
        "minimumPasswordLength": 12,
        "requireSymbols": False,
        "passwordReusePrevention": 3,
        "maxLoginAttemps": 6,
    }
    assert run(checks.ram_password_policy_floor, checks.RAM_PASSWORD_POLICY, props) == [
        "RAM password policy minimumPasswordLength is 12, below the floor of 14",
        "RAM password policy requireSymbols is false, the floor requires true",
        "RAM password policy passwordReusePrevention is 3, below the floor of 5",
        "RAM password policy maxLoginAttemps is 6, above the floor of 5",
    ]


def test_empty_password_policy_is_judged_by_provider_defaults():
    assert run(checks.ram_password_policy_floor, checks.RAM_PASSWORD_POLICY, {}) == [
        "RAM password policy minimumPasswordLength is 8 (unset: provider default), below the floor of 14",
        "RAM password policy requireLowercaseCharacters is false (unset: provider default), "
        "the floor requires true",
        "RAM password policy requireUppercaseCharacters is false (unset: provider default), "
        "the floor requires true",
        "RAM password policy requireNumbers is false (unset: provider default), the floor requires true",
        "RAM password policy requireSymbols is false (unset: provider default), the floor requires true",
        "RAM password policy passwordReusePrevention is 0 (unset: provider default), below the floor of 5",
        "RAM password policy maxLoginAttemps is 0 (unset: provider default) (lockout disabled), "
        "the floor requires 1 to 5",
    ]


def test_password_floor_is_configurable():
    config = GuardConfig(stack="dev", password_floor=PasswordFloor(minimum_length=16, require_symbols=False))
    props = {**STRICT_PASSWORD, "requireSymbols": False}
    assert run(checks.ram_password_policy_floor, checks.RAM_PASSWORD_POLICY, props, config) == [
        "RAM password policy minimumPasswordLength is 14, below the floor of 16"
    ]


# --- advisory: security preference -------------------------------------------------------------


def test_console_login_mfa_mandatory_passes_and_independent_is_reported():
    check = checks.ram_console_login_requires_mfa
    assert run(check, checks.RAM_SECURITY_PREFERENCE, {"mfaOperationForLogin": "mandatory"}) == []
    assert run(check, checks.RAM_SECURITY_PREFERENCE, {"mfaOperationForLogin": "independent"}) == [
        "RAM security preference does not require MFA for console login "
        "(mfaOperationForLogin is 'independent', expected 'mandatory')"
    ]


def test_console_login_mfa_unset_is_reported_as_the_provider_default():
    assert run(checks.ram_console_login_requires_mfa, checks.RAM_SECURITY_PREFERENCE, {}) == [
        "RAM security preference does not require MFA for console login "
        "(mfaOperationForLogin is unset (provider default 'independent'), expected 'mandatory')"
    ]


def test_deprecated_enforce_mfa_for_login_alone_does_not_count():
    """The provider deprecates enforceMfaForLogin as no longer supported: it proves nothing."""
    assert run(
        checks.ram_console_login_requires_mfa, checks.RAM_SECURITY_PREFERENCE, {"enforceMfaForLogin": True}
    ) == [
        "RAM security preference does not require MFA for console login "
        "(mfaOperationForLogin is unset (provider default 'independent'), expected 'mandatory')"
    ]


def test_login_network_masks_set_passes_and_empty_is_reported():
    check = checks.ram_login_network_masks_set
    assert (
        run(check, checks.RAM_SECURITY_PREFERENCE, {"loginNetworkMasks": "10.0.0.0/8;192.168.0.0/16"}) == []
    )
    assert run(check, checks.RAM_SECURITY_PREFERENCE, {"loginNetworkMasks": ""}) == [
        "RAM security preference sets no loginNetworkMasks: console logon is allowed from any network"
    ]


def test_public_login_masks_pass():
    check = checks.ram_login_network_masks_public
    props = {"loginNetworkMasks": "198.51.100.0/24;47.88.0.0/16"}
    public = {"loginNetworkMasks": "47.88.0.0/16;2001:4860::/32"}
    assert run(check, checks.RAM_SECURITY_PREFERENCE, public) == []
    assert run(check, checks.RAM_SECURITY_PREFERENCE, {}) == []
    assert len(run(check, checks.RAM_SECURITY_PREFERENCE, props)) == 1  # 198.51.100.0/24 is TEST-NET-2


@pytest.mark.parametrize(
    ("mask", "why"),
    [("10.0.0.0/8", "private"), ("192.168.0.0/16", "private"), ("127.0.0.0/8", "loopback"),
     ("169.254.0.0/16", "link-local"), ("240.0.0.0/4", "reserved"),
     ("100.64.0.0/10", "not globally routable"),
     ("fd00::/8", "private")],
)
def test_login_masks_that_no_console_sign_in_can_match_are_refused_naming_the_key(mask, why):
    messages = run(checks.ram_login_network_masks_public, checks.RAM_SECURITY_PREFERENCE,
                   {"loginNetworkMasks": f"47.88.0.0/16;{mask}"})
    assert messages == [
        f"RAM security preference loginNetworkMasks {mask} is {why}: console sign-ins arrive from public "
        "addresses, so it would lock RAM users out (baseline:ramSecurityPreference.loginNetworkMasks: "
        "list the office's public egress CIDRs)"
    ]


def test_session_duration_within_limit_passes_and_over_is_reported():
    check = checks.ram_console_session_duration
    assert run(check, checks.RAM_SECURITY_PREFERENCE, {"loginSessionDuration": 12}) == []
    assert run(check, checks.RAM_SECURITY_PREFERENCE, {"loginSessionDuration": 24}) == [
        "RAM security preference loginSessionDuration is 24 hours, above the limit of 12"
    ]


def test_session_duration_given_as_a_float_by_crossguard_is_still_checked():
    assert run(
        checks.ram_console_session_duration, checks.RAM_SECURITY_PREFERENCE, {"loginSessionDuration": 13.0}
    ) == ["RAM security preference loginSessionDuration is 13 hours, above the limit of 12"]


# --- advisory: remediation dry-run -------------------------------------------------------------


def remediation(dry_run: str) -> dict:
    return v3_function(
        {"RULE_NAME": "oss-bucket-public-read-prohibited", "DRY_RUN": dry_run}, name="oss_repair_acl"
    )


def test_dry_run_in_dev_and_real_run_in_prod_pass():
    check = checks.remediation_dry_run_outside_dev
    assert run(check, checks.V3_FUNCTION, remediation("true"), GuardConfig(stack="dev")) == []
    assert run(check, checks.V3_FUNCTION, remediation("false"), GuardConfig(stack="prod")) == []


def test_dry_run_in_prod_is_reported():
    assert run(
        checks.remediation_dry_run_outside_dev,
        checks.V3_FUNCTION,
        remediation("true"),
        GuardConfig(stack="prod"),
    ) == [
        "function 'oss_repair_acl' runs remediation in dry-run mode (DRY_RUN=true) in stack 'prod'; "
        "dry-run is expected only in: dev"
    ]


def test_dry_run_with_unknown_stack_counts_as_outside_dev():
    assert run(
        checks.remediation_dry_run_outside_dev,
        checks.V3_FUNCTION,
        remediation("TRUE"),
        GuardConfig(stack=None),
    ) == [
        "function 'oss_repair_acl' runs remediation in dry-run mode (DRY_RUN=true) in stack unknown; "
        "dry-run is expected only in: dev"
    ]


# --- registry ----------------------------------------------------------------------------------


def test_registry_levels_match_the_issue():
    levels = {check.name: check.level for check in checks.CHECKS}
    assert levels == {
        "function-env-no-credentials": "mandatory",
        "custom-ram-policies-least-privilege": "mandatory",
        "config-rule-dangerous-actions": "mandatory",
        "cross-account-trust-narrow": "mandatory",
        "aws-mfa-policy-denies-without-mfa": "mandatory",
        "role-policies-name-the-account": "mandatory",
        "ram-login-network-masks-public": "mandatory",
        "fc3-custom-rule-unconfirmed": "advisory",
        "exemptions-expiring-soon": "advisory",
        "oss-bucket-not-public": "mandatory",
        "ram-password-policy-floor": "mandatory",
        "ram-console-login-requires-mfa": "advisory",
        "ram-login-network-masks-set": "advisory",
        "ram-console-session-duration": "advisory",
        "remediation-dry-run-outside-dev": "advisory",
    }


def test_checks_for_a_function_type_are_the_two_function_checks():
    assert [c.name for c in checks.checks_for(checks.V3_FUNCTION)] == [
        "function-env-no-credentials",
        "exemptions-expiring-soon",
        "remediation-dry-run-outside-dev",
    ]
    assert checks.checks_for("alicloud:ecs/instance:Instance") == ()


# --- exemptions-expiring-soon --------------------------------------------------------------------

def _exempt(expires: str, variable: str = "EXEMPT_BUCKETS") -> dict:
    entries = [{"name": "www-site", "owner": "web", "reason": "static site", "expires": expires}]
    return v3_function({variable: json.dumps(entries, separators=(",", ":"))}, "repair")


def test_an_exemption_expiring_within_14_days_is_an_advisory_naming_it():
    pinned = GuardConfig(today=datetime.date(2026, 12, 2))
    check = checks.exemptions_expiring_soon
    assert run(check, checks.V3_FUNCTION, _exempt("2026-12-16"), pinned) == [
        "EXEMPT_BUCKETS exemption 'www-site' (owner 'web') expires on 2026-12-16, in 14 days: "
        "renew it or let it lapse"
    ]
    assert run(check, checks.V3_FUNCTION, _exempt("2026-12-02", "EXEMPT_USERS"), pinned) == [
        "EXEMPT_USERS exemption 'www-site' (owner 'web') expires on 2026-12-02, in 0 days: "
        "renew it or let it lapse"
    ]


def test_an_exemption_expiring_later_or_no_exemptions_pass():
    pinned = GuardConfig(today=datetime.date(2026, 12, 2))
    assert run(checks.exemptions_expiring_soon, checks.V3_FUNCTION, _exempt("2026-12-17"), pinned) == []
    assert run(checks.exemptions_expiring_soon, checks.V3_FUNCTION, v3_function({"EXEMPT_USERS": "[]"}),
               pinned) == []


# --- role-policies-name-the-account ----------------------------------------------------------------

def test_role_policy_resources_naming_the_account_or_star_for_apis_without_resources_pass():
    props = ram_policy(
        {"Effect": "Allow", "Action": "oss:GetBucketAcl", "Resource": "acs:oss:*:5123456789012345:*"},
        {"Effect": "Allow", "Action": "config:PutEvaluations", "Resource": "acs:config:*:5123456789012345:*"},
        {"Effect": "Allow", "Action": ["ram:GetSecurityPreference", "ram:GetCredentialReport"],
         "Resource": "*"},
    )
    assert run(checks.role_policies_name_the_account, checks.RAM_POLICY, props) == []


def test_a_resource_wildcarding_the_account_is_refused_with_its_statement():
    props = ram_policy(
        {"Effect": "Allow", "Action": "ram:GenerateCredentialReport", "Resource": "*"},
        {"Effect": "Allow", "Action": ["oss:GetBucketAcl"], "Resource": ["acs:oss:*:*:*"]},
        name="repair-policy",
    )
    assert run(checks.role_policies_name_the_account, checks.RAM_POLICY, props) == [
        "RAM policy 'repair-policy' Statement[1] resource 'acs:oss:*:*:*' wildcards the account; "
        "name the deploying account instead"
    ]


def test_star_is_refused_for_apis_that_take_resource_arns():
    props = ram_policy(
        {"Effect": "Allow", "Action": ["config:PutEvaluations", "ram:GetSecurityPreference"],
         "Resource": "*"},
        {"Effect": "Allow", "NotAction": "ram:*", "Resource": "*"},
        name="rule-policy",
    )
    assert run(checks.role_policies_name_the_account, checks.RAM_POLICY, props) == [
        "RAM policy 'rule-policy' Statement[0] allows config:PutEvaluations on `*`; those APIs take "
        "resource ARNs, so name this account's resources",
        "RAM policy 'rule-policy' Statement[1] allows NotAction on `*`; those APIs take resource ARNs, "
        "so name this account's resources",
    ]


# --- fc3-custom-rule-unconfirmed -------------------------------------------------------------------

def test_a_custom_rule_on_an_fc3_function_gets_the_advisory_and_fc2_or_managed_rules_do_not():
    check = checks.fc3_custom_rule_unconfirmed
    fc3 = {"ruleName": "r", "sourceOwner": "CUSTOM_FC",
           "sourceIdentifier": "acs:fc:ap-southeast-1:5123456789012345:functions/f"}
    assert len(run(check, checks.CONFIG_RULE, fc3)) == 1
    fc2 = {**fc3, "sourceIdentifier": "acs:fc:ap-southeast-1:5123456789012345:services/s.LATEST/functions/f"}
    assert run(check, checks.CONFIG_RULE, fc2) == []
    managed = {"ruleName": "m", "sourceOwner": "ALIYUN",
               "sourceIdentifier": "oss-bucket-public-read-prohibited"}
    assert run(check, checks.CONFIG_RULE, managed) == []


def test_generating_the_credential_report_is_a_read_for_the_least_privilege_check():
    """ram:GenerateCredentialReport only rebuilds the read-only report; a real write still fails."""
    from policies.guard.checks import custom_ram_policies_least_privilege
    from policies.guard.config import GuardConfig

    def check(actions: list[str]) -> list[str]:
        doc = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        props = {"policyName": "p", "policyDocument": doc}
        return custom_ram_policies_least_privilege("alicloud:ram/policy:Policy", props, GuardConfig())

    assert check(["ram:GenerateCredentialReport", "ram:GetCredentialReport"]) == []
    assert check(["ram:GenerateCredentialReport", "ram:PassRole"]) == [
        "RAM policy 'p' allows the RAM action 'ram:PassRole', which is not read-only "
        "(ram:Get*, ram:List*) (Statement[0])"
    ]
