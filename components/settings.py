"""Stack settings: the one place that reads `pulumi.Config` (or a stack YAML file) and validates it.

Every field is checked once, here; components receive these frozen values and never see raw
config. `load_settings()` reads the running Pulumi program's config, `load_stack_file(path)`
reads `stacks/Pulumi.<stack>.yaml` for `plan`, the tests and the CLI, and both go through
`settings_from_config(mapping)`, so a file that plans is a file that deploys.

Problems are collected, not raised one at a time: `SettingsError.problems` lists every
`<full key>: <reason>` line (e.g. `baseline:complianceRule.dangerousActions[1]: 'ecs*' is not
'service:action'`). Unknown keys in the `baseline:` namespace are errors, with a suggestion when
the key looks like a typo of a known one.

The keys and their defaults are documented in `stacks/README.md`.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from policies.action_patterns import check_action_patterns

NAMESPACE = "baseline"

# RAM's per-account API flow control is not published; the default rate (20/s) stays well under
# any plausible quota, and a stack whose quota is larger may raise it this far (throttling that
# still happens is retried with backoff, so a too-high rate costs time, never a verdict).
MAX_RAM_RPS = 2000
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+$")
# Function Compute: letters, digits, `_` and `-`, starting with a letter or `_`, at most 64 (128 for FC 3).
FC_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
# MNS topic names: letters, digits and `-`, starting with a letter, at most 256.
TOPIC_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,255}$")
# Cloud Config rule names: 1..128 of letters, digits, `_`, `-` (the seeds use `RamUserMFA`).
RULE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
IAM_NAME_PATTERN = re.compile(r"^[\w+=,.@-]{1,128}$")
IAM_POLICY_ARN_PATTERN = re.compile(r"^arn:aws(-[a-z]+)*:iam::(aws|\d{12}):policy/[\w+=,.@/-]+$")

FC_GENERATIONS = (2, 3)
FC_RUNTIMES = ("python3.10",)
EXECUTION_FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
RETRY_STRATEGIES = ("BACKOFF_RETRY", "EXPONENTIAL_DECAY_RETRY")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MFA_FOR_LOGIN = ("mandatory", "independent", "adaptive")
# The rule function keeps 30 s of its timeout for reporting (TIME_BUDGET_SECONDS = timeout - 30).
TIME_BUDGET_RESERVE_SECONDS = 30
MAX_NETWORK_MASKS = 40
MAX_NETWORK_MASKS_LENGTH = 512


class SettingsError(ValueError):
    """Invalid stack configuration; `problems` holds one `<key>: <reason>` line per problem."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class FunctionComputeSettings:
    generation: int = 3
    runtime: str = "python3.10"
    log_project: str | None = None
    log_store: str | None = None


@dataclass(frozen=True)
class ComplianceRuleSettings:
    dangerous_actions: tuple[str, ...]
    rule_name: str = "RamUserMFA"
    description: str = "RAM users allowed dangerous actions without MFA must bind an MFA device"
    service_name: str = "Ram_User"
    function_name: str = "RamDangerousPolicyUserBindMFA"
    risk_level: int = 1
    timeout_seconds: int = 270
    memory_mb: int = 512
    maximum_execution_frequency: str = "One_Hour"
    log_level: str = "INFO"
    ram_max_concurrency: int = 8
    ram_max_rps: int = 20

    @property
    def time_budget_seconds(self) -> int:
        return self.timeout_seconds - TIME_BUDGET_RESERVE_SECONDS


@dataclass(frozen=True)
class RemediationSettings:
    enabled: bool = True
    dry_run: bool = False
    topic_name: str = "MNSTestConfig"
    rule_name: str = "oss-bucket-public-read-prohibited"
    service_name: str = "resource_repair"
    function_name: str = "oss_repair_acl_trigger"
    trigger_name: str = "ConfigRuleNonComplianceMNSTrigger"
    retry_strategy: str = "BACKOFF_RETRY"
    risk_level: int = 1
    timeout_seconds: int = 60
    memory_mb: int = 256
    log_level: str = "INFO"


@dataclass(frozen=True)
class PasswordRules:
    """The rules RAM's and IAM's password policies share (same meaning, same provider arguments)."""

    minimum_length: int = 14
    require_lowercase: bool = True
    require_uppercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    max_password_age_days: int = 90
    reuse_prevention: int = 5
    hard_expiry: bool = False


