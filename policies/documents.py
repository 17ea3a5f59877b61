"""The policy documents this project deploys, as JSON files under `policies/documents/`.

- `aws/force-mfa.json`: the MFA-enforcing IAM group policy, following AWS's published
  "manage own MFA" example. Without MFA a user may only set up MFA for themself: see the
  account password policy and virtual devices, read their own user (`iam:GetUser`), change their
  own password (see `force_mfa`), create virtual MFA devices (`mfa/*`: a user may own several
  and names them freely), enable, get, list and resync MFA devices on their own user
  (`${aws:username}`), and call `sts:GetSessionToken` (how CLI users obtain MFA credentials).
  Everything else is denied with `BoolIfExists aws:MultiFactorAuthPresent false`, so long-term
  access keys (whose requests carry no MFA key at all) are denied too, unlike a plain `Bool`.
  Deactivating MFA is allowed on one's own user but not exempted from the Deny, so it needs an
  MFA session.
  `iam:DeleteVirtualMFADevice` is granted, also without MFA, only on the device named after the
  user (`mfa/${aws:username}`, the name AWS's example and CLI scripts use): a failed enrolment
  leaves that device unassigned and blocks creating it again. IAM refuses to delete a device
  still assigned to a user, so this cannot remove working MFA; `mfa/*` is not granted because it
  would reach other users' unassigned devices.
- `ram/fc-trust.json`, `ram/mns-trust.json`: trust policies of the function role (Function
  Compute) and of the MNS trigger's invocation role.
- `ram/mfa-rule-function.json`: the rule function's permissions: the RAM reads it performs,
  `config:PutEvaluations`, and `config:GetDiscoveredResource` (for configuration items too large
  to travel inside the event).
- `ram/oss-acl-remediation.json`: the remediation function may read and set bucket ACLs only
  (not `AliyunOSSFullAccess`).

Each call returns a fresh dict, so callers may modify it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

DOCUMENTS_DIR = Path(__file__).parent / "documents"

# Actions a new user needs, without MFA, to replace the initial password.
INITIAL_PASSWORD_ACTIONS = ("iam:ChangePassword", "iam:GetAccountPasswordPolicy")
_NO_MFA_DENY_SID = "DenyAllExceptListedIfNoMFA"


def load(relative_path: str) -> dict[str, Any]:
    """The document at `policies/documents/<relative_path>`, e.g. `ram/mfa-rule-function.json`."""
    rel = PurePosixPath(relative_path)
    if rel.is_absolute() or ".." in rel.parts or rel.suffix != ".json":
        raise ValueError(
            f"{relative_path!r}: expected a relative path to a .json file under policies/documents/"
        )
    path = DOCUMENTS_DIR.joinpath(*rel.parts)
    if not path.is_file():
        raise FileNotFoundError(f"{relative_path!r}: no such policy document under policies/documents/")
    return json.loads(path.read_text(encoding="utf-8"))


def force_mfa(allow_initial_password_change: bool = True) -> dict[str, Any]:
    """The AWS force-MFA group policy.

    `allow_initial_password_change` (default on): a new user whose console password must be
    changed at first sign-in has no MFA yet; without this exemption they could not sign in at
    all. Turn it off when passwords are handed out already final (then changing a password, like
    everything else, needs MFA).
    """
    document = load("aws/force-mfa.json")
    if not allow_initial_password_change:
        deny = next(s for s in document["Statement"] if s.get("Sid") == _NO_MFA_DENY_SID)
        deny["NotAction"] = [a for a in deny["NotAction"] if a not in INITIAL_PASSWORD_ACTIONS]
    return document


def for_account(document: dict[str, Any], account_id: str) -> dict[str, Any]:
    """`document` with every `acs:<service>:<region>:*:<resource>` Resource scoped to `account_id`.

    The documents leave the account open (`*`) because it is only known at deploy time; a role
    must never reach another account's resources (DESIGN.md "Components").
    """
    if not account_id.isdigit():
        raise ValueError(f"account_id: {account_id!r} is not an account id")

    def scope(resource: str) -> str:
        parts = resource.split(":", 4)
        if len(parts) == 5 and parts[0] == "acs" and parts[3] == "*":
            parts[3] = account_id
        return ":".join(parts)

    statements = []
    for statement in document["Statement"]:
        resources = statement.get("Resource")
        if isinstance(resources, str):
            statement = {**statement, "Resource": scope(resources)}
        elif isinstance(resources, list):
            statement = {**statement, "Resource": [scope(r) for r in resources]}
        statements.append(statement)
    return {**document, "Statement": statements}


# The function ARNs the providers output (components/fc.py), as the trigger's role must name them.
_FC2_FUNCTION_ARN = re.compile(
    r"^(acs:fc:[a-z0-9-]+:[0-9]+:services/[A-Za-z0-9_-]+)\.LATEST(/functions/[A-Za-z0-9_-]+)$"
)
_FC3_FUNCTION_ARN = re.compile(r"^acs:fc:[a-z0-9-]+:[0-9]+:functions/[A-Za-z0-9_-]+$")


def trigger_invoke_resources(function_arn: str) -> list[str]:
    """What FC authorizes `fc:InvokeFunction` against when the trigger invokes `function_arn`:
    this one function, under whichever qualifier the invocation carries.

    - FC 2.0: `acs:fc:<region>:<account>:services/<service>.<qualifier>/functions/<function>`, the
      qualifier part of the service segment (Alibaba's Serverless Devs FC component, minimal
      `fc:InvokeFunction` policy: github.com/devsapp/fc docs/zh/command/invoke.md). The provider's
      `function_arn` carries `.LATEST`; `.*` keeps any qualifier of this service's function.
    - FC 3.0: `acs:fc:<region>:<account>:functions/<function>` and, for a qualified invocation (a
      trigger always has one, `LATEST` here), `.../functions/<function>/*` (github.com/devsapp/fc3
      docs/zh/command/invoke.md lists exactly these two).

    Alibaba's own trigger roles grant `fc:InvokeFunction` on `*` (the system policy
    `AliyunMNSNotificationRolePolicy` the provider's fc.Trigger example attaches; the trigger role
    in devsapp/fc3 docs/zh/yaml/triggers.md): these two forms keep the same invocations working
    while no other function is reachable.
    """
    if not isinstance(function_arn, str):
        raise ValueError(f"function_arn: {function_arn!r} is not a Function Compute ARN (acs:fc:...)")
    fc2 = _FC2_FUNCTION_ARN.match(function_arn)
    if fc2:
        return [f"{fc2.group(1)}.*{fc2.group(2)}"]
    if _FC3_FUNCTION_ARN.match(function_arn):
        return [function_arn, f"{function_arn}/*"]
    raise ValueError(
        f"function_arn: {function_arn!r} is not a Function Compute ARN without wildcards "
        "(acs:fc:<region>:<account>:services/<service>.LATEST/functions/<function> or "
        "acs:fc:<region>:<account>:functions/<function>)"
    )


def trigger_invoke_policy(function_arn: str) -> dict[str, Any]:
    """RAM policy for the MNS trigger's invocation role: `fc:InvokeFunction` on the one function
    `function_arn` names (see `trigger_invoke_resources`), nothing else."""
    return {
        "Version": "1",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "fc:InvokeFunction",
                "Resource": trigger_invoke_resources(function_arn),
            }
        ],
    }
