"""Builders for small policies in tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policies import Policy, parse_policy

FIXTURES = Path(__file__).parent / "fixtures"


def ram(*statements: dict[str, Any], name: str = "p") -> Policy:
    return parse_policy({"Version": "1", "Statement": list(statements)}, "ram", name)


def aws(*statements: dict[str, Any], name: str = "p") -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, "aws", name)


def power_user_access() -> Policy:
    """The AWS managed PowerUserAccess policy, as AWS publishes it."""
    document = json.loads((FIXTURES / "power-user-access.json").read_text())
    return parse_policy(document, "aws", "PowerUserAccess")
