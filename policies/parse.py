"""Validate a policy document of one dialect and compile it into a `Policy`.

Dialects:
- `aws`: IAM identity or trust policy, `"Version": "2012-10-17"`, resources `*` or `arn:...`,
  every IAM condition operator, `aws:` global keys.
- `ram`: Alibaba Cloud RAM policy, `"Version": "1"`, resources `*` or `acs:...`, `acs:` global
  keys, only the operators RAM documents (its "Conditional operators" reference lists five kinds:
  String*, Numeric*, Date*, Bool, IpAddress/NotIpAddress): `...IfExists`, `Null`, `Arn*`,
  `BinaryEquals` and `ForAllValues:`/`ForAnyValue:` are errors. Rules only IAM states (unique
  Sids) are not applied: a RAM policy RAM accepted must parse.

Every error is a `PolicyError` whose path names the element, e.g. `Statement[2].Effect`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policies import conditions
from policies.context import scalar_text
from policies.errors import PolicyError
from policies.model import DIALECTS, Condition, Policy, Statement, StatementRef
from policies.variables import parse_template
from policies.wildcard import glob_tokens

VERSIONS = {"aws": "2012-10-17", "ram": "1"}
TOP_LEVEL = {"aws": ("Version", "Id", "Statement"), "ram": ("Version", "Statement")}
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
RESOURCE_PREFIX = {"aws": "arn:", "ram": "acs:"}


def parse_policy(document: Mapping[str, Any] | str, dialect: str, name: str = "") -> Policy:
    """A validated, compiled policy. `document` is the parsed JSON object or its text."""
    if dialect not in DIALECTS:
        raise PolicyError("dialect", f"expected aws or ram, got {dialect!r}")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise PolicyError(
                "document", f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
    if not isinstance(document, Mapping):
        raise PolicyError("document", "expected a JSON object")
    for key in document:
        if key not in TOP_LEVEL[dialect]:
            raise PolicyError(str(key), f"unknown element (expected {', '.join(TOP_LEVEL[dialect])})")
    version = VERSIONS[dialect]
    if "Version" not in document:
        raise PolicyError("Version", f"missing (expected {version!r})")
    if document["Version"] != version:
        raise PolicyError("Version", f"expected {version!r}, got {document['Version']!r}")
    if "Id" in document and not isinstance(document["Id"], str):
        raise PolicyError("Id", "expected a string")
    raw = document.get("Statement")
    if raw is None:
        raise PolicyError("Statement", "missing")
    if isinstance(raw, Mapping) and dialect == "aws":
        raw = [raw]
    if not isinstance(raw, list):
        raise PolicyError("Statement", "expected a list of statements")
    if not raw:
        raise PolicyError("Statement", "expected at least one statement")
    statements = []
    sids: set[str] = set()
    for index, item in enumerate(raw):
        statement = _statement(item, f"Statement[{index}]", index, dialect, name)
        # IAM requires unique Sids; RAM documents no such rule, and rejecting a policy RAM
        # accepted would leave every user holding it without a compliance answer.
        if statement.sid is not None and dialect == "aws":
            if statement.sid in sids:
                raise PolicyError(f"Statement[{index}].Sid", f"duplicate Sid {statement.sid!r}")
            sids.add(statement.sid)
        statements.append(statement)
    return Policy(name=name, dialect=dialect, statements=tuple(statements))


def _statement(item: Any, path: str, index: int, dialect: str, policy: str) -> Statement:
    if not isinstance(item, Mapping):
        raise PolicyError(path, "expected an object")
    for key in item:
        if key not in STATEMENT_ELEMENTS:
            raise PolicyError(f"{path}.{key}", "unknown element")
    sid = item.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{path}.Sid", "expected a string")
    if "Effect" not in item:
        raise PolicyError(f"{path}.Effect", "missing (expected Allow or Deny)")
    effect = item["Effect"]
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"{path}.Effect", "expected Allow or Deny")

    action_key = _one_of(item, path, "Action", "NotAction", required=True)
    actions = _strings(item[action_key], f"{path}.{action_key}")
    for value, where in actions:
        _check_action(value, where)

    principal_key = _one_of(item, path, "Principal", "NotPrincipal", required=False)
    principal = _principal(item[principal_key], f"{path}.{principal_key}") if principal_key else None

    # A trust policy statement names a principal and applies to the role it is attached to.
    resource_key = _one_of(item, path, "Resource", "NotResource", required=principal_key is None)
    resources: tuple[str, ...] | None = None
    resource_parts: tuple = ()
    if resource_key:
        parsed = _strings(item[resource_key], f"{path}.{resource_key}")
        resource_parts = tuple(_resource(value, where, dialect) for value, where in parsed)
        resources = tuple(value for value, _ in parsed)

    conds = _conditions(item.get("Condition"), f"{path}.Condition", dialect) if "Condition" in item else ()

    action_tokens = tuple(glob_tokens(value) for value, _ in actions)
    return Statement(
        ref=StatementRef(policy=policy, index=index, sid=sid, effect=effect),
        effect=effect,
        actions=tuple(value for value, _ in actions),
        not_action=action_key == "NotAction",
        resources=resources,
        not_resource=resource_key == "NotResource",
        conditions=conds,
        principal=principal,
        not_principal=principal_key == "NotPrincipal",
        action_tokens=action_tokens,
        resource_parts=resource_parts,
    )


def _one_of(item: Mapping[str, Any], path: str, first: str, second: str, *, required: bool) -> str | None:
    if first in item and second in item:
        raise PolicyError(path, f"{first} and {second} are mutually exclusive")
    if first in item:
        return first
    if second in item:
        return second
    if required:
        raise PolicyError(path, f"expected {first} or {second}")
    return None


def _strings(value: Any, path: str) -> list[tuple[str, str]]:
    """(value, its path) for a string or a non-empty list of strings."""
    if isinstance(value, str):
        return [(value, path)]
    if not isinstance(value, list):
        raise PolicyError(path, "expected a string or a list of strings")
    if not value:
        raise PolicyError(path, "expected at least one value")
    out = []
    for i, element in enumerate(value):
        if not isinstance(element, str):
            raise PolicyError(f"{path}[{i}]", "expected a string")
        out.append((element, f"{path}[{i}]"))
    return out


def _check_action(value: str, path: str) -> None:
    if value == "*":
        return
    service, sep, name = value.partition(":")
    if not sep or not service or not name or any(c.isspace() for c in value):
        raise PolicyError(path, f"{value!r} is not 'service:action' or '*'")


def _resource(value: str, path: str, dialect: str) -> tuple:
    prefix = RESOURCE_PREFIX[dialect]
    if value != "*" and not value.startswith(prefix):
        raise PolicyError(path, f"{value!r} is not '*' or a resource name starting with {prefix!r}")
    try:
        return parse_template(value, glob=True)
    except ValueError as exc:
        raise PolicyError(path, str(exc)) from None


def _principal(value: Any, path: str) -> tuple[tuple[str, tuple[str, ...]], ...] | str:
    if value == "*":
        return "*"
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(path, 'expected "*" or an object of principal types')
    out = []
    for kind, names in value.items():
        parsed = _strings(names, f"{path}.{kind}")
        out.append((str(kind), tuple(v for v, _ in parsed)))
    return tuple(out)


def _conditions(value: Any, path: str, dialect: str) -> tuple[Condition, ...]:
    if not isinstance(value, Mapping):
        raise PolicyError(path, "expected an object of condition operators")
    out = []
    for operator, body in value.items():
        op_path = f"{path}.{operator}"
        try:
            base, set_op, if_exists = conditions.split_operator(str(operator), dialect)
        except ValueError as exc:
            raise PolicyError(op_path, str(exc)) from None
        if not isinstance(body, Mapping) or not body:
            raise PolicyError(op_path, "expected an object of condition keys")
        spec = conditions.OPERATORS[base]
        for key, raw in body.items():
            key_path = f"{op_path}.{key}"
            try:
                conditions.check_key(str(key), dialect)
            except ValueError as exc:
                raise PolicyError(key_path, str(exc)) from None
            values = _condition_values(raw, key_path)
            matchers = []
            for text, where in values:
                try:
                    matchers.append(conditions.compile_value(spec, text))
                except ValueError as exc:
                    raise PolicyError(where, str(exc)) from None
            out.append(
                Condition(
                    operator=str(operator),
                    base=base,
                    set_op=set_op,
                    if_exists=if_exists,
                    key=str(key),
                    values=tuple(v for v, _ in values),
                    matchers=tuple(matchers),
                )
            )
    return tuple(out)


def _condition_values(raw: Any, path: str) -> list[tuple[str, str]]:
    scalar = scalar_text(raw)
    if scalar is not None:
        return [(scalar, path)]
    if not isinstance(raw, list) or not raw:
        raise PolicyError(path, "expected a string, number, boolean or a non-empty list of them")
    out = []
    for i, element in enumerate(raw):
        scalar = scalar_text(element)
        if scalar is None:
            raise PolicyError(f"{path}[{i}]", "expected a string, number or boolean")
        out.append((scalar, f"{path}[{i}]"))
    return out
