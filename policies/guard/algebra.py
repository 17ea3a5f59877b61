"""Policy-document algebra for the checks: reading a document property and asking the engine
set questions about it (does its Allow union cover every action; what does it allow beyond
the RAM reads)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from policies import Policy, holds, parse_policy
from policies.guard.props import plain
from policies.model import StatementRef

DOC_VERSION = {"ram": "1", "aws": "2012-10-17"}
# The read-only RAM actions; every other `ram:` action changes identities or their grants.
RAM_READ_PATTERNS = ("ram:Get*", "ram:List*")
# Not named Get/List, yet reads: GenerateCredentialReport only (re)builds the account's read-only
# credential report (IMS API reference); it changes no identity, policy or credential.
RAM_READ_ACTIONS = ("ram:GenerateCredentialReport",)


class DocumentError(ValueError):
    """A policy document property that is not a JSON object."""


def document(value: Any) -> Mapping[str, Any]:
    """The policy document as a dict (resources carry it as a JSON string, rarely as an object)."""
    value = plain(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(value, Mapping):
        raise DocumentError("expected a JSON object")
    return value


def statements(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = doc.get("Statement", [])
    return [found] if isinstance(found, Mapping) else list(found)


def allows_every_action(doc: Mapping[str, Any], dialect: str) -> bool:
    """Whether the union of the document's Allow statements covers every action name.

    Decided with the engine: an `Allow *` probe minus each Allow statement's action language
    (turned into an unconditional `Deny` on `*`) holds no action exactly when that union is
    universal. Conditions and resources of the Allows are ignored on purpose: an Allow of
    every action under some condition or on some resource is still an administrator grant,
    and the document's own Denies do not make it least-privilege.
    """
    complement = []
    for statement in statements(doc):
        if statement.get("Effect") != "Allow":
            continue
        deny: dict[str, Any] = {"Effect": "Deny", "Resource": "*"}
        for key in ("Action", "NotAction"):
            if key in statement:
                deny[key] = statement[key]
        complement.append(deny)
    if not complement:
        return False
    probe = parse_policy(
        {"Version": DOC_VERSION[dialect],
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, *complement]},
        dialect, name="allow-all-minus-document")
    return not holds([probe], "*", context={}, unknown_keys=()).holds


def without_ram_reads(doc: Mapping[str, Any], name: str) -> Policy:
    """The document plus an unconditional Deny of the RAM reads: what it still allows in `ram:` writes.

    The Denies go last, so the statement indexes `holds` reports are the document's own.
    """
    reads = {"Effect": "Deny", "Action": [*RAM_READ_PATTERNS, *RAM_READ_ACTIONS], "Resource": "*"}
    return parse_policy({**doc, "Statement": [*statements(doc), reads]}, "ram", name=name)


@lru_cache(maxsize=1)
def aws_allow_all() -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "aws", name="allow-all")


def statement_label(statement: StatementRef | None) -> str:
    if statement is None:
        return ""
    sid = f" {statement.sid!r}" if statement.sid else ""
    return f" (Statement[{statement.index}]{sid})"
