"""Builders for small policies in tests."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from policies import Policy, parse_policy
from policies.conditions import decide_all
from policies.context import normalize
from policies.evaluate import action_matches
from policies.variables import resolve
from policies.wildcard import ANY, STAR, Lang, compile_glob, search

FIXTURES = Path(__file__).parent / "fixtures"


def ram(*statements: dict[str, Any], name: str = "p") -> Policy:
    return parse_policy({"Version": "1", "Statement": list(statements)}, "ram", name)


def aws(*statements: dict[str, Any], name: str = "p") -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, "aws", name)


def power_user_access() -> Policy:
    """The AWS managed PowerUserAccess policy, as AWS publishes it."""
    document = json.loads((FIXTURES / "power-user-access.json").read_text())
    return parse_policy(document, "aws", "PowerUserAccess")


def allowed_resource(
    policies: Policy | Sequence[Policy], action: str, context: Mapping[str, str]
) -> str | None:
    """A resource `action` is allowed on, found over resource languages (None when there is none):
    the Resource/NotResource of the statements that apply to the action in this context, Allows
    minus Denies."""
    values = normalize(context)

    def lookup(key: str) -> tuple[str, ...] | None:
        return values.get(key.lower())

    allows: list[Lang] = []
    denies: list[Lang] = []
    held = [policies] if isinstance(policies, Policy) else policies
    for statement in (s for p in held for s in p.statements):
        if not action_matches(statement, action) or decide_all(statement.conditions, lookup) is not True:
            continue
        if statement.resources is None:
            lang = Lang((), negated=True)  # a trust policy statement: the role itself
        else:
            resolved = [resolve(parts, lookup) for parts in statement.resource_parts]
            globs = tuple(compile_glob(r, False) for r in resolved if isinstance(r, tuple))
            lang = Lang(globs, negated=statement.not_resource)
        (allows if statement.effect == "Allow" else denies).append(lang)
    return search([Lang((compile_glob((ANY, STAR), False),))], allows, denies)
