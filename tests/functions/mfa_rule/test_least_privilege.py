"""The rule function's RAM policy grants exactly the actions its code calls: no fewer, no more.

Proved twice: dynamically, by the actions the fake cloud records while the handler runs a
change notification, an OVERSIZE change notification and a full scheduled sweep through the
real SDKs; statically, by every operation named in `functions/` resolved to its API action
through the SDK clients themselves (so an error path the scenarios do not reach is covered).

The organization scale-out adds one grant to the role, in a policy of its own
(components/organization.py, `assume_member_roles_policy`): `sts:AssumeRole` on exactly the
listed members' reader role; in the members, the function acts only as that reader role.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

from alibabacloud_config20200907.client import Client as ConfigClient
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_sts20150401.client import Client as StsClient

from functions.mfa_rule.handler import handle
from policies import documents
from policies.member_role import assume_member_roles_policy, rule_ram_reads
from tests.fakes.fixtures import change_event, context, load
from tests.functions.conftest import rule_runtime

ROOT = Path(__file__).resolve().parents[3]
SDK_CLIENTS = {"ram": RamClient, "ims": ImsClient, "config": ConfigClient, "sts": StsClient}
# IMS APIs are authorized as RAM actions (`ram:GetSecurityPreference`; RAM authorization reference).
PERMISSION_SERVICE = {"ram": "ram", "ims": "ram", "config": "config", "sts": "sts"}
MEMBERS = ("1713220985230001", "1005320983490002", "1738084522670003")
MEMBER_ROLE = "BaselineMfaRuleReader"


def assume_grant() -> dict:
    return assume_member_roles_policy(MEMBERS, MEMBER_ROLE)


def granted_actions() -> set[str]:
    document = documents.load("ram/mfa-rule-function.json")
    actions: list[str] = []
    for statement in document["Statement"]:
        # Only literal actions on Allow: a wildcard or a NotAction would make "exactly" meaningless.
        assert statement["Effect"] == "Allow"
        assert set(statement) == {"Effect", "Action", "Resource"}
        assert all(not re.search(r"[*?]", a) for a in statement["Action"])
        actions.extend(statement["Action"])
    assert len(actions) == len(set(actions))
    return set(actions)


def test_handler_end_to_end_uses_exactly_the_actions_of_the_policy_document(cloud):
    users = {u["userName"]: u["userId"] for u in load("snapshots/account.json")["users"]}
    cloud.account.add_discovered(
        users["dave"],
        "ACS::RAM::User",
        {"ResourceName": "dave", "Configuration": json.dumps({"UserName": "dave"}), "ResourceDeleted": 0},
    )
    runtime = rule_runtime(cloud)
    events = [
        change_event("alice", users["alice"]),  # at risk without a device: the login profile is read
        load("events/config_oversize.json"),
        load("events/config_scheduled.json"),
    ]
    results = [handle(json.dumps(event), context(), runtime) for event in events]
    assert [r["status"] for r in results] == ["reported", "reported", "reported"]
    used = {f"{PERMISSION_SERVICE[c.service]}:{c.action}" for c in cloud.calls}
    assert used == granted_actions()


def operations_in_code() -> set[str]:
    """The permission of each `api.call("op", ...)` / `self._call("op", ...)` / `self._pages("op", ...)`."""
    found: set[str] = set()
    for path in sorted((ROOT / "functions" / "mfa_rule").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("call", "_call", "_pages")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(_action_of(node.args[0].value, path))
    return found


def _action_of(operation: str, path: Path) -> str:
    """RAM and IMS share operation names and their permissions (`ram:<Action>`): one permission."""
    permissions = set()
    for service, client in SDK_CLIENTS.items():
        method = getattr(client, f"{operation}_with_options", None)
        if method is None:
            continue
        match = re.search(r"action\s*=\s*'(\w+)'", inspect.getsource(method))
        assert match is not None, f"no action in the SDK source of {operation}"
        permissions.add(f"{PERMISSION_SERVICE[service]}:{match.group(1)}")
    assert len(permissions) == 1, f"{path.name}: operation {operation!r} maps to {permissions or 'nothing'}"
    return permissions.pop()


def test_every_operation_named_in_the_code_is_granted_and_every_grant_is_named():
    [statement] = assume_grant()["Statement"]
    assert operations_in_code() == granted_actions() | {statement["Action"]}


def test_the_assume_grant_reaches_exactly_the_member_reader_roles():
    from policies import Decision, Request, evaluate, parse_policy

    [statement] = assume_grant()["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": sorted(f"acs:ram::{m}:role/baselinemfarulereader" for m in MEMBERS),
    }
    grant = parse_policy(assume_grant(), "ram", name="assume")

    def decision(resource: str) -> Decision:
        return evaluate([grant], Request("sts:AssumeRole", resource, {})).decision

    assert all(decision(f"acs:ram::{m}:role/baselinemfarulereader") is Decision.ALLOWED for m in MEMBERS)
    assert decision("acs:ram::9999999999999999:role/baselinemfarulereader") is Decision.IMPLICITLY_DENIED
    assert decision(f"acs:ram::{MEMBERS[0]}:role/resourcedirectoryaccountaccessrole") is (
        Decision.IMPLICITLY_DENIED
    )


def test_an_organization_sweep_acts_as_the_function_role_only_to_assume_and_to_report():
    """Under its own token the function only assumes member roles and reports; every RAM read of
    a member goes out under that member's reader token and is one of the reads the reader has."""
    from functions.common.env import Endpoint
    from functions.mfa_rule import members, org_sweep
    from tests.fakes.cloud import FakeCloud
    from tests.fakes.fixtures import TEST_TOKEN

    members.clear_cache()
    org_sweep.clear_member_policy_caches()
    organization = load("snapshots/organization.json")
    ids = tuple(a["accountId"] for a in organization["accounts"])
    with FakeCloud(organization, expected_token=TEST_TOKEN, external_id="x-ext") as fake:
        runtime = rule_runtime(
            fake, members=ids, member_role_name=MEMBER_ROLE, member_external_id="x-ext",
            sts_endpoint=Endpoint(fake.endpoint, "http"),
        )
        event = load("events/config_scheduled.json")
        event["ruleParameters"]["accountScope"] = "organization"
        assert handle(json.dumps(event), context(), runtime)["status"] == "reported"
        calls = list(fake.calls)
    members.clear_cache()

    def permission(call) -> str:
        return f"{PERMISSION_SERVICE[call.service]}:{call.action}"

    own = {permission(c) for c in calls if c.security_token == TEST_TOKEN}
    assumed = [c for c in calls if c.security_token != TEST_TOKEN]
    assert own == {"sts:AssumeRole", "config:PutEvaluations"}
    reader_reads = set(rule_ram_reads(documents.load("ram/mfa-rule-function.json")))
    assert {permission(c) for c in assumed} <= reader_reads
    assert {c.account_id for c in assumed} == set(ids)


