"""Every stack setting, declared once: one `setting(...)` field per key.

To add a key: add one field to the section's dataclass below (type annotation, default, help,
range/choices/pattern), then run `make settings-docs` to regenerate the `config:` block of
`Pulumi.yaml` and the key table of `stacks/README.md` (a test fails until you do). Components
receive these frozen objects and never read config; a cross-field rule goes in the section's
`validate` classmethod.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from components.settings.spec import Context, check_cidr, matches, one_of, setting
from policies.action_patterns import check_action_patterns

REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+$")
# Function Compute: letters, digits, `_` and `-`, starting with a letter or `_`, at most 64 (128 for FC 3).
FC_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
# MNS topic names: letters, digits and `-`, starting with a letter, at most 256.
TOPIC_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,255}$")
# Cloud Config rule names: 1..128 of letters, digits, `_`, `-` (the seeds use `RamUserMFA`).
RULE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
LOG_PROJECT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
LOG_STORE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")
IAM_NAME_PATTERN = re.compile(r"^[\w+=,.@-]{1,128}$")
IAM_POLICY_ARN_PATTERN = re.compile(r"^arn:aws(-[a-z]+)*:iam::(aws|\d{12}):policy/[\w+=,.@/-]+$")

FC_GENERATIONS = (2, 3)
FC_RUNTIMES = ("python3.10",)
EXECUTION_FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
FREQUENCY_HOURS = dict(zip(EXECUTION_FREQUENCIES, (1, 3, 6, 12, 24), strict=True))
RETRY_STRATEGIES = ("BACKOFF_RETRY", "EXPONENTIAL_DECAY_RETRY")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MFA_FOR_LOGIN = ("mandatory", "independent", "adaptive")
# The rule function keeps 30 s of its timeout for reporting (TIME_BUDGET_SECONDS = timeout - 30).
TIME_BUDGET_RESERVE_SECONDS = 30
# The remediation keeps 5 s of its timeout to write its audit line after a last OSS call.
REMEDIATION_RESERVE_SECONDS = 5
# RAM's flow control is per API and per account: 100 requests/s for each read API the rule calls
# (GetUser, ListUsers, ListPoliciesForUser, ListGroupsForUser, GetUserMFAInfo, ListAccessKeys, ...;
# "Quota 100/1(s), dimension regionId, API, ParentUid" in the RAM API reference's quota page,
# https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-quota).
# The default keeps a fifth of it for everything else the account runs.
RAM_API_QUOTA_PER_SECOND = 100
RAM_RPS_DEFAULT = 80
RAM_QUOTA_PAGE = "https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-quota"
RULE_PATHS = ("console", "accessKey")
# An exemption is a decision with an owner and an end: at most a year, renewed deliberately.
MAX_EXEMPTION_DAYS = 365
EXEMPTION_WARNING_DAYS = 14
# RAM user names: letters, digits, `.`, `_`, `-`, at most 64 (RAM CreateUser UserName).
RAM_USER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# OSS bucket names: 3..63 lowercase letters, digits and `-`, starting and ending with a letter or digit.
BUCKET_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
REMEDIATION_ENGINES = ("function", "oos")
# RAM SetSecurityPreference LoginNetworkMasks: at most 40 masks, 512 characters joined with `;`.
MAX_NETWORK_MASKS = 40
MAX_NETWORK_MASKS_LENGTH = 512
# Cloud Config account groups (CreateAggregator, https://www.alibabacloud.com/help/doc-detail/255781.htm):
# `RD` is the global group (every Resource Directory member, kept in sync; one per administrator),
# `FOLDER` follows one folder. At most 200 members per group, applied to
# `RD` too: no source exempts the global group (README "Organization scale-out").
AGGREGATOR_TYPES = ("RD", "FOLDER")
MAX_GROUP_MEMBERS = 200
ACCOUNT_ID_PATTERN = re.compile(r"^[0-9]{16}$")
FOLDER_ID_PATTERN = re.compile(r"^fd-[A-Za-z0-9]{1,64}$")
# RAM CreateRole RoleName: letters, digits, `.` and `-`, at most 64.
RAM_ROLE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9.-]{1,64}$")
# STS AssumeRole ExternalId: 2..1224 of letters, digits and `+ = , . @ : / - _` (alibabacloud_sts20150401
# AssumeRoleRequest.external_id).
# ASCII only, as the rule function checks MEMBER_EXTERNAL_ID (functions/mfa_rule/settings.py):
# a value the stack accepted but the function refused would fail every organization sweep.
EXTERNAL_ID_PATTERN = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)

Report = Callable[[str, str], None]  # (config key within the section, reason)

# MNS NotifyContentFormat: XML and JSON carry the message with its attributes and are supported by
# HTTP and queue endpoints only; SIMPLIFIED (the message alone) also by mail endpoints
# (https://www.alibabacloud.com/help/en/mns/developer-reference/notifycontentformat). The provider
# passes `notify_content_format`, `notify_strategy`, `push_type` and `endpoint` to MNS `Subscribe`
# (Mns-open 2022-01-19) as given (terraform-provider-alicloud,
# alicloud/resource_alicloud_message_service_subscription.go; push types `http` and `email`).
HTTP_CONTENT_FORMATS = ("XML", "JSON", "SIMPLIFIED")
EMAIL_CONTENT_FORMAT = "SIMPLIFIED"
NOTIFICATIONS_KEY = "baseline:notifications"
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
MAX_ENDPOINT_LENGTH = 1024
# Query parameters and path segments that carry a credential in webhook URLs
# (`?access_token=`, `?sig=`, `/services/T000/B000/XXXXXXXX`).
TOKEN_PARAMETER = re.compile(r"token|key|secret|sig|auth|pass|credential|code", re.IGNORECASE)
TOKEN_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{20,}$")


class SecretUrl(str):
    """An endpoint held as a Pulumi secret: components pass it on as `pulumi.Output.secret`.

    From a stack file the value is still encrypted (`{secure: v1:...}`): the offline plan knows
    only that a secret endpoint is there and stands in `SECRET_PLACEHOLDER` for it.
    """

    def __repr__(self) -> str:  # settings get printed in errors and logs; the URL must not be
        return "SecretUrl('[secret]')"


SECRET_PLACEHOLDER = "https://secret.invalid/"  # noqa: S105 - a stand-in, not a secret


def _dangerous_actions(value: Any) -> tuple[Any, list[tuple[str, str]]]:
    # The grammar the rule function itself applies to the parameter (policies.action_patterns).
    actions, problems = check_action_patterns(value)
    return actions, [(p.path(""), p.reason) for p in problems]


def _memory(help_text: str, default: int) -> Any:
    return setting(default, help=help_text, low=128, high=3072, multiple_of=64)


@dataclass(frozen=True, kw_only=True)
class Exemption:
    """One exemption entry, the same shape wherever something is exempted: who, why, until when."""

    name: str = setting(help="what is exempt")
    owner: str = setting(help="who answers for the exemption (team or person)")
    reason: str = setting(help="why it is exempt")
    expires: datetime.date = setting(
        help=f"`YYYY-MM-DD`, in the future and at most {MAX_EXEMPTION_DAYS} days ahead; the exemption "
        "applies through that day (UTC)",
    )

    @classmethod
    def validate(cls, values: dict[str, Any], report: Report, context: Context) -> None:
        expires = values["expires"]
        if expires is None:
            return
        latest = context.today + datetime.timedelta(days=MAX_EXEMPTION_DAYS)
        if expires < context.today:
            report("expires", f"{expires.isoformat()} is in the past (today is {context.today.isoformat()})")
        elif expires > latest:
            report("expires", f"{expires.isoformat()} is more than {MAX_EXEMPTION_DAYS} days ahead "
                              f"(at most {latest.isoformat()})")

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name, "owner": self.owner, "reason": self.reason, "expires": self.expires.isoformat()
        }


@dataclass(frozen=True, kw_only=True)
class UserExemption(Exemption):
    name: str = setting(help="RAM user name", pattern=RAM_USER_NAME_PATTERN, what="a valid RAM user name")


@dataclass(frozen=True, kw_only=True)
class BucketExemption(Exemption):
    name: str = setting(help="OSS bucket name", pattern=BUCKET_NAME_PATTERN, what="a valid OSS bucket name")


@dataclass(frozen=True, kw_only=True)
class ConfigPrerequisiteSettings:
    SECTION_HELP: ClassVar[str] = (
        "What Cloud Config needs before any rule runs: its service-linked role and recording "
        "(account-wide; `destroy` leaves both)."
    )

    create_service_linked_role: bool = setting(
        True,
        help="create `AliyunServiceRoleForConfig` (CreateServiceLinkedRole `config.aliyuncs.com`); "
        "`false` where the account already has it, which creating again refuses with "
        "`EntityAlreadyExists.Role`: the plan then only looks it up and stops if it is missing",
    )
    start_recorder: bool = setting(
        True,
        help="start Cloud Config recording (StartConfigurationRecorder; an account already recording "
        "keeps its recorded types); `false` where the account's Config is run for it (a Resource "
        "Directory member gets `RDMemberNoPermission`): the plan then stops unless the recorder is "
        "`REGISTERED`",
    )


@dataclass(frozen=True, kw_only=True)
class FunctionComputeSettings:
    SECTION_HELP: ClassVar[str] = "Function Compute generation, runtime and logging of both functions."

    generation: int = setting(
        3,
        help="`2` (service + function + trigger; deprecated by the provider, used only when chosen) "
        "or `3` (`V3Function`/`V3Trigger`)",
        choices=FC_GENERATIONS,
    )
    runtime: str = setting("python3.10", help="function runtime", choices=FC_RUNTIMES)
    log_project: str | None = setting(
        None, help="SLS project for function logs (with `logStore`)", pattern=LOG_PROJECT_PATTERN,
        what="a valid log project name", shown_default="none",
    )
    log_store: str | None = setting(
        None, help="SLS logstore for function logs (with `logProject`)", pattern=LOG_STORE_PATTERN,
        what="a valid logstore name", shown_default="none",
    )

    @classmethod
    def validate(cls, values: dict[str, Any], report: Report, context: Context) -> None:
        if (values["log_project"] is None) != (values["log_store"] is None):
            report("logStore" if values["log_store"] is None else "logProject",
                   "logProject and logStore must be set together")
            values["log_project"] = values["log_store"] = None


@dataclass(frozen=True, kw_only=True)
class ComplianceRuleSettings:
    SECTION_HELP: ClassVar[str] = "The custom Config rule flagging RAM users, and the function evaluating it."

    dangerous_actions: tuple[str, ...] = setting(
        help="non-empty list (or comma-separated text) of `service:action` patterns, "
        "`*`/`?` wildcards, or `*`",
        parse=_dangerous_actions,
        accepts="list of `service:action` patterns",
    )
    rule_name: str = setting(
        "RamUserMFA", help="Cloud Config rule name", pattern=RULE_NAME_PATTERN,
        what="a valid Config rule name",
    )
    description: str = setting(
        "RAM users allowed dangerous actions without MFA must bind an MFA device", help="rule description"
    )
    service_name: str = setting(
        "Ram_User", help="FC 2.0 service", pattern=FC_NAME_PATTERN, what="a valid FC service name"
    )
    function_name: str = setting(
        "RamDangerousPolicyUserBindMFA", help="function name", pattern=FC_NAME_PATTERN,
        what="a valid FC function name",
    )
    risk_level: int = setting(1, help="1 critical, 2 warning, 3 info", low=1, high=3)
    # Below 31 s the function would have no time budget left; 600 s is FC's event-invocation limit.
    timeout_seconds: int = setting(
        270, help="function timeout; the function gets `TIME_BUDGET_SECONDS` = timeout - 30",
        low=TIME_BUDGET_RESERVE_SECONDS + 1, high=600,
    )
    memory_mb: int = _memory("function memory", 512)
    # The sweep is CPU-bound in one Python process (benchmarks/org_scale.py), so one whole vCPU is
    # what it can use; more would idle behind the GIL. FC 3.0 takes 0.05-vCPU steps with memory
    # (GB) 1 to 4 times the vCPUs (pulumi_alicloud fc.V3Function `cpu`, `memory_size`).
    vcpus: int | None = setting(
        None, help="FC 3.0 vCPUs of the function, memory (GB) 1 to 4 times as many; none: FC's "
        "default for the memory. The organization sweep is CPU-bound: `org` sets 1 "
        "(README, \"Organization capacity\")",
        low=1, high=3, shown_default="none",
    )
    maximum_execution_frequency: str = setting(
        "One_Hour", help="how often the scheduled sweep runs", choices=EXECUTION_FREQUENCIES
    )
    log_level: str = setting("INFO", help="function log level", choices=LOG_LEVELS)
    ram_max_concurrency: int = setting(
        8, help="RAM API calls in flight at once during a sweep", low=1, high=64
    )
    ram_requests_per_second: int = setting(
        RAM_RPS_DEFAULT,
        help="RAM requests per second per API, per account (the rule function paces each API on its own); "
        f"RAM's flow control allows {RAM_API_QUOTA_PER_SECOND}/s per read API per account ({RAM_QUOTA_PAGE})",
        low=1, high=RAM_API_QUOTA_PER_SECOND, formerly=("ramMaxRps",),
    )
    credential_report_max_age_minutes: int = setting(
        60, help="how old the IMS credential report may be before a sweep generates a new one; "
        "Alibaba makes one at most every 4 hours, so at 60 three hourly sweeps in four read "
        "credentials per user (README, \"Credentials in bulk\")",
        low=5, high=1440,
    )
    paths: tuple[str, ...] = setting(
        RULE_PATHS,
        help="credential paths the rule checks (rule parameter `paths`): `console` (password sign-in "
        "without MFA) and/or `accessKey` (active AccessKeys); `console` alone is the seeds' behaviour",
        item_check=one_of(RULE_PATHS),
        non_empty=True, accepts="list of `console`, `accessKey`",
    )
    exempt_users: tuple[UserExemption, ...] = setting(
        (),
        help="RAM users reported COMPLIANT with an `exempt until <date>` annotation while the entry holds",
        unique_by="name",
    )

    @classmethod
    def validate(cls, values: dict[str, Any], report: Report, context: Context) -> None:
        vcpus, memory = values["vcpus"], values["memory_mb"]
        if vcpus is not None and not vcpus * 1024 <= memory <= vcpus * 4096:
            report("vcpus", f"vcpus {vcpus} needs memoryMb {vcpus * 1024}..{vcpus * 4096} "
                   f"(FC 3.0: memory 1 to 4 GB per vCPU), memoryMb is {memory}")

    @property
    def sweep_period_hours(self) -> int:
        return FREQUENCY_HOURS[self.maximum_execution_frequency]

    @property
    def time_budget_seconds(self) -> int:
        return self.timeout_seconds - TIME_BUDGET_RESERVE_SECONDS


@dataclass(frozen=True, kw_only=True)
class RemediationSettings:
    SECTION_HELP: ClassVar[str] = "Remediation of public OSS buckets found by a managed Config rule."

    enabled: bool = setting(True, help="create the remediation pipeline")
    dry_run: bool = setting(False, help="log what would change, change nothing (engine `function` only)")
    engine: str = setting(
        "function",
        help="`function`: an FC function behind an MNS topic re-reads each ACL and writes an audit line "
        "(dry run possible); `oos`: Cloud Config's own remediation with the OOS template "
        "`ACS-OSS-PutBucketAcl` (no function, topic or trigger)",
        choices=REMEDIATION_ENGINES,
    )
    exempt_buckets: tuple[BucketExemption, ...] = setting(
        (), help="buckets excluded from the managed rule and skipped by the function", unique_by="name"
    )
    topic_name: str = setting(
        "MNSTestConfig", help="MNS topic receiving non-compliance events", pattern=TOPIC_NAME_PATTERN,
        what="a valid MNS topic name",
    )
    rule_name: str = setting(
        "oss-bucket-public-read-prohibited",
        help="name of the managed rule `oss-bucket-public-read-prohibited` instance; its findings are "
        "remediated (`RULE_NAME`)",
        pattern=RULE_NAME_PATTERN, what="a valid Config rule name",
    )
    service_name: str = setting(
        "resource_repair", help="FC 2.0 service", pattern=FC_NAME_PATTERN, what="a valid FC service name"
    )
    function_name: str = setting(
        "oss_repair_acl_trigger", help="function name", pattern=FC_NAME_PATTERN,
        what="a valid FC function name",
    )
    trigger_name: str = setting(
        "ConfigRuleNonComplianceMNSTrigger", help="MNS topic trigger name", pattern=FC_NAME_PATTERN,
        what="a valid FC trigger name",
    )
    retry_strategy: str = setting("BACKOFF_RETRY", help="MNS push retry strategy", choices=RETRY_STRATEGIES)
    risk_level: int = setting(
        1, help="risk level of the managed rule: 1 critical, 2 warning, 3 info", low=1, high=3
    )
    timeout_seconds: int = setting(
        60, help="function timeout; the function gets `TIME_BUDGET_SECONDS` = timeout - "
        f"{REMEDIATION_RESERVE_SECONDS}", low=REMEDIATION_RESERVE_SECONDS + 5, high=600,
    )
    memory_mb: int = _memory("function memory", 256)
    log_level: str = setting("INFO", help="function log level", choices=LOG_LEVELS)

    @property
    def time_budget_seconds(self) -> int:
        return self.timeout_seconds - REMEDIATION_RESERVE_SECONDS


def carries_token(url: str) -> str | None:
    """Why `url` looks like it carries a credential (the part named, never its value), or None."""
    parts = urllib.parse.urlsplit(url)
    if parts.password or parts.username:
        return "user information"
    for name, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if TOKEN_PARAMETER.search(name):
            return f"query parameter {name!r}"
    for segment in parts.path.split("/"):
        mixed = sum((any(c.isdigit() for c in segment), any(c.islower() for c in segment),
                     any(c.isupper() for c in segment)))
        if TOKEN_SEGMENT.match(segment) and mixed >= 2:
            return "a token-like path segment"
    return None


def _http_endpoints(value: Any) -> tuple[Any, list[tuple[str, str]]]:
    # A list of URLs; an entry set with `pulumi config set --secret --path` is `{secure: ...}` in
    # the stack file (still encrypted: the offline plan stands in a placeholder).
    if not isinstance(value, list):
        return None, [("", "expected a list of URLs")]
    endpoints: list[str] = []
    problems: list[tuple[str, str]] = []
    for index, entry in enumerate(value):
        if isinstance(entry, dict) and set(entry) == {"secure"}:
            endpoints.append(SecretUrl(SECRET_PLACEHOLDER))
        elif isinstance(entry, str) and entry.strip():
            endpoints.append(entry.strip())
        else:
            problems.append((f"[{index}]", "expected a URL (or a `pulumi config set --secret` value)"))
    return tuple(endpoints), problems


def _check_endpoint(url: str, allow_http: bool) -> str | None:
    if len(url) > MAX_ENDPOINT_LENGTH:
        return f"longer than {MAX_ENDPOINT_LENGTH} characters"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "not an http(s) URL with a host"
    if parts.scheme == "http" and not allow_http:
        return "plain http: use https, or set allowHttp: true to accept it"
    if parts.fragment:
        return "has a #fragment, which is never sent"
    return None


@dataclass(frozen=True, kw_only=True)
class NotificationSettings:
    SECTION_HELP: ClassVar[str] = (
        "People told about NON_COMPLIANT findings of this stack's rules: MNS subscriptions to a "
        "topic Cloud Config delivers those findings to."
    )

    topic_name: str = setting(
        "BaselineComplianceFindings", help="MNS topic Cloud Config delivers the findings to (created "
        "when there is a subscriber)", pattern=TOPIC_NAME_PATTERN, what="a valid MNS topic name",
    )
    emails: tuple[str, ...] = setting(
        (), help="email addresses subscribed (MNS mail endpoints; format SIMPLIFIED, the only one "
        "they support)", item_check=matches(EMAIL_PATTERN, "an email address"),
        accepts="list of email addresses",
    )
    http_endpoints: tuple[str, ...] = setting(
        (), help="URLs MNS POSTs each finding to (https only unless `allowHttp`); a URL carrying a "
        "token must be set with `pulumi config set --secret --path 'baseline:notifications."
        "httpEndpoints[0]' URL`", parse=_http_endpoints, accepts="list of https URLs",
    )
    allow_http: bool = setting(False, help="accept plain `http://` endpoints")
    http_format: str = setting(
        "JSON", help="NotifyContentFormat of HTTP endpoints: `XML`, `JSON` (message with its "
        "attributes) or `SIMPLIFIED` (the message alone)", choices=HTTP_CONTENT_FORMATS,
    )
    retry_strategy: str = setting(
        "EXPONENTIAL_DECAY_RETRY", help="MNS NotifyStrategy when a push fails", choices=RETRY_STRATEGIES
    )

    @classmethod
    def validate(cls, values: dict[str, Any], report: Report, context: Context) -> None:
        endpoints = values["http_endpoints"] or ()
        # Values Pulumi decrypted arrive as plain text: the whole section is then secret.
        section_secret = NOTIFICATIONS_KEY in context.secret_keys
        checked: list[str] = []
        for index, url in enumerate(endpoints):
            key = f"httpEndpoints[{index}]"
            if isinstance(url, SecretUrl) and url == SECRET_PLACEHOLDER:
                checked.append(url)
                continue
            reason = _check_endpoint(url, bool(values["allow_http"]))
            if reason is not None:
                report(key, reason)
                continue
            token = carries_token(url)
            if section_secret or isinstance(url, SecretUrl):
                checked.append(SecretUrl(url))
            elif token is not None:
                report(key, f"carries a token ({token}) in a plain stack value: set it with "
                            f"`pulumi config set --secret --path '{NOTIFICATIONS_KEY}.{key}' <url>`")
            else:
                checked.append(url)
        if endpoints:
            values["http_endpoints"] = tuple(checked)

    @property
    def subscribers(self) -> int:
        return len(self.emails) + len(self.http_endpoints)


@dataclass(frozen=True, kw_only=True)
class PasswordRules:
    """The rules RAM's and IAM's password policies share (same meaning, same provider arguments)."""

    minimum_length: int = setting(14, help="minimum password length", low=8, high=32)
    require_lowercase: bool = setting(True, help="require a lowercase letter")
    require_uppercase: bool = setting(True, help="require an uppercase letter")
    require_numbers: bool = setting(True, help="require a digit")
    require_symbols: bool = setting(True, help="require a symbol")
    max_password_age_days: int = setting(
        90, help="days before a password expires (0: never)", low=0, high=1095
    )
    reuse_prevention: int = setting(5, help="previous passwords that may not be reused", low=0, high=24)
    hard_expiry: bool = setting(False, help="no login after expiry")


@dataclass(frozen=True, kw_only=True)
class RamPasswordPolicySettings(PasswordRules):
    SECTION_HELP: ClassVar[str] = "The account's RAM password policy (account-wide; `destroy` leaves it)."

    max_login_attempts: int = setting(
        5, help="failed logins per hour before lockout (0: no lockout)", low=0, high=32
    )


@dataclass(frozen=True, kw_only=True)
class RamSecurityPreferenceSettings:
    SECTION_HELP: ClassVar[str] = "The account's RAM security preference (account-wide; `destroy` leaves it)."

    mfa_for_login: str = setting(
        "independent", help="`mandatory`, `independent` (per user) or `adaptive`", choices=MFA_FOR_LOGIN
    )
    save_mfa_for_7_days: bool = setting(False, help="remember MFA on a device for 7 days")
    allow_user_to_change_password: bool = setting(True, help="users may change their password")
    allow_user_to_manage_access_keys: bool = setting(False, help="users may manage their AccessKeys")
    allow_user_to_manage_mfa_devices: bool = setting(True, help="users may bind their MFA device")
    login_session_hours: int = setting(6, help="console session length", low=1, high=24)
    login_network_masks: tuple[str, ...] = setting(
        (),
        help=f"CIDR networks console logon is allowed from (at most {MAX_NETWORK_MASKS}, "
        f"{MAX_NETWORK_MASKS_LENGTH} characters joined); empty leaves the account's masks as they are",
        item_check=check_cidr, accepts="list of CIDR networks",
    )

    @classmethod
    def validate(cls, values: dict[str, Any], report: Report, context: Context) -> None:
        masks = values["login_network_masks"]
        if len(masks) > MAX_NETWORK_MASKS:
            report("loginNetworkMasks", f"{len(masks)} masks, at most {MAX_NETWORK_MASKS} are allowed")
        elif len(";".join(masks)) > MAX_NETWORK_MASKS_LENGTH:
            report("loginNetworkMasks", f"longer than {MAX_NETWORK_MASKS_LENGTH} characters once joined")


@dataclass(frozen=True, kw_only=True)
class AwsPasswordPolicySettings(PasswordRules):
    SECTION_HELP: ClassVar[str] = "The AWS account password policy."

    minimum_length: int = setting(14, help="minimum password length", low=6, high=128)
    max_password_age_days: int = setting(90, help="days before a password expires", low=1, high=1095)
    reuse_prevention: int = setting(24, help="previous passwords that may not be reused", low=1, high=24)
    allow_users_to_change_password: bool = setting(True, help="users may change their password")


@dataclass(frozen=True, kw_only=True)
class AwsSettings:
    SECTION_HELP: ClassVar[str] = "The AWS MFA-enforced IAM group; present means deployed."

    region: str = setting(help="AWS region; required when `baseline:aws` is present", key="aws:region",
                          pattern=REGION_PATTERN, what="a region id")
    group_name: str = setting(
        "PowerConsultants", help="IAM group", pattern=IAM_NAME_PATTERN, what="a valid IAM group name"
    )
    policy_name: str = setting("ForceMFA", help="MFA-enforcing IAM policy", pattern=IAM_NAME_PATTERN,
                               what="a valid IAM policy name")
    managed_policy_arns: tuple[str, ...] = setting(
        ("arn:aws:iam::aws:policy/PowerUserAccess",), help="IAM policy ARNs attached to the group",
        item_check=matches(IAM_POLICY_ARN_PATTERN, "an IAM policy ARN"), accepts="list of IAM policy ARNs",
    )
    members: tuple[str, ...] = setting(
        (), help="existing IAM user names, managed exclusively",
        item_check=matches(IAM_NAME_PATTERN, "an IAM user name"), accepts="list of IAM user names",
    )
    allow_initial_password_change_without_mfa: bool = setting(
        True, help="let new users replace their first password before MFA"
    )
    password_policy: AwsPasswordPolicySettings = setting(
        AwsPasswordPolicySettings(), help=AwsPasswordPolicySettings.SECTION_HELP
    )


@dataclass(frozen=True, kw_only=True)
class OrganizationSettings:
    SECTION_HELP: ClassVar[str] = (
        "Organization scale-out (present = deployed): a Config account group and the aggregate form of "
        "the MFA rule, with a read-only role in each listed member account."
    )

    aggregator_type: str = setting(
        "RD", help="account group type: `RD` (global group, every member) or `FOLDER` (one folder)",
        choices=AGGREGATOR_TYPES,
    )
    folder_id: str | None = setting(
        None, help="Resource Directory folder of a `FOLDER` group", pattern=FOLDER_ID_PATTERN,
        what="a folder id (`fd-...`)", shown_default="none",
    )
    aggregator_name: str = setting(
        "baseline-organization", help="account group name", pattern=RULE_NAME_PATTERN,
        what="a valid account group name",
    )
    description: str = setting(
        "Member accounts evaluated by the organization MFA rule", help="account group description"
    )
    rule_name: str = setting(
        "RamUserMFA-org", help="aggregate Config rule name", pattern=RULE_NAME_PATTERN,
        what="a valid Config rule name",
    )
    members: tuple[str, ...] = setting(
        help=f"member account ids (16 digits) that get the reader role, at most {MAX_GROUP_MEMBERS}; "
        "a member not listed cannot be read and is reported INSUFFICIENT_DATA",
        item_check=matches(ACCOUNT_ID_PATTERN, "a 16-digit account id"), non_empty=True,
        accepts="list of account ids",
    )
    member_role_name: str = setting(
        "BaselineMfaRuleReader", help="read-only role the rule function assumes in each member",
        pattern=RAM_ROLE_NAME_PATTERN, what="a valid RAM role name",
    )
    external_id: str = setting(
        help="STS ExternalId the member role's trust requires (not a secret; unique per deployment)",
        pattern=EXTERNAL_ID_PATTERN, what="2..1224 of letters, digits and `+=,.@:/-_`",
    )
    max_accounts_in_flight: int = setting(
        8, help="member accounts the rule function sweeps at once, each with its own RAM rate limiters "
        "and `ramMaxConcurrency` workers (RAM's quota is per account)", low=1, high=32,
    )
    deployment_role_name: str = setting(
        "ResourceDirectoryAccountAccessRole",
        help="role `pulumi up` assumes in each member to create the reader role (Resource Directory "
        "creates this one in every member it creates)",
        pattern=RAM_ROLE_NAME_PATTERN, what="a valid RAM role name",
    )

    @classmethod
    def validate(cls, values: dict[str, Any], report: Report, context: Context) -> None:
        members = values["members"] if isinstance(values["members"], tuple) else ()
        if len(members) > MAX_GROUP_MEMBERS:
            report("members", f"{len(members)} accounts, an account group holds at most {MAX_GROUP_MEMBERS}")
        if values["aggregator_type"] == "FOLDER" and values["folder_id"] is None:
            report("folderId", "required when aggregatorType is FOLDER")
        if values["aggregator_type"] == "RD" and values["folder_id"] is not None:
            report("folderId", "only a FOLDER account group has a folder")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """A whole stack: the `alicloud:region` and every `baseline:` section."""

    alicloud_region: str = setting(
        help="region of every Alibaba Cloud resource (`ap-southeast-1`, where Cloud Config runs)",
        key="alicloud:region", pattern=REGION_PATTERN, what="a region id",
    )
    config_prerequisites: ConfigPrerequisiteSettings = setting(
        ConfigPrerequisiteSettings(), help=ConfigPrerequisiteSettings.SECTION_HELP
    )
    function_compute: FunctionComputeSettings = setting(
        FunctionComputeSettings(), help=FunctionComputeSettings.SECTION_HELP
    )
    compliance_rule: ComplianceRuleSettings = setting(help=ComplianceRuleSettings.SECTION_HELP)
    remediation: RemediationSettings = setting(RemediationSettings(), help=RemediationSettings.SECTION_HELP)
    ram_password_policy: RamPasswordPolicySettings = setting(
        RamPasswordPolicySettings(), help=RamPasswordPolicySettings.SECTION_HELP
    )
    ram_security_preference: RamSecurityPreferenceSettings = setting(
        RamSecurityPreferenceSettings(), help=RamSecurityPreferenceSettings.SECTION_HELP
    )
    notifications: NotificationSettings = setting(
        NotificationSettings(), help=NotificationSettings.SECTION_HELP
    )
    aws: AwsSettings | None = setting(None, help=AwsSettings.SECTION_HELP)
    organization: OrganizationSettings | None = setting(None, help=OrganizationSettings.SECTION_HELP)

    @classmethod
    def validate(cls, values: dict[str, Any], report: Report, context: Context) -> None:
        rule, fc = values["compliance_rule"], values["function_compute"]
        if rule is not None and rule.vcpus is not None and fc.generation == 2:
            report("complianceRule.vcpus", "FC 2.0 sizes CPU by memory alone: only generation 3 takes vcpus")

