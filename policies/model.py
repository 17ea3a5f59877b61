"""Values of the policy language: parsed policies, requests and answers (all frozen)."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from policies.matchers import Matcher
from policies.variables import Part, has_variables
from policies.wildcard import Token, union_regex

DIALECTS = ("aws", "ram")


class Decision(str, enum.Enum):
    ALLOWED = "Allowed"
    EXPLICITLY_DENIED = "ExplicitlyDenied"
    IMPLICITLY_DENIED = "ImplicitlyDenied"


@dataclass(frozen=True)
class StatementRef:
    """Where a statement lives: policy name, 0-based index in its Statement list, Sid, Effect."""

    policy: str
    index: int
    sid: str | None
    effect: str

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "index": self.index, "sid": self.sid, "effect": self.effect}


@dataclass(frozen=True)
class Condition:
    """One `operator: {key: values}` entry. `matchers` are the values compiled for the operator."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # the operator without set prefix and IfExists suffix, e.g. "StringLike"
    set_op: str | None  # "ForAllValues", "ForAnyValue" or None
    if_exists: bool
    key: str
    values: tuple[str, ...]
    matchers: tuple[Matcher, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Statement:
    ref: StatementRef
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None  # None: no Resource element (a trust policy statement)
    not_resource: bool
    conditions: tuple[Condition, ...]
    principal: tuple[tuple[str, tuple[str, ...]], ...] | str | None = None
    not_principal: bool = False
    # Compiled forms, built once by the parser.
    action_tokens: tuple[tuple[Token, ...], ...] = field(default=(), compare=False, repr=False)
    resource_parts: tuple[tuple[Part, ...], ...] = field(default=(), compare=False, repr=False)
    # Regular expressions for `evaluate`, compiled on first use: `holds` (the rule) never needs
    # them, and compiling them at parse time was three quarters of parsing (ReadOnlyAccess's
    # 2,425 actions alone), for every policy the rule reads.
    _regex: dict[str, re.Pattern[str] | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def action_regex(self) -> re.Pattern[str] | None:
        if "action" not in self._regex:
            self._regex["action"] = union_regex(self.action_tokens, True) if self.action_tokens else None
        return self._regex["action"]

    @property
    def resource_regex(self) -> re.Pattern[str] | None:
        """None when a pattern has a policy variable (resolved per request instead)."""
        if "resource" not in self._regex:
            plain = self.resource_parts and not any(has_variables(p) for p in self.resource_parts)
            tokens = cast("tuple[tuple[Token, ...], ...]", self.resource_parts)  # no Var when plain
            self._regex["resource"] = union_regex(tokens, False) if plain else None
        return self._regex["resource"]

    @property
    def index(self) -> int:
        return self.ref.index

    @property
    def sid(self) -> str | None:
        return self.ref.sid


@dataclass(frozen=True)
class Policy:
    name: str
    dialect: str  # "aws" | "ram"
    statements: tuple[Statement, ...]


Context = Mapping[str, "str | Sequence[str]"]


@dataclass(frozen=True)
class Request:
    """One API call to decide: action `service:Name`, resource ARN, request context keys."""

    action: str
    resource: str = "*"
    context: Context = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    decision: Decision
    statements: tuple[StatementRef, ...]  # the deciding statements (Denies if denied, else Allows)

    def to_json(self) -> dict[str, Any]:
        return {"decision": self.decision.value, "statements": [s.to_json() for s in self.statements]}


@dataclass(frozen=True)
class Holds:
    holds: bool
    witness: str | None
    statement: StatementRef | None  # the Allow that grants the witness

    def to_json(self) -> dict[str, Any]:
        return {
            "holds": self.holds,
            "witness": self.witness,
            "statement": self.statement.to_json() if self.statement else None,
        }
