"""The guardrails, as plain functions over (resource type, engine-named props, config).

Each check returns the list of violation messages for one resource; an empty list means
it passes. `props` are the resource inputs as the Pulumi engine sees them (camelCase
names from the provider schema), which is what CrossGuard's `ResourceValidationArgs.props`
carries at `pulumi preview` and what `baseline.plan.build_plan()` records, so the pack
(`policies/guard/pack.py`) and the offline `plan` (`policies/guard/runner.py`) run the
same code. Standard library and the `policies` engine only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from policies import (
    OTHER_KEYS_UNKNOWN,
    Decision,
    Policy,
    PolicyError,
    Request,
    evaluate,
    holds,
    parse_policy,
)
from policies.action_patterns import check_action_patterns
from policies.guard.config import ADVISORY, MANDATORY, GuardConfig
from policies.guard.credentials import classify

V3_FUNCTION = "alicloud:fc/v3Function:V3Function"
FC2_FUNCTION = "alicloud:fc/function:Function"
RAM_POLICY = "alicloud:ram/policy:Policy"
RAM_ROLE_POLICY_ATTACHMENT = "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment"
CONFIG_RULE = "alicloud:cfg/rule:Rule"
AGGREGATE_CONFIG_RULE = "alicloud:cfg/aggregateConfigRule:AggregateConfigRule"
RAM_ROLE = "alicloud:ram/role:Role"
AWS_IAM_POLICY = "aws:iam/policy:Policy"
OSS_BUCKET = "alicloud:oss/bucket:Bucket"
OSS_BUCKET_ACL = "alicloud:oss/bucketAcl:BucketAcl"
RAM_PASSWORD_POLICY = "alicloud:ram/passwordPolicy:PasswordPolicy"  # noqa: S105 - a type token
RAM_SECURITY_PREFERENCE = "alicloud:ram/securityPreference:SecurityPreference"
FUNCTION_TYPES = (V3_FUNCTION, FC2_FUNCTION)

Props = Mapping[str, Any]
CheckFn = Callable[[str, Props, GuardConfig], list[str]]


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    level: str
    resource_types: tuple[str, ...]
    run: CheckFn


def _name(props: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = props.get(key)
        if isinstance(value, str) and value:
            return value
    return "<unnamed>"


def _function_name(resource_type: str, props: Mapping[str, Any]) -> str:
    # FC 3.0 names its function `functionName`; the FC 2.0 resource calls it `name`.
    return _name(props, "functionName" if resource_type == V3_FUNCTION else "name")


def _as_int(value: Any) -> Any:
    """Integral numbers as int: CrossGuard hands numbers over as floats (protobuf Struct)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def plain(value: Any) -> Any:
    """`value` as plain JSON data: dicts, lists, integral numbers as int.

    CrossGuard wraps nested inputs in read-only `Mapping`/`Sequence` proxies (and its config
    arrives with float numbers); the engine and `json` want dicts and lists. Only call this on
    the one property a check reads: the proxy raises on values unknown at preview, and an
    unrelated unknown property must not stop a check.
    """
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(item) for item in value]
    return _as_int(value)


def _env(props: Mapping[str, Any]) -> Mapping[str, Any]:
    env = props.get("environmentVariables")
    return env if isinstance(env, Mapping) else {}


# --- mandatory -------------------------------------------------------------------------------