@dataclass(frozen=True)
class RamPasswordPolicySettings(PasswordRules):
    max_login_attempts: int = 5


@dataclass(frozen=True)
class RamSecurityPreferenceSettings:
    mfa_for_login: str = "independent"
    save_mfa_for_7_days: bool = False
    allow_user_to_change_password: bool = True
    allow_user_to_manage_access_keys: bool = False
    allow_user_to_manage_mfa_devices: bool = True
    login_session_hours: int = 6
    login_network_masks: tuple[str, ...] = ()


@dataclass(frozen=True)
class AwsPasswordPolicySettings(PasswordRules):
    reuse_prevention: int = 24
    allow_users_to_change_password: bool = True


@dataclass(frozen=True)
class AwsSettings:
    region: str
    group_name: str = "PowerConsultants"
    policy_name: str = "ForceMFA"
    managed_policy_arns: tuple[str, ...] = ("arn:aws:iam::aws:policy/PowerUserAccess",)
    members: tuple[str, ...] = ()
    allow_initial_password_change_without_mfa: bool = True
    password_policy: AwsPasswordPolicySettings = AwsPasswordPolicySettings()


@dataclass(frozen=True)
class Settings:
    alicloud_region: str
    function_compute: FunctionComputeSettings
    compliance_rule: ComplianceRuleSettings
    remediation: RemediationSettings
    ram_password_policy: RamPasswordPolicySettings
    ram_security_preference: RamSecurityPreferenceSettings
    aws: AwsSettings | None


T = TypeVar("T")
_MISSING = object()


class _Section:
    """Reads one mapping of config, recording problems and the keys it consumed."""

    def __init__(self, key: str, raw: Any, problems: list[str]) -> None:
        self.key = key
        self.problems = problems
        self.used: set[str] = set()
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            problems.append(f"{key}: expected a mapping, got {_kind(raw)}")
            raw = {}
        self.raw: Mapping[str, Any] = raw

    def problem(self, field: str, reason: str) -> None:
        self.problems.append(f"{self.key}.{field}: {reason}")

    def get(self, field: str, default: Any = _MISSING) -> Any:
        self.used.add(field)
        if field in self.raw and self.raw[field] is not None:
            return self.raw[field]
        if default is _MISSING:
            self.problem(field, "required")
        return default

    def string(
        self,
        field: str,
        default: Any = _MISSING,
        *,
        pattern: re.Pattern[str] | None = None,
        choices: tuple[str, ...] = (),
        what: str = "",
    ) -> Any:
        value = self.get(field, default)
        if value is default:
            return value
        if not isinstance(value, str) or not value.strip():
            self.problem(field, f"expected a non-empty string, got {_kind(value)}")
            return default
        if choices and value not in choices:
            self.problem(field, f"{value!r} is not one of {', '.join(map(str, choices))}")
            return default
        if pattern is not None and not pattern.match(value):
            self.problem(field, f"{value!r} is not a valid {what or 'value'}")
            return default
        return value

    def integer(self, field: str, default: Any, low: int, high: int, *, choices: tuple[int, ...] = ()) -> Any:
        value = self.get(field, default)
        if value is default:
            return value
        # bool is an int in Python; `true` for a number is a config mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(field, f"expected an integer, got {_kind(value)}")
            return default
        if choices and value not in choices:
            self.problem(field, f"{value} is not one of {', '.join(map(str, choices))}")
            return default
        if not low <= value <= high:
            self.problem(field, f"{value} is out of range {low}..{high}")
            return default
        return value

    def boolean(self, field: str, default: bool) -> bool:
        value = self.get(field, default)
        if not isinstance(value, bool):
            self.problem(field, f"expected true or false, got {_kind(value)}")
            return default
        return value

    def string_list(
        self,
        field: str,
        default: tuple[str, ...],
        check: Callable[[str], str | None],
    ) -> tuple[str, ...]:
        value = self.get(field, default)
        if value is default:
            return value
        if isinstance(value, str) or not isinstance(value, list):
            self.problem(field, f"expected a list of strings, got {_kind(value)}")
            return default
        items: list[str] = []
        ok = True
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(f"{field}[{index}]", f"expected a string, got {_kind(item)}")
                ok = False
                continue
            item = item.strip()
            reason = check(item)
            if reason is not None:
                self.problem(f"{field}[{index}]", reason)
                ok = False
            elif item in items:
                self.problem(f"{field}[{index}]", f"{item!r} is listed twice")
                ok = False
            else:
                items.append(item)
        return tuple(items) if ok else default

    def section(self, field: str) -> _Section:
        self.used.add(field)
        return _Section(f"{self.key}.{field}", self.raw.get(field), self.problems)

    def reject_unknown(self) -> None:
        for field in self.raw:
            if field not in self.used:
                self.problem(str(field), "unknown key" + _suggestion(str(field), self.used))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _suggestion(name: str, known: Iterable[str], prefix: str = "") -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{prefix}{close[0]}'?)" if close else ""


