"""The rule function's RAM policy grants exactly the actions its code calls: no fewer, no more.

Proved twice: dynamically, by the actions the fake cloud records while the handler runs a
change notification, an OVERSIZE change notification and a full scheduled sweep through the
real SDKs; statically, by every operation named in `functions/` resolved to its API action
through the SDK clients themselves (so an error path the scenarios do not reach is covered).
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

from alibabacloud_config20200907.client import Client as ConfigClient
from alibabacloud_ram20150501.client import Client as RamClient

from functions.mfa_rule.handler import handle
from policies import documents
from tests.fakes.fixtures import change_event, context, load
from tests.functions.conftest import rule_runtime

ROOT = Path(__file__).resolve().parents[3]
SDK_CLIENTS = {"ram": RamClient, "config": ConfigClient}


def granted_actions() -> set[str]:
    document = documents.load("ram/mfa-rule-function.json")
    actions: list[str] = []
    for statement in document["Statement"]:
        # Only literal actions on Allow: a wildcard or a NotAction would make "exactly" meaningless.
        assert statement["Effect"] == "Allow"
        assert set(statement) == {"Effect", "Action", "Resource"}
        assert statement["Resource"] == "*"
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
    used = {f"{c.service}:{c.action}" for c in cloud.calls}
    assert used == granted_actions()


def operations_in_code() -> set[tuple[str, str]]:
    """(service, API action) of each `api.call("op", ...)` / `self._call("op", ...)` in functions/mfa_rule."""
    found: set[tuple[str, str]] = set()
    for path in sorted((ROOT / "functions" / "mfa_rule").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("call", "_call")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(_action_of(node.args[0].value, path))
    return found


def _action_of(operation: str, path: Path) -> tuple[str, str]:
    owners = [
        (service, client)
        for service, client in SDK_CLIENTS.items()
        if hasattr(client, f"{operation}_with_options")
    ]
    assert len(owners) == 1, f"{path.name}: operation {operation!r} is in {len(owners)} SDK clients"
    service, client = owners[0]
    source = inspect.getsource(getattr(client, f"{operation}_with_options"))
    match = re.search(r"action\s*=\s*'(\w+)'", source)
    assert match is not None, f"no action in the SDK source of {operation}"
    return service, match.group(1)


def test_every_operation_named_in_the_code_is_granted_and_every_grant_is_named():
    assert {f"{service}:{action}" for service, action in operations_in_code()} == granted_actions()
