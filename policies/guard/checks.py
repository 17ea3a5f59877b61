"""The guardrails: each a plain function over (resource type, engine-named props, config),
registered where it is defined.

**Adding a check**: write `def my_check(resource_type, props, config) -> list[str]` here (one
message per violation, `[]` when it passes), decorate it with
`@register("my-check", "what it requires", MANDATORY or ADVISORY, <type tokens from
resource_types>)`, add its name to `policies/guard/config/*.json` if a stack sets its level, and
test it in `tests/guard/test_checks.py`. Read properties with `policies.guard.props` (CrossGuard
and the offline plan hand them over differently) and ask document questions with
`policies.guard.algebra`.

`props` are what CrossGuard's `ResourceValidationArgs.props` carries at `pulumi preview` and
what `baseline.plan.build_plan()` records, so the pack (`policies/guard/pack.py`) and the
offline `plan` (`policies/guard/runner.py`) run the same code. Standard library and the
`policies` engine only.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any

from policies import OTHER_KEYS_UNKNOWN, Decision, PolicyError, Request, evaluate, holds, parse_policy
from policies.action_patterns import check_action_patterns
from policies.guard.algebra import (
    RAM_READ_PATTERNS,
    DocumentError,
    allows_every_action,
    aws_allow_all,
    document,
    statement_label,
    statements,
    without_ram_reads,
)
from policies.guard.config import ADVISORY, MANDATORY, GuardConfig
from policies.guard.credentials import classify
from policies.guard.props import Props, as_int, function_env, function_name, name_of, plain
from policies.guard.registry import Check, register, registered

# Re-exported: callers and tests name the type tokens through this module too.
from policies.guard.resource_types import (  # noqa: F401
    AGGREGATE_CONFIG_RULE,
    AWS_IAM_POLICY,
    CONFIG_RULE,
    FC2_FUNCTION,
    FUNCTION_TYPES,
    OSS_BUCKET,
    OSS_BUCKET_ACL,
    RAM_PASSWORD_POLICY,
    RAM_POLICY,
    RAM_ROLE,
    RAM_ROLE_POLICY_ATTACHMENT,
    RAM_SECURITY_PREFERENCE,
    V3_FUNCTION,
)

# --- mandatory -------------------------------------------------------------------------------

@register(
    "function-env-no-credentials",
    "Function environment variables hold no access key id, secret or credential-named value.",
    MANDATORY, *FUNCTION_TYPES,
)
def function_env_no_credentials(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    function = function_name(resource_type, props)
    messages = []
    for name in sorted(function_env(props)):
        finding = classify(name, function_env(props)[name])
        if finding is None:
            continue
        if finding.reason == "is named like a credential":
            messages.append(f"env var {name!r} of function {function!r} is named like a credential; "
                            "functions must use their role's STS credentials")
        else:
            messages.append(f"env var {name!r} of function {function!r} {finding.reason}")
    return messages


# RAM write verbs. `holds` decides each over the policy's wildcard languages, so `ram:*`,
# `ram:*Policy*` or `Allow NotAction ecs:*` are all caught without listing RAM's actions.
RAM_WRITE_PATTERNS = (
    "ram:Create*", "ram:Update*", "ram:Delete*", "ram:Attach*", "ram:Detach*", "ram:Set*",
    "ram:Clear*", "ram:Add*", "ram:Remove*", "ram:Bind*", "ram:Unbind*", "ram:Change*",
    "ram:Enable*", "ram:Disable*", "ram:Reset*", "ram:Put*", "ram:Upload*", "ram:Tag*", "ram:Untag*",
)
# System policies that make any role an administrator of the account or of RAM.
ADMIN_SYSTEM_POLICIES = {
    "administratoraccess": "grants every action",
    "aliyunramfullaccess": "grants RAM write actions",
}


@register(
    "custom-ram-policies-least-privilege",
    "No custom RAM policy in the stack (each is a function or trigger role's policy) allows every "
    "action or any RAM write action, and no role is attached AdministratorAccess/AliyunRAMFullAccess.",
    MANDATORY, RAM_POLICY, RAM_ROLE_POLICY_ATTACHMENT,
)
def custom_ram_policies_least_privilege(
    resource_type: str, props: Props, config: GuardConfig
) -> list[str]:
    if resource_type == RAM_ROLE_POLICY_ATTACHMENT:
        policy_name = name_of(props, "policyName")
        reason = ADMIN_SYSTEM_POLICIES.get(policy_name.lower())
        if reason is None or str(props.get("policyType", "")).lower() != "system":
            return []
        role = name_of(props, "roleName")
        return [f"role {role!r} is attached the system policy {policy_name!r}, which {reason}"]
    name = name_of(props, "policyName", "name")
    raw = props.get("policyDocument", props.get("document"))
    if raw is None:
        return [f"RAM policy {name!r} has no policyDocument"]
    try:
        doc = document(raw)
        policy = parse_policy(doc, "ram", name=name)
        if allows_every_action(doc, "ram"):
            return [f"RAM policy {name!r} allows every action; grant only the actions the role needs"]
    except (DocumentError, PolicyError) as exc:
        # Fail closed: a document the engine cannot read cannot be shown to be safe.
        return [f"RAM policy {name!r} has an invalid document: {exc}"]
    for pattern in RAM_WRITE_PATTERNS:
        result = holds([policy], pattern, context={}, unknown_keys=OTHER_KEYS_UNKNOWN)
        if result.holds:
            return [
                f"RAM policy {name!r} allows RAM write actions matching {pattern!r}"
                f"{statement_label(result.statement)}"
            ]
    # The verbs above name the usual writes; anything else in `ram:` that is not a read
    # (`ram:PassRole`, a verb RAM adds later) is a write too: fail closed.
    result = holds([without_ram_reads(doc, name)], "ram:*", context={}, unknown_keys=OTHER_KEYS_UNKNOWN)
    if result.holds:
        return [
            f"RAM policy {name!r} allows the RAM action {result.witness!r}, which is not "
            f"read-only ({', '.join(RAM_READ_PATTERNS)}){statement_label(result.statement)}"
        ]
    return []


@register(
    "config-rule-dangerous-actions",
    "The custom MFA Config rule carries a non-empty, valid dangerousActions parameter.",
    MANDATORY, CONFIG_RULE, AGGREGATE_CONFIG_RULE,
)
def config_rule_dangerous_actions(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    # Only custom function rules evaluate dangerousActions; managed rules take their own inputs.
    if str(props.get("sourceOwner", "")).upper() != "CUSTOM_FC":
        return []
    # The aggregate rule (organization scale-out) runs the same function: the same parameter checks.
    rule = name_of(props, "ruleName", "aggregateConfigRuleName")
    parameters = props.get("inputParameters")
    value = parameters.get("dangerousActions") if isinstance(parameters, Mapping) else None
    if value is None:
        return [f"Config rule {rule!r} has no dangerousActions input parameter"]
    if not isinstance(value, str):
        # cfg.Rule's inputParameters is a map of strings; the function splits the text on commas.
        return [f"Config rule {rule!r} dangerousActions: expected a comma-separated string"]
    # The same grammar the stack config and the rule function apply (policies.action_patterns).
    _, problems = check_action_patterns(value)
    return [f"Config rule {rule!r} {p.path('dangerousActions')}: {p.reason}" for p in problems]


# A RAM principal that names one role (not an account's `root`, not `*`).
_ROLE_PRINCIPAL = re.compile(r"^acs:ram::[0-9]+:role/[A-Za-z0-9.-]+$")
_EXTERNAL_ID_KEY = "sts:externalid"


def _has_external_id(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator, keys in condition.items():
        if str(operator) != "StringEquals" or not isinstance(keys, Mapping):
            continue
        for key, value in keys.items():
            values = value if isinstance(value, list) else [value]
            if str(key).lower() != _EXTERNAL_ID_KEY or not values:
                continue
            if all(isinstance(v, str) and v for v in values):
                return True
    return False


@register(
    "cross-account-trust-narrow",
    "A role trusted by RAM identities (the organization's member reader role) trusts single roles, "
    "not an account or '*', and requires an sts:ExternalId.",
    MANDATORY, RAM_ROLE,
)
def cross_account_trust_narrow(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    role = name_of(props, "roleName", "name")
    raw = props.get("assumeRolePolicyDocument", props.get("document"))
    if raw is None:
        return []
    try:
        trust = document(raw)
    except DocumentError as exc:
        return [f"RAM role {role!r} has an invalid trust policy: {exc}"]
    problems = []
    for index, statement in enumerate(statements(trust)):
        principal = statement.get("Principal")
        if statement.get("Effect") != "Allow" or not isinstance(principal, Mapping) or "RAM" not in principal:
            continue
        entries = principal["RAM"]
        for entry in entries if isinstance(entries, list) else [entries]:
            if not (isinstance(entry, str) and _ROLE_PRINCIPAL.match(entry)):
                problems.append(
                    f"RAM role {role!r} trusts {entry!r} (Statement[{index}]); trust one role "
                    "(acs:ram::<account>:role/<name>), not an account or '*'"
                )
        if not _has_external_id(statement):
            problems.append(
                f"RAM role {role!r} is trusted by another account's role without an "
                f"sts:ExternalId condition (Statement[{index}])"
            )
    return problems


# Actions an MFA-enforcing policy must deny without MFA, each on a resource it applies to.
# None of them is an MFA self-service action the policy is meant to leave open.
MFA_PROBES = (
    ("ec2:RunInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"),
    ("s3:GetObject", "arn:aws:s3:::example-bucket/report.csv"),
    ("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/alice"),
)
_MFA_KEY = "aws:MultiFactorAuthPresent"


@register(
    "aws-mfa-policy-denies-without-mfa",
    "The AWS MFA group policy denies other actions without MFA, also for access-key calls "
    "(BoolIfExists).",
    MANDATORY, AWS_IAM_POLICY,
)
def aws_mfa_policy_denies_without_mfa(
    resource_type: str, props: Props, config: GuardConfig
) -> list[str]:
    name = name_of(props, "name")
    raw = plain(props.get("policy"))
    text = raw if isinstance(raw, str) else json.dumps(raw)
    # Applies to the policies that are about MFA (by name or by the MFA key they test).
    if "mfa" not in name.lower() and "multifactorauthpresent" not in text.lower():
        return []
    try:
        policy = parse_policy(document(raw), "aws", name=name)
    except (DocumentError, PolicyError) as exc:
        return [f"AWS policy {name!r} has an invalid document: {exc}"]
    # With the key absent (long-term access keys never carry it) only BoolIfExists denies;
    # a plain Bool is false there and lets every API call through.
    cases: tuple[tuple[dict[str, str], str], ...] = (
        ({}, f"when {_MFA_KEY} is absent (access-key calls); use BoolIfExists, not Bool"),
        ({_MFA_KEY: "false"}, f"when {_MFA_KEY} is false"),
    )
    messages = []
    for context, when in cases:
        for action, resource in MFA_PROBES:
            request = Request(action=action, resource=resource, context={"aws:username": "alice", **context})
            if evaluate([aws_allow_all(), policy], request).decision != Decision.EXPLICITLY_DENIED:
                messages.append(f"AWS policy {name!r} does not deny {action!r} {when}")
                break
    return messages


PUBLIC_ACLS = ("public-read", "public-read-write")


@register(
    "oss-bucket-not-public",
    "No OSS bucket has a public-read or public-read-write ACL.",
    MANDATORY, OSS_BUCKET, OSS_BUCKET_ACL,
)
def oss_bucket_not_public(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    acl = props.get("acl")
    if isinstance(acl, str) and acl.lower() in PUBLIC_ACLS:
        return [f"OSS bucket {name_of(props, 'bucket')!r} has public ACL {acl!r}"]
    return []


# engine name -> (value when unset: the provider's documented default)
_PASSWORD_DEFAULTS = {
    "minimumPasswordLength": 8, "requireLowercaseCharacters": False, "requireUppercaseCharacters": False,
    "requireNumbers": False, "requireSymbols": False, "passwordReusePrevention": 0, "maxLoginAttemps": 0,
}


@register(
    "ram-password-policy-floor",
    "The RAM password policy is at least as strict as the configured floor.",
    MANDATORY, RAM_PASSWORD_POLICY,
)
def ram_password_policy_floor(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    floor = config.password_floor

    def value(key: str) -> tuple[Any, str]:
        raw = as_int(props.get(key))
        return (_PASSWORD_DEFAULTS[key], " (unset: provider default)") if raw is None else (raw, "")

    messages = []
    length, note = value("minimumPasswordLength")
    if length < floor.minimum_length:
        messages.append(f"RAM password policy minimumPasswordLength is {length}{note}, "
                        f"below the floor of {floor.minimum_length}")
    for key, required in (("requireLowercaseCharacters", floor.require_lowercase),
                          ("requireUppercaseCharacters", floor.require_uppercase),
                          ("requireNumbers", floor.require_numbers),
                          ("requireSymbols", floor.require_symbols)):
        actual, note = value(key)
        if required and actual is not True:
            messages.append(
                f"RAM password policy {key} is {json.dumps(actual)}{note}, the floor requires true")
    reuse, note = value("passwordReusePrevention")
    if reuse < floor.reuse_prevention:
        messages.append(f"RAM password policy passwordReusePrevention is {reuse}{note}, "
                        f"below the floor of {floor.reuse_prevention}")
    # The provider's field is spelled `maxLoginAttemps`; 0 disables the lockout altogether.
    attempts, note = value("maxLoginAttemps")
    if attempts == 0:
        messages.append(f"RAM password policy maxLoginAttemps is 0{note} (lockout disabled), "
                        f"the floor requires 1 to {floor.max_login_attempts}")
    elif attempts > floor.max_login_attempts:
        messages.append(f"RAM password policy maxLoginAttemps is {attempts}, "
                        f"above the floor of {floor.max_login_attempts}")
    return messages


def _resources(statement: Mapping[str, Any]) -> list[str]:
    value = statement.get("Resource", statement.get("NotResource"))
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


# Actions whose API reference lists no resource-level permission ("All Resources *"), so their
# statements can only say `Resource: "*"`: IMS GetSecurityPreference, GenerateCredentialReport and
# GetCredentialReport (https://help.aliyun.com/zh/ram/developer-reference/api-ims-2019-08-15-getsecuritypreference,
# .../api-ims-2019-08-15-generatecredentialreport, .../api-ims-2019-08-15-getcredentialreport) and
# STS GetCallerIdentity.
WILDCARD_RESOURCE_ACTIONS = frozenset(
    {
        "ram:getsecuritypreference",
        "ram:generatecredentialreport",
        "ram:getcredentialreport",
        "sts:getcalleridentity",
    }
)


@register(
    "role-policies-name-the-account",
    "Role policy resources name the deploying account (acs:<service>:<region>:<account>:...), never `*` "
    "for it; `Resource: \"*\"` is left to APIs without resource-level permissions.",
    MANDATORY, RAM_POLICY,
)
def role_policies_name_the_account(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    name = name_of(props, "policyName", "name")
    raw = props.get("policyDocument", props.get("document"))
    if raw is None:
        return []  # custom-ram-policies-least-privilege reports a missing document
    try:
        statements = document(raw).get("Statement", [])
    except DocumentError:
        return []  # reported by custom-ram-policies-least-privilege
    if isinstance(statements, Mapping):
        statements = [statements]
    messages = []
    for index, statement in enumerate(statements):
        for resource in _resources(statement) if isinstance(statement, Mapping) else []:
            parts = resource.split(":", 4)
            if len(parts) == 5 and parts[0] == "acs" and "*" in parts[3]:
                messages.append(f"RAM policy {name!r} Statement[{index}] resource {resource!r} wildcards the "
                                "account; name the deploying account instead")
            elif resource == "*" and statement.get("Effect") == "Allow":
                scoped = sorted(a for a in _actions(statement) if a.lower() not in WILDCARD_RESOURCE_ACTIONS)
                if scoped:
                    messages.append(f"RAM policy {name!r} Statement[{index}] allows {', '.join(scoped)} on "
                                    "`*`; those APIs take resource ARNs, so name this account's resources")
    return messages


def _actions(statement: Mapping[str, Any]) -> list[str]:
    value = statement.get("Action", statement.get("NotAction", []))
    if "NotAction" in statement:
        return ["NotAction"]  # everything but a list: never an API without resource-level permission
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def _not_global_because(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    for attribute, label in (("is_loopback", "loopback"), ("is_link_local", "link-local"),
                             ("is_multicast", "multicast"), ("is_unspecified", "unspecified"),
                             ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(network, attribute):
            return label
    return "not globally routable"


@register(
    "ram-login-network-masks-public",
    "loginNetworkMasks holds only public networks: a private, loopback or reserved range can never "
    "match a console sign-in and locks every RAM user out.",
    MANDATORY, RAM_SECURITY_PREFERENCE,
)
def ram_login_network_masks_public(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    """Console and SSO sign-ins reach RAM from the caller's public egress address; a private,
    loopback or reserved mask ("RAM users can only log on from the specified IP address") can
    never match one, so it locks every RAM user out of the console."""
    masks = props.get("loginNetworkMasks")
    if not isinstance(masks, str):
        return []
    messages = []
    for mask in (m.strip() for m in masks.split(";")):
        if not mask:
            continue
        try:
            network = ipaddress.ip_network(mask, strict=False)
        except ValueError:
            messages.append(f"RAM security preference loginNetworkMasks {mask!r} is not a CIDR network")
            continue
        if not network.is_global:
            messages.append(
                f"RAM security preference loginNetworkMasks {mask} is {_not_global_because(network)}: "
                "console sign-ins arrive from public addresses, so it would lock RAM users out "
                "(baseline:ramSecurityPreference.loginNetworkMasks: list the office's public egress CIDRs)")
    return messages


# --- advisory --------------------------------------------------------------------------------

@register(
    "fc3-custom-rule-unconfirmed",
    "A custom Config rule backed by an FC 3.0 function: no Cloud Config source confirms it invokes "
    "that ARN form (only services/<svc>.LATEST/functions/<fn> is documented).",
    ADVISORY, CONFIG_RULE,
)
def fc3_custom_rule_unconfirmed(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    if str(props.get("sourceOwner", "")).upper() != "CUSTOM_FC":
        return []
    source = props.get("sourceIdentifier")
    if not isinstance(source, str) or not source.startswith("acs:fc:") or ":services/" in source:
        return []
    rule = name_of(props, "ruleName")
    return [f"Config rule {rule!r} invokes the FC 3.0 function {source!r}: Cloud Config "
            "documents custom rules only with FC 2.0 ARNs (services/<svc>.LATEST/functions/<fn>); "
            "confirm the rule evaluates after deploying (README, \"After it\") or choose "
            "functionCompute.generation 2"]


@register(
    "ram-console-login-requires-mfa",
    "RAM users must use MFA for console login (mfaOperationForLogin = mandatory).",
    ADVISORY, RAM_SECURITY_PREFERENCE,
)
def ram_console_login_requires_mfa(
    resource_type: str, props: Props, config: GuardConfig
) -> list[str]:
    mode = props.get("mfaOperationForLogin")
    # Only the current field counts: the provider deprecates `enforceMfaForLogin` as "no longer
    # supported by Aliyun", so a stack relying on it may not enforce MFA at all.
    if mode == "mandatory":
        return []
    shown = "unset (provider default 'independent')" if mode is None else repr(mode)
    return [f"RAM security preference does not require MFA for console login "
            f"(mfaOperationForLogin is {shown}, expected 'mandatory')"]


@register(
    "ram-login-network-masks-set",
    "Console logon is restricted to known networks (loginNetworkMasks).",
    ADVISORY, RAM_SECURITY_PREFERENCE,
)
def ram_login_network_masks_set(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    masks = props.get("loginNetworkMasks")
    if isinstance(masks, str) and masks.strip(" ;"):
        return []
    return ["RAM security preference sets no loginNetworkMasks: console logon is allowed from any network"]


@register(
    "ram-console-session-duration",
    "RAM console sessions last no longer than the configured limit (default 12 hours).",
    ADVISORY, RAM_SECURITY_PREFERENCE,
)
def ram_console_session_duration(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    hours = as_int(props.get("loginSessionDuration"))
    if isinstance(hours, int) and not isinstance(hours, bool) and hours > config.max_session_hours:
        return [f"RAM security preference loginSessionDuration is {hours} hours, "
                f"above the limit of {config.max_session_hours}"]
    return []


# The rule function's and the remediation function's exemption lists (components/exemptions.py).
EXEMPTION_VARIABLES = ("EXEMPT_USERS", "EXEMPT_BUCKETS")
EXEMPTION_WARNING_DAYS = 14


@register(
    "exemptions-expiring-soon",
    f"No exemption (EXEMPT_USERS / EXEMPT_BUCKETS) expires within {EXEMPTION_WARNING_DAYS} days "
    "unnoticed: renew it deliberately or let it lapse.",
    ADVISORY, *FUNCTION_TYPES,
)
def exemptions_expiring_soon(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    today = config.current_day()
    env = function_env(props)
    messages = []
    for variable in EXEMPTION_VARIABLES:
        raw = env.get(variable)
        if not isinstance(raw, str):
            continue
        try:
            entries = json.loads(raw)
        except json.JSONDecodeError:
            messages.append(f"function {function_name(resource_type, props)!r} {variable} is not valid JSON")
            continue
        for entry in entries if isinstance(entries, list) else []:
            try:
                expires = datetime.date.fromisoformat(str(entry.get("expires")))
            except (AttributeError, ValueError):
                continue  # the plan's settings already refuse an entry without a valid date
            days = (expires - today).days
            if 0 <= days <= EXEMPTION_WARNING_DAYS:
                messages.append(
                    f"{variable} exemption {entry.get('name')!r} (owner {entry.get('owner')!r}) expires on "
                    f"{expires.isoformat()}, in {days} days: renew it or let it lapse")
    return messages


@register(
    "remediation-dry-run-outside-dev",
    "Remediation runs for real (DRY_RUN=false) outside the dry-run stacks (default: dev).",
    ADVISORY, *FUNCTION_TYPES,
)
def remediation_dry_run_outside_dev(
    resource_type: str, props: Props, config: GuardConfig
) -> list[str]:
    dry_run = function_env(props).get("DRY_RUN")
    if not isinstance(dry_run, str) or dry_run.strip().lower() != "true":
        return []
    if config.stack is not None and config.stack in config.dry_run_stacks:
        return []
    # An unknown stack counts as "outside dev": the check must not pass for lack of input.
    stack = "unknown" if config.stack is None else repr(config.stack)
    allowed = ", ".join(config.dry_run_stacks)
    return [f"function {function_name(resource_type, props)!r} runs remediation in dry-run mode "
            f"(DRY_RUN=true) in stack {stack}; dry-run is expected only in: {allowed}"]


# Every check above is registered by now; the registry's order is the order they run in.
CHECKS: tuple[Check, ...] = registered()
CHECK_NAMES: tuple[str, ...] = tuple(check.name for check in CHECKS)


def checks_for(resource_type: str) -> tuple[Check, ...]:
    return tuple(check for check in CHECKS if resource_type in check.resource_types)