def function_env_no_credentials(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    function = _function_name(resource_type, props)
    messages = []
    for name in sorted(_env(props)):
        finding = classify(name, _env(props)[name])
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
_DOC_VERSION = {"ram": "1", "aws": "2012-10-17"}
# The read-only RAM actions; every other `ram:` action changes identities or their grants.
RAM_READ_PATTERNS = ("ram:Get*", "ram:List*")
# System policies that make any role an administrator of the account or of RAM.
ADMIN_SYSTEM_POLICIES = {
    "administratoraccess": "grants every action",
    "aliyunramfullaccess": "grants RAM write actions",
}


class DocumentError(ValueError):
    """A policy document property that is not a JSON object."""


def _document(value: Any) -> Mapping[str, Any]:
    """The policy document as a dict (resources carry it as a JSON string, rarely as an object)."""
    value = plain(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(value, Mapping):
        raise DocumentError("expected a JSON object")
    return value


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, Mapping) else list(statements)


def allows_every_action(document: Mapping[str, Any], dialect: str) -> bool:
    """Whether the union of the document's Allow statements covers every action name.

    Decided with the engine: an `Allow *` probe minus each Allow statement's action language
    (turned into an unconditional `Deny` on `*`) holds no action exactly when that union is
    universal. Conditions and resources of the Allows are ignored on purpose: an Allow of
    every action under some condition or on some resource is still an administrator grant,
    and the document's own Denies do not make it least-privilege.
    """
    complement = []
    for statement in _statements(document):
        if statement.get("Effect") != "Allow":
            continue
        deny: dict[str, Any] = {"Effect": "Deny", "Resource": "*"}
        for key in ("Action", "NotAction"):
            if key in statement:
                deny[key] = statement[key]
        complement.append(deny)
    if not complement:
        return False
    probe = parse_policy(
        {"Version": _DOC_VERSION[dialect],
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, *complement]},
        dialect, name="allow-all-minus-document")
    return not holds([probe], "*", context={}, unknown_keys=()).holds


def _without_ram_reads(document: Mapping[str, Any], name: str) -> Policy:
    """The document plus an unconditional Deny of the RAM reads: what it still allows in `ram:` writes.

    The Denies go last, so the statement indexes `holds` reports are the document's own.
    """
    reads = {"Effect": "Deny", "Action": list(RAM_READ_PATTERNS), "Resource": "*"}
    return parse_policy({**document, "Statement": [*_statements(document), reads]}, "ram", name=name)


def _statement_label(result_statement: Any) -> str:
    if result_statement is None:
        return ""
    sid = f" {result_statement.sid!r}" if result_statement.sid else ""
    return f" (Statement[{result_statement.index}]{sid})"


def custom_ram_policies_least_privilege(
    resource_type: str, props: Mapping[str, Any], config: GuardConfig
) -> list[str]:
    if resource_type == RAM_ROLE_POLICY_ATTACHMENT:
        policy_name = _name(props, "policyName")
        reason = ADMIN_SYSTEM_POLICIES.get(policy_name.lower())
        if reason is None or str(props.get("policyType", "")).lower() != "system":
            return []
        role = _name(props, "roleName")
        return [f"role {role!r} is attached the system policy {policy_name!r}, which {reason}"]
    name = _name(props, "policyName", "name")
    raw = props.get("policyDocument", props.get("document"))
    if raw is None:
        return [f"RAM policy {name!r} has no policyDocument"]
    try:
        document = _document(raw)
        policy = parse_policy(document, "ram", name=name)
        if allows_every_action(document, "ram"):
            return [f"RAM policy {name!r} allows every action; grant only the actions the role needs"]
    except (DocumentError, PolicyError) as exc:
        # Fail closed: a document the engine cannot read cannot be shown to be safe.
        return [f"RAM policy {name!r} has an invalid document: {exc}"]
    for pattern in RAM_WRITE_PATTERNS:
        result = holds([policy], pattern, context={}, unknown_keys=OTHER_KEYS_UNKNOWN)
        if result.holds:
            return [
                f"RAM policy {name!r} allows RAM write actions matching {pattern!r}"
                f"{_statement_label(result.statement)}"
            ]
    # The verbs above name the usual writes; anything else in `ram:` that is not a read
    # (`ram:PassRole`, a verb RAM adds later) is a write too: fail closed.
    result = holds([_without_ram_reads(document, name)], "ram:*", context={}, unknown_keys=OTHER_KEYS_UNKNOWN)
    if result.holds:
        return [
            f"RAM policy {name!r} allows the RAM action {result.witness!r}, which is not "
            f"read-only ({', '.join(RAM_READ_PATTERNS)}){_statement_label(result.statement)}"
        ]
    return []