def check_cidr(item: str) -> str | None:
    try:
        ipaddress.ip_network(item, strict=True)
    except ValueError as exc:
        return f"{item!r} is not a CIDR network ({exc})"
    return None


def check_policy_arn(item: str) -> str | None:
    if not IAM_POLICY_ARN_PATTERN.match(item):
        return f"{item!r} is not an IAM policy ARN"
    return None


def check_iam_name(item: str) -> str | None:
    if not IAM_NAME_PATTERN.match(item):
        return f"{item!r} is not an IAM user name"
    return None


def _function_compute(s: _Section) -> FunctionComputeSettings:
    d = FunctionComputeSettings()
    generation = s.integer("generation", d.generation, 2, 3, choices=FC_GENERATIONS)
    runtime = s.string("runtime", d.runtime, choices=FC_RUNTIMES)
    log_project = s.string(
        "logProject", None, pattern=re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"), what="log project name"
    )
    log_store = s.string(
        "logStore", None, pattern=re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$"), what="logstore name"
    )
    if (log_project is None) != (log_store is None):
        s.problem(
            "logStore" if log_store is None else "logProject", "logProject and logStore must be set together"
        )
        log_project = log_store = None
    s.reject_unknown()
    return FunctionComputeSettings(generation, runtime, log_project, log_store)


def _compliance_rule(s: _Section) -> ComplianceRuleSettings:
    d = ComplianceRuleSettings(dangerous_actions=())
    actions = s.get("dangerousActions")
    if actions is not _MISSING:
        # The grammar the rule function itself applies to the parameter (policies.action_patterns).
        actions, problems = check_action_patterns(actions)
        for problem in problems:
            s.problem(problem.path("dangerousActions"), problem.reason)
    settings = ComplianceRuleSettings(
        dangerous_actions=() if actions is _MISSING else actions,
        rule_name=s.string("ruleName", d.rule_name, pattern=RULE_NAME_PATTERN, what="Config rule name"),
        description=s.string("description", d.description),
        service_name=s.string("serviceName", d.service_name, pattern=FC_NAME_PATTERN, what="FC service name"),
        function_name=s.string(
            "functionName", d.function_name, pattern=FC_NAME_PATTERN, what="FC function name"
        ),
        risk_level=s.integer("riskLevel", d.risk_level, 1, 3),
        # Below 31 s the function would have no time budget left; 600 s is FC's event-invocation limit.
        timeout_seconds=s.integer("timeoutSeconds", d.timeout_seconds, TIME_BUDGET_RESERVE_SECONDS + 1, 600),
        memory_mb=_memory(s, d.memory_mb),
        maximum_execution_frequency=s.string(
            "maximumExecutionFrequency", d.maximum_execution_frequency, choices=EXECUTION_FREQUENCIES
        ),
        log_level=s.string("logLevel", d.log_level, choices=LOG_LEVELS),
        ram_max_concurrency=s.integer("ramMaxConcurrency", d.ram_max_concurrency, 1, 64),
        ram_max_rps=s.integer("ramMaxRps", d.ram_max_rps, 1, MAX_RAM_RPS),
    )
    s.reject_unknown()
    return settings


def _memory(s: _Section, default: int) -> int:
    value = s.integer("memoryMb", default, 128, 3072)
    if value % 64:
        s.problem("memoryMb", f"{value} is not a multiple of 64")
        return default
    return value