def test_the_role_reaches_only_this_account_where_the_api_allows_resources():
    """After `for_account`, every Resource is this account's (or Alibaba's system policies), and
    `*` only for APIs without resource-level permissions."""
    document = documents.for_account(documents.load("ram/mfa-rule-function.json"), "5123456789012345")
    by_resource = {}
    for statement in document["Statement"]:
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for resource in resources:
            by_resource.setdefault(resource, set()).update(statement["Action"])
    assert set(by_resource) == {
        "acs:ram:*:5123456789012345:user/*",
        "acs:ram:*:5123456789012345:group/*",
        "acs:ram:*:5123456789012345:policy/*",
        "acs:ram:*:system:policy/*",
        "acs:ram:*:5123456789012345:mfa/*",
        "acs:config:*:5123456789012345:*",
        "*",
    }
    assert by_resource["*"] == {
        "ram:GenerateCredentialReport",
        "ram:GetCredentialReport",
        "ram:GetSecurityPreference",
    }


def test_the_engine_allows_the_role_this_accounts_users_and_not_another_accounts():
    from policies import Decision, Request, evaluate, parse_policy

    document = documents.for_account(documents.load("ram/mfa-rule-function.json"), "5123456789012345")
    role = parse_policy(document, "ram", name="mfa-rule-function")

    def decision(action: str, resource: str) -> Decision:
        return evaluate([role], Request(action, resource, {})).decision

    assert decision("ram:ListAccessKeys", "acs:ram:*:5123456789012345:user/alice") is Decision.ALLOWED
    assert (
        decision("ram:ListAccessKeys", "acs:ram:*:9999999999999999:user/alice") is Decision.IMPLICITLY_DENIED
    )
    assert decision("ram:GetPolicy", "acs:ram:*:system:policy/AdministratorAccess") is Decision.ALLOWED
    assert (
        decision("ram:CreateAccessKey", "acs:ram:*:5123456789012345:user/alice") is Decision.IMPLICITLY_DENIED
    )
    assert decision("config:PutEvaluations", "acs:config:ap-southeast-1:9999999999999999:*") is (
        Decision.IMPLICITLY_DENIED
    )
