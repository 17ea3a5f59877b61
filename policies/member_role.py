"""The documents of the organization scale-out: the reader role in each member account, its
trust, and the administrator-side grant to assume it.

The member role may do in its account exactly the RAM reads the rule function does in its own:
its actions are taken from `ram/mfa-rule-function.json` (the function role's document), so the
two cannot drift apart when the rule learns a new read. Nothing but `ram:` actions is copied
(`config:PutEvaluations` stays with the administrator account, which reports for every member),
and only `Get*`/`List*`/credential-report actions are accepted: a write in the function document
is refused here rather than granted in 200 accounts.

Resources name the member account (`acs:ram:*:<member>:*`) except for the APIs RAM authorises
only on `*` (GenerateCredentialReport, GetCredentialReport: "all resources" in their API pages;
GetSecurityPreference: no resource type published, research/issue8-api.md Q8).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# RAM APIs without resource-level permission (lower-cased action names).
ACCOUNT_WIDE_ACTIONS = frozenset(
    {"ram:generatecredentialreport", "ram:getcredentialreport", "ram:getsecuritypreference"}
)
_READ_ACTION = re.compile(r"^ram:(get|list)[a-z0-9]+$", re.IGNORECASE)
_ACCOUNT_ID = re.compile(r"^[0-9]{16}$")
# The administrator's role (the rule function's) as STS names it in a trust policy's Principal.
_ROLE_ARN = re.compile(r"^acs:ram::[0-9]{16}:role/[A-Za-z0-9.-]{1,64}$")


def _actions(statement: Mapping[str, Any]) -> list[str]:
    value = statement.get("Action", [])
    return [value] if isinstance(value, str) else list(value)


def rule_ram_reads(function_document: Mapping[str, Any]) -> list[str]:
    """The `ram:` actions the rule function's document allows, sorted; each must be a read."""
    actions: set[str] = set()
    statements = function_document.get("Statement", [])
    for statement in [statements] if isinstance(statements, Mapping) else statements:
        if statement.get("Effect") != "Allow" or "NotAction" in statement:
            continue
        for action in _actions(statement):
            if not action.lower().startswith("ram:"):
                continue
            if not (_READ_ACTION.match(action) or action.lower() in ACCOUNT_WIDE_ACTIONS):
                raise ValueError(f"{action!r} is not a RAM read; the member reader role grants reads only")
            actions.add(action)
    if not actions:
        raise ValueError("the rule function's document allows no RAM read to copy")
    return sorted(actions)


def _account(account_id: str) -> str:
    if not isinstance(account_id, str) or not _ACCOUNT_ID.match(account_id):
        raise ValueError(f"account_id: {account_id!r} is not a 16-digit account id")
    return account_id


def member_reader_policy(function_document: Mapping[str, Any], account_id: str) -> dict[str, Any]:
    """The reader role's permissions in member `account_id`."""
    account = _account(account_id)
    reads = rule_ram_reads(function_document)
    scoped = [a for a in reads if a.lower() not in ACCOUNT_WIDE_ACTIONS]
    wide = [a for a in reads if a.lower() in ACCOUNT_WIDE_ACTIONS]
    statements: list[dict[str, Any]] = []
    if scoped:
        statements.append({"Effect": "Allow", "Action": scoped, "Resource": f"acs:ram:*:{account}:*"})
    if wide:
        statements.append({"Effect": "Allow", "Action": wide, "Resource": "*"})
    return {"Version": "1", "Statement": statements}


def member_trust_policy(function_role_arn: str, external_id: str) -> dict[str, Any]:
    """Trust of the reader role: only the rule function's role, and only with the ExternalId.

    The principal is the one role (not the administrator account's `root`, which would let every
    RAM identity there with `sts:AssumeRole` in), and `sts:ExternalId` binds the assumption to this
    deployment: another stack's function role in the same account, or a copy of the role name,
    does not get in without it.
    """
    if not isinstance(function_role_arn, str) or not _ROLE_ARN.match(function_role_arn):
        raise ValueError(
            f"function_role_arn: {function_role_arn!r} is not a RAM role ARN acs:ram::<id>:role/<name>"
        )
    if not external_id:
        raise ValueError("external_id: empty")
    return {
        "Version": "1",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"RAM": [function_role_arn]},
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ],
    }


def member_role_arn(account_id: str, role_name: str) -> str:
    # RAM returns role ARNs with the role name lower-cased (`acs:ram::<id>:role/<name>`).
    return f"acs:ram::{_account(account_id)}:role/{role_name.lower()}"


def assume_member_roles_policy(account_ids: Iterable[str], role_name: str) -> dict[str, Any]:
    """The administrator-side grant: `sts:AssumeRole` on exactly the listed members' reader role."""
    arns = sorted({member_role_arn(a, role_name) for a in account_ids})
    if not arns:
        raise ValueError("account_ids: no member account")
    return {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arns}]}
