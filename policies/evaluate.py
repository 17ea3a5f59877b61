"""Decide one request against identity policies of one account, as IAM documents it:
an applicable Deny wins (ExplicitlyDenied), else an applicable Allow (Allowed), else
ImplicitlyDenied. A statement applies when its Action/NotAction matches the action
(case-insensitive), its Resource/NotResource matches the resource (case-sensitive, policy
variables resolved from the context) and all its conditions hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from policies.conditions import decide_all
from policies.context import normalize
from policies.errors import PolicyError
from policies.model import Decision, Evaluation, Policy, Request, Statement, StatementRef
from policies.variables import Lookup, resolve
from policies.wildcard import matches


def action_matches(statement: Statement, action: str) -> bool:
    hit = statement.action_regex is not None and statement.action_regex.fullmatch(action) is not None
    return hit != statement.not_action


def resource_matches(statement: Statement, resource: str, lookup: Lookup) -> bool:
    if statement.resources is None:
        return True  # trust policy: the resource is the role the policy is attached to
    if statement.resource_regex is not None:
        hit = statement.resource_regex.fullmatch(resource) is not None
    else:
        hit = False
        for parts in statement.resource_parts:
            tokens = resolve(parts, lookup)
            if isinstance(tokens, tuple) and matches(tokens, resource):
                hit = True
                break
    return hit != statement.not_resource


def applies(statement: Statement, request: Request, lookup: Lookup) -> bool:
    return (
        action_matches(statement, request.action)
        and resource_matches(statement, request.resource, lookup)
        and decide_all(statement.conditions, lookup) is True
    )


def evaluate(policies: Sequence[Policy], request: Request) -> Evaluation:
    if not isinstance(request.action, str) or not request.action:
        raise PolicyError("request.action", "expected a non-empty action name")
    context = normalize(request.context)

    def lookup(key: str) -> tuple[str, ...] | None:
        return context.get(key.lower())

    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    for policy in policies:
        for statement in policy.statements:
            if statement.effect == "Allow" and denies:
                continue  # the answer is already a Deny; only more Denies matter
            if applies(statement, request, lookup):
                (denies if statement.effect == "Deny" else allows).append(statement.ref)
    if denies:
        return Evaluation(Decision.EXPLICITLY_DENIED, tuple(denies))
    if allows:
        return Evaluation(Decision.ALLOWED, tuple(allows))
    return Evaluation(Decision.IMPLICITLY_DENIED, ())
