"""Fixture files and fake invocation contexts shared by the function tests and the benchmark."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Obviously fake STS credentials: the fake cloud checks they arrive, nothing else.
TEST_KEY_ID = "STS.test-key-id"
TEST_SECRET = "test-secret-not-a-key"
TEST_TOKEN = "STS.test-token"
# The account of tests/fixtures/snapshots/account.json and of the Config event fixtures.
ACCOUNT_ID = "5123456789012345"


def load(relative: str) -> Any:
    """A fresh copy of a JSON fixture, e.g. load("snapshots/account.json")."""
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def context(region: str = "ap-southeast-1", account_id: str | None = ACCOUNT_ID) -> SimpleNamespace:
    """What FC's python3.10 runtime passes as `context`: the role's STS credentials, the region and
    the account the function belongs to (`account_id`)."""
    creds = SimpleNamespace(
        access_key_id=TEST_KEY_ID, access_key_secret=TEST_SECRET, security_token=TEST_TOKEN
    )
    return SimpleNamespace(credentials=creds, region=region, request_id="test-request", account_id=account_id)


def change_event(user: str, user_id: str, **overrides: Any) -> dict[str, Any]:
    """The change-notification fixture retargeted at one user."""
    event = load("events/config_change.json")
    item = event["invokingEvent"]["configurationItem"]
    item["resourceId"] = user_id
    item["resourceName"] = user
    configuration = json.loads(item["configuration"])
    configuration.update(UserName=user, UserId=user_id, DisplayName=user)
    item["configuration"] = json.dumps(configuration)
    event.update(overrides)
    return event


def synthetic_organization(
    accounts: int, users: int, groups: int = 0, policies: int = 0, *, management: str = ACCOUNT_ID
) -> dict[str, Any]:
    """An organization snapshot of `accounts` synthetic members (ids 1000000000000001, ...), each
    with its own seed, so members differ but share user and policy names."""
    members = [
        synthetic_account(users, groups, policies, seed=7 + i, account_id=f"{1000000000000001 + i:016d}")
        for i in range(accounts)
    ]
    return {"managementAccountId": management, "accounts": members}


def synthetic_account(
    users: int,
    groups: int = 0,
    policies: int = 0,
    *,
    seed: int = 7,
    account_id: str = ACCOUNT_ID,
    mfa_for_login: str = "independent",
) -> dict[str, Any]:
    """A deterministic account: custom policies of a few kinds, users in groups, some with MFA;
    `mfa_for_login` is the account's MFAOperationForLogin."""
    import random

    rng = random.Random(seed)
    kinds = [
        {"Effect": "Allow", "Action": ["ecs:Describe*", "ecs:List*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "oss:GetObject", "Resource": "acs:oss:*:*:bucket-{i}/*"},
        {"Effect": "Allow", "Action": "vpc:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "ecs:*",
            "Resource": "*",
            "Condition": {"Bool": {"acs:MFAPresent": "true"}},
        },
        {"Effect": "Allow", "Action": ["rds:Describe*", "slb:Describe*"], "Resource": "*"},
    ]
    pols = []
    for i in range(policies):
        statement = copy.deepcopy(kinds[i % len(kinds)])
        if isinstance(statement["Resource"], str):
            statement["Resource"] = statement["Resource"].replace("{i}", str(i))
        pols.append(
            {
                "policyName": f"custom-{i:03d}",
                "policyType": "Custom",
                "defaultVersion": f"v{1 + i % 3}",
                "document": {"Version": "1", "Statement": [statement]},
            }
        )
    refs = [{k: p[k] for k in ("policyName", "policyType", "defaultVersion")} for p in pols]
    group_rows = [
        {"groupName": f"group-{g:02d}", "policies": rng.sample(refs, k=min(2, len(refs)))}
        for g in range(groups)
    ]
    user_rows = []
    for u in range(users):
        has_mfa = u % 3 == 0
        user_rows.append(
            {
                "userName": f"user-{u:04d}",
                "userId": str(300000000000000 + u),
                "mfaDevice": {"serialNumber": f"acs:ram::{account_id}:mfa/user-{u:04d}", "type": "VMFA"}
                if has_mfa
                else None,
                "loginProfile": {"mfaBindRequired": u % 5 == 0},
                "policies": rng.sample(refs, k=min(3, len(refs))),
                "groups": [row["groupName"] for row in rng.sample(group_rows, k=min(1, len(group_rows)))],
            }
        )
    return {
        "accountId": account_id,
        "users": user_rows,
        "groups": group_rows,
        "policies": pols,
        "securityPreference": {"mfaOperationForLogin": mfa_for_login},
    }