def _remediation(s: _Section) -> RemediationSettings:
    d = RemediationSettings()
    settings = RemediationSettings(
        enabled=s.boolean("enabled", d.enabled),
        dry_run=s.boolean("dryRun", d.dry_run),
        topic_name=s.string("topicName", d.topic_name, pattern=TOPIC_NAME_PATTERN, what="MNS topic name"),
        rule_name=s.string("ruleName", d.rule_name, pattern=RULE_NAME_PATTERN, what="Config rule name"),
        service_name=s.string("serviceName", d.service_name, pattern=FC_NAME_PATTERN, what="FC service name"),
        function_name=s.string(
            "functionName", d.function_name, pattern=FC_NAME_PATTERN, what="FC function name"
        ),
        trigger_name=s.string("triggerName", d.trigger_name, pattern=FC_NAME_PATTERN, what="FC trigger name"),
        retry_strategy=s.string("retryStrategy", d.retry_strategy, choices=RETRY_STRATEGIES),
        risk_level=s.integer("riskLevel", d.risk_level, 1, 3),
        timeout_seconds=s.integer("timeoutSeconds", d.timeout_seconds, 1, 600),
        memory_mb=_memory(s, d.memory_mb),
        log_level=s.string("logLevel", d.log_level, choices=LOG_LEVELS),
    )
    s.reject_unknown()
    return settings


def _character_classes(s: _Section, d: PasswordRules) -> dict[str, bool]:
    """The four `require*` switches, spelled alike in the RAM and the AWS password policy."""
    return {
        "require_lowercase": s.boolean("requireLowercase", d.require_lowercase),
        "require_uppercase": s.boolean("requireUppercase", d.require_uppercase),
        "require_numbers": s.boolean("requireNumbers", d.require_numbers),
        "require_symbols": s.boolean("requireSymbols", d.require_symbols),
    }


def _ram_password_policy(s: _Section) -> RamPasswordPolicySettings:
    d = RamPasswordPolicySettings()
    settings = RamPasswordPolicySettings(
        minimum_length=s.integer("minimumLength", d.minimum_length, 8, 32),
        **_character_classes(s, d),
        max_password_age_days=s.integer("maxPasswordAgeDays", d.max_password_age_days, 0, 1095),
        reuse_prevention=s.integer("reusePrevention", d.reuse_prevention, 0, 24),
        max_login_attempts=s.integer("maxLoginAttempts", d.max_login_attempts, 0, 32),
        hard_expiry=s.boolean("hardExpiry", d.hard_expiry),
    )
    s.reject_unknown()
    return settings


def _ram_security_preference(s: _Section) -> RamSecurityPreferenceSettings:
    d = RamSecurityPreferenceSettings()
    masks = s.string_list("loginNetworkMasks", d.login_network_masks, check_cidr)
    if len(masks) > MAX_NETWORK_MASKS:
        s.problem("loginNetworkMasks", f"{len(masks)} masks, at most {MAX_NETWORK_MASKS} are allowed")
        masks = d.login_network_masks
    elif len(";".join(masks)) > MAX_NETWORK_MASKS_LENGTH:
        s.problem("loginNetworkMasks", f"longer than {MAX_NETWORK_MASKS_LENGTH} characters once joined")
        masks = d.login_network_masks
    settings = RamSecurityPreferenceSettings(
        mfa_for_login=s.string("mfaForLogin", d.mfa_for_login, choices=MFA_FOR_LOGIN),
        save_mfa_for_7_days=s.boolean("saveMfaFor7Days", d.save_mfa_for_7_days),
        allow_user_to_change_password=s.boolean("allowUserToChangePassword", d.allow_user_to_change_password),
        allow_user_to_manage_access_keys=s.boolean(
            "allowUserToManageAccessKeys", d.allow_user_to_manage_access_keys
        ),
        allow_user_to_manage_mfa_devices=s.boolean(
            "allowUserToManageMfaDevices", d.allow_user_to_manage_mfa_devices
        ),
        login_session_hours=s.integer("loginSessionHours", d.login_session_hours, 1, 24),
        login_network_masks=masks,
    )
    s.reject_unknown()
    return settings


def _aws_password_policy(s: _Section) -> AwsPasswordPolicySettings:
    d = AwsPasswordPolicySettings()
    settings = AwsPasswordPolicySettings(
        minimum_length=s.integer("minimumLength", d.minimum_length, 6, 128),
        **_character_classes(s, d),
        max_password_age_days=s.integer("maxPasswordAgeDays", d.max_password_age_days, 1, 1095),
        reuse_prevention=s.integer("reusePrevention", d.reuse_prevention, 1, 24),
        allow_users_to_change_password=s.boolean(
            "allowUsersToChangePassword", d.allow_users_to_change_password
        ),
        hard_expiry=s.boolean("hardExpiry", d.hard_expiry),
    )
    s.reject_unknown()
    return settings