def config_rule_dangerous_actions(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    # Only custom function rules evaluate dangerousActions; managed rules take their own inputs.
    if str(props.get("sourceOwner", "")).upper() != "CUSTOM_FC":
        return []
    # The aggregate rule (organization scale-out) runs the same function: the same parameter checks.
    rule = _name(props, "ruleName", "aggregateConfigRuleName")
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


def cross_account_trust_narrow(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    """A role trusted by RAM identities (the organization's member reader) trusts single roles,
    never an account's `root` or `*`, and only with an `sts:ExternalId` condition."""
    role = _name(props, "roleName", "name")
    raw = props.get("assumeRolePolicyDocument", props.get("document"))
    if raw is None:
        return []
    try:
        document = _document(raw)
    except DocumentError as exc:
        return [f"RAM role {role!r} has an invalid trust policy: {exc}"]
    problems = []
    for index, statement in enumerate(_statements(document)):
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


@lru_cache(maxsize=1)
def _aws_allow_all() -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "aws", name="allow-all")


def aws_mfa_policy_denies_without_mfa(
    resource_type: str, props: Mapping[str, Any], config: GuardConfig
) -> list[str]:
    name = _name(props, "name")
    raw = plain(props.get("policy"))
    text = raw if isinstance(raw, str) else json.dumps(raw)
    # Applies to the policies that are about MFA (by name or by the MFA key they test).
    if "mfa" not in name.lower() and "multifactorauthpresent" not in text.lower():
        return []
    try:
        policy = parse_policy(_document(raw), "aws", name=name)
    except (DocumentError, PolicyError) as exc:
        return [f"AWS policy {name!r} has an invalid document: {exc}"]
    # With the key absent (long-term access keys never carry it) only BoolIfExists denies;
    # a plain Bool is false there and lets every API call through.
    cases = (({}, f"when {_MFA_KEY} is absent (access-key calls); use BoolIfExists, not Bool"),
             ({_MFA_KEY: "false"}, f"when {_MFA_KEY} is false"))
    messages = []
    for context, when in cases:
        for action, resource in MFA_PROBES:
            request = Request(action=action, resource=resource, context={"aws:username": "alice", **context})
            if evaluate([_aws_allow_all(), policy], request).decision != Decision.EXPLICITLY_DENIED:
                messages.append(f"AWS policy {name!r} does not deny {action!r} {when}")
                break
    return messages


PUBLIC_ACLS = ("public-read", "public-read-write")


def oss_bucket_not_public(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    acl = props.get("acl")
    if isinstance(acl, str) and acl.lower() in PUBLIC_ACLS:
        return [f"OSS bucket {_name(props, 'bucket')!r} has public ACL {acl!r}"]
    return []


# engine name -> (value when unset: the provider's documented default)
_PASSWORD_DEFAULTS = {
    "minimumPasswordLength": 8, "requireLowercaseCharacters": False, "requireUppercaseCharacters": False,
    "requireNumbers": False, "requireSymbols": False, "passwordReusePrevention": 0, "maxLoginAttemps": 0,
}


def ram_password_policy_floor(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    floor = config.password_floor

    def value(key: str) -> tuple[Any, str]:
        raw = _as_int(props.get(key))
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


# --- advisory --------------------------------------------------------------------------------

def ram_console_login_requires_mfa(
    resource_type: str, props: Mapping[str, Any], config: GuardConfig
) -> list[str]:
    mode = props.get("mfaOperationForLogin")
    # Only the current field counts: the provider deprecates `enforceMfaForLogin` as "no longer
    # supported by Aliyun", so a stack relying on it may not enforce MFA at all.
    if mode == "mandatory":
        return []
    shown = "unset (provider default 'independent')" if mode is None else repr(mode)
    return [f"RAM security preference does not require MFA for console login "
            f"(mfaOperationForLogin is {shown}, expected 'mandatory')"]


def ram_login_network_masks_set(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    masks = props.get("loginNetworkMasks")
    if isinstance(masks, str) and masks.strip(" ;"):
        return []
    return ["RAM security preference sets no loginNetworkMasks: console logon is allowed from any network"]


def ram_console_session_duration(resource_type: str, props: Props, config: GuardConfig) -> list[str]:
    hours = _as_int(props.get("loginSessionDuration"))
    if isinstance(hours, int) and not isinstance(hours, bool) and hours > config.max_session_hours:
        return [f"RAM security preference loginSessionDuration is {hours} hours, "
                f"above the limit of {config.max_session_hours}"]
    return []


def remediation_dry_run_outside_dev(
    resource_type: str, props: Mapping[str, Any], config: GuardConfig
) -> list[str]:
    dry_run = _env(props).get("DRY_RUN")
    if not isinstance(dry_run, str) or dry_run.strip().lower() != "true":
        return []
    if config.stack is not None and config.stack in config.dry_run_stacks:
        return []
    # An unknown stack counts as "outside dev": the check must not pass for lack of input.
    stack = "unknown" if config.stack is None else repr(config.stack)
    allowed = ", ".join(config.dry_run_stacks)
    return [f"function {_function_name(resource_type, props)!r} runs remediation in dry-run mode "
            f"(DRY_RUN=true) in stack {stack}; dry-run is expected only in: {allowed}"]


CHECKS: tuple[Check, ...] = (
    Check("function-env-no-credentials",
          "Function environment variables hold no access key id, secret or credential-named value.",
          MANDATORY, FUNCTION_TYPES, function_env_no_credentials),
    Check("custom-ram-policies-least-privilege",
          "No custom RAM policy in the stack (each is a function or trigger role's policy) allows every "
          "action or any RAM write action, and no role is attached AdministratorAccess/AliyunRAMFullAccess.",
          MANDATORY, (RAM_POLICY, RAM_ROLE_POLICY_ATTACHMENT), custom_ram_policies_least_privilege),
    Check("config-rule-dangerous-actions",
          "The custom MFA Config rule carries a non-empty, valid dangerousActions parameter.",
          MANDATORY, (CONFIG_RULE, AGGREGATE_CONFIG_RULE), config_rule_dangerous_actions),
    Check("cross-account-trust-narrow",
          "A role trusted by RAM identities (the organization's member reader role) trusts single "
          "roles, not an account or '*', and requires an sts:ExternalId.",
          MANDATORY, (RAM_ROLE,), cross_account_trust_narrow),
    Check("aws-mfa-policy-denies-without-mfa",
          "The AWS MFA group policy denies other actions without MFA, also for access-key calls "
          "(BoolIfExists).",
          MANDATORY, (AWS_IAM_POLICY,), aws_mfa_policy_denies_without_mfa),
    Check("oss-bucket-not-public",
          "No OSS bucket has a public-read or public-read-write ACL.",
          MANDATORY, (OSS_BUCKET, OSS_BUCKET_ACL), oss_bucket_not_public),
    Check("ram-password-policy-floor",
          "The RAM password policy is at least as strict as the configured floor.",
          MANDATORY, (RAM_PASSWORD_POLICY,), ram_password_policy_floor),
    Check("ram-console-login-requires-mfa",
          "RAM users must use MFA for console login (mfaOperationForLogin = mandatory).",
          ADVISORY, (RAM_SECURITY_PREFERENCE,), ram_console_login_requires_mfa),
    Check("ram-login-network-masks-set",
          "Console logon is restricted to known networks (loginNetworkMasks).",
          ADVISORY, (RAM_SECURITY_PREFERENCE,), ram_login_network_masks_set),
    Check("ram-console-session-duration",
          "RAM console sessions last no longer than the configured limit (default 12 hours).",
          ADVISORY, (RAM_SECURITY_PREFERENCE,), ram_console_session_duration),
    Check("remediation-dry-run-outside-dev",
          "Remediation runs for real (DRY_RUN=false) outside the dry-run stacks (default: dev).",
          ADVISORY, FUNCTION_TYPES, remediation_dry_run_outside_dev),
)
CHECK_NAMES: tuple[str, ...] = tuple(check.name for check in CHECKS)


def checks_for(resource_type: str) -> tuple[Check, ...]:
    return tuple(check for check in CHECKS if resource_type in check.resource_types)