def _aws(s: _Section, region: str) -> AwsSettings:
    d = AwsSettings(region=region)
    settings = AwsSettings(
        region=region,
        group_name=s.string("groupName", d.group_name, pattern=IAM_NAME_PATTERN, what="IAM group name"),
        policy_name=s.string("policyName", d.policy_name, pattern=IAM_NAME_PATTERN, what="IAM policy name"),
        managed_policy_arns=s.string_list("managedPolicyArns", d.managed_policy_arns, check_policy_arn),
        members=s.string_list("members", d.members, check_iam_name),
        allow_initial_password_change_without_mfa=s.boolean(
            "allowInitialPasswordChangeWithoutMfa", d.allow_initial_password_change_without_mfa
        ),
        password_policy=_aws_password_policy(s.section("passwordPolicy")),
    )
    s.reject_unknown()
    return settings


# Top-level `baseline:` keys -> whether the section may be omitted.
SECTIONS = {
    "functionCompute": True,
    "complianceRule": False,
    "remediation": True,
    "ramPasswordPolicy": True,
    "ramSecurityPreference": True,
    "aws": True,
}


def _region(config: Mapping[str, Any], key: str, problems: list[str]) -> str:
    value = config.get(key)
    if value is None or value == "":
        problems.append(f"{key}: required")
        return ""
    if not isinstance(value, str) or not REGION_PATTERN.match(value):
        problems.append(f"{key}: {value!r} is not a region id")
        return ""
    return value


def settings_from_config(config: Mapping[str, Any]) -> Settings:
    """Validate a whole stack config (`{"alicloud:region": ..., "baseline:complianceRule": {...}}`)."""
    problems: list[str] = []
    sections: dict[str, Any] = {}
    for key, value in config.items():
        namespace, _, name = str(key).partition(":")
        if namespace != NAMESPACE:
            continue  # provider and other namespaces: Pulumi and the providers validate those
        if name not in SECTIONS:
            problems.append(f"{key}: unknown key" + _suggestion(name, SECTIONS, f"{NAMESPACE}:"))
            continue
        if isinstance(value, str):
            # `pulumi config set --path` objects reach the program as JSON text.
            try:
                value = json.loads(value)
            except ValueError:
                problems.append(f"{key}: expected a mapping, got {_kind(value)}")
                continue
        sections[name] = value
    for name, optional in SECTIONS.items():
        if not optional and name not in sections:
            problems.append(f"{NAMESPACE}:{name}: required")

    def section(name: str) -> _Section:
        return _Section(f"{NAMESPACE}:{name}", sections.get(name), problems)

    alicloud_region = _region(config, "alicloud:region", problems)
    function_compute = _function_compute(section("functionCompute"))
    compliance_rule = _compliance_rule(section("complianceRule"))
    remediation = _remediation(section("remediation"))
    ram_password_policy = _ram_password_policy(section("ramPasswordPolicy"))
    ram_security_preference = _ram_security_preference(section("ramSecurityPreference"))
    aws = _aws(section("aws"), _region(config, "aws:region", problems)) if "aws" in sections else None
    if problems:
        raise SettingsError(problems)
    return Settings(
        alicloud_region,
        function_compute,
        compliance_rule,
        remediation,
        ram_password_policy,
        ram_security_preference,
        aws,
    )


def read_stack_config(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a `Pulumi.<stack>.yaml` file (YAML errors become SettingsError)."""
    import yaml  # only the CLI and tests read files; the Pulumi program never pays for it

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SettingsError([f"{path.name}: not valid YAML ({exc})"]) from exc
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise SettingsError([f"{path.name}: expected a mapping with a 'config' key"])
    config = document.get("config") or {}
    if not isinstance(config, Mapping):
        raise SettingsError([f"{path.name}: config: expected a mapping, got {_kind(config)}"])
    return dict(config)


def load_stack_file(path: Path) -> Settings:
    return settings_from_config(read_stack_config(path))


def pulumi_config_values() -> dict[str, Any]:
    """Every config value the running program was given (explicit config and PULUMI_CONFIG)."""
    from pulumi.runtime import config as runtime_config

    values: dict[str, Any] = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    return values


def load_settings() -> Settings:
    """Settings of the running Pulumi program."""
    return settings_from_config(pulumi_config_values())


def flatten_for_pulumi(config: Mapping[str, Any]) -> dict[str, str]:
    """Stack file config as the Pulumi engine hands it to a program: objects as JSON text."""
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
