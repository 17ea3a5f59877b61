"""Condition operators: which exist in each dialect, how their values are validated and compiled,
and how one condition is decided against a request context.

Decisions are three-valued so `holds` can reason about keys the caller cannot know:
True, False, or None (unknown). `evaluate` never passes unknown keys, so it only sees True/False.

Semantics (as IAM documents them): the values of one key are OR'ed; a negated operator
(StringNotEquals, NotIpAddress, ...) is true when no value matches; a key absent from the context
makes an operator false, except `...IfExists` (true), negated operators (true), `Null`, and
`ForAllValues:` (true: every one of zero values matches).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from policies.matchers import Flag, Literal, Matcher, Network, Number, Text
from policies.model import Condition
from policies.variables import UNKNOWN, Lookup, literal_text, parse_template, resolve
from policies.wildcard import Token, matches

Tri = bool | None


@dataclass(frozen=True)
class Operator:
    kind: str  # string | string_ci | like | arn | numeric | date | bool | ip | binary | null
    compare: str  # eq | lt | le | gt | ge
    negated: bool
    ram: bool  # also part of the RAM dialect


def _ops() -> dict[str, Operator]:
    ops: dict[str, Operator] = {
        "StringEquals": Operator("string", "eq", False, True),
        "StringNotEquals": Operator("string", "eq", True, True),
        "StringEqualsIgnoreCase": Operator("string_ci", "eq", False, True),
        "StringNotEqualsIgnoreCase": Operator("string_ci", "eq", True, True),
    }
    ops["StringLike"] = Operator("like", "eq", False, True)
    ops["StringNotLike"] = Operator("like", "eq", True, True)
    for family, kind in (("Numeric", "numeric"), ("Date", "date")):
        ops[f"{family}Equals"] = Operator(kind, "eq", False, True)
        ops[f"{family}NotEquals"] = Operator(kind, "eq", True, True)
        for suffix, cmp in (
            ("LessThan", "lt"),
            ("LessThanEquals", "le"),
            ("GreaterThan", "gt"),
            ("GreaterThanEquals", "ge"),
        ):
            ops[f"{family}{suffix}"] = Operator(kind, cmp, False, True)
    ops["Bool"] = Operator("bool", "eq", False, True)
    ops["IpAddress"] = Operator("ip", "eq", False, True)
    ops["NotIpAddress"] = Operator("ip", "eq", True, True)
    ops["BinaryEquals"] = Operator("binary", "eq", False, False)
    ops["ArnEquals"] = Operator("arn", "eq", False, False)
    ops["ArnLike"] = Operator("arn", "eq", False, False)
    ops["ArnNotEquals"] = Operator("arn", "eq", True, False)
    ops["ArnNotLike"] = Operator("arn", "eq", True, False)
    ops["Null"] = Operator("null", "eq", False, False)
    return ops


OPERATORS = _ops()
SET_OPERATORS = ("ForAllValues", "ForAnyValue")
GLOBAL_KEY_PREFIX = {"aws": "aws:", "ram": "acs:"}


def split_operator(operator: str, dialect: str) -> tuple[str, str | None, bool]:
    """(base, set operator, IfExists) of an operator as written. Raises ValueError(reason)."""
    set_op = None
    rest = operator
    prefix, sep, tail = operator.partition(":")
    if sep:
        if prefix not in SET_OPERATORS:
            raise ValueError("unknown condition operator")
        set_op, rest = prefix, tail
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    base = rest[: -len("IfExists")] if if_exists else rest
    spec = OPERATORS.get(base)
    if spec is None:
        raise ValueError("unknown condition operator")
    if dialect == "ram":
        # Set operators are RAM syntax too: Alibaba's own system policy
        # AliyunAliyunAdcpManagedLogRolePolicy uses ForAnyValue:StringEquals
        # (https://www.alibabacloud.com/help/en/ram/developer-reference/aliyunaliyunadcpmanagedlogrolepolicy).
        if if_exists:
            raise ValueError("...IfExists operators are not supported in ram documents")
        if not spec.ram:
            raise ValueError(f"{base} is not supported in ram documents")
    if base == "Null" and (if_exists or set_op):
        raise ValueError("Null takes neither IfExists nor a set operator")
    return base, set_op, if_exists


def check_key(key: str, dialect: str) -> None:
    """Raises ValueError(reason) for a key that is not `service:name` or belongs to the other dialect."""
    service, sep, name = key.partition(":")
    if not sep or not service or not name or any(c.isspace() for c in key):
        raise ValueError(f"{key!r} is not a 'service:name' condition key")
    other = GLOBAL_KEY_PREFIX["aws" if dialect == "ram" else "ram"]
    if key.lower().startswith(other):
        raise ValueError(
            f"{key!r} is not a {dialect} condition key (global keys start with {GLOBAL_KEY_PREFIX[dialect]})"
        )


# ---- values -----------------------------------------------------------------------------


def parse_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_ISO_8601 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_date(text: str) -> float | None:
    """Seconds since the epoch of an ISO 8601 date/time (no offset means UTC) or an epoch number.

    Parsed by hand: `datetime.fromisoformat` on the functions' python3.10 runtime rejects `Z`
    and fractions that are not 3 or 6 digits long."""
    number = parse_number(text)
    if number is not None:
        return number
    found = _ISO_8601.fullmatch(text.strip())
    if not found:
        return None
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=_zone(offset),
        )
    except ValueError:
        return None
    return moment.timestamp() + (float(f"0.{fraction}") if fraction else 0.0)


def _zone(offset: str | None) -> timezone:
    if offset is None or offset in ("Z", "z"):
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return timezone(sign * timedelta(minutes=minutes))


def compile_value(spec: Operator, value: str) -> Matcher:
    """The value in the form the operator compares. Raises ValueError(reason)."""
    kind = spec.kind
    if kind in ("string", "string_ci"):
        return Text(parse_template(value, glob=False))
    if kind in ("like", "arn"):
        return Text(parse_template(value, glob=True))
    if kind == "numeric":
        number = parse_number(value)
        if number is None:
            raise ValueError(f"{value!r} is not a number")
        return Number(number)
    if kind == "date":
        moment = parse_date(value)
        if moment is None:
            raise ValueError(f"{value!r} is not an ISO 8601 date or epoch seconds")
        return Number(moment)
    if kind in ("bool", "null"):
        if value.lower() not in ("true", "false"):
            raise ValueError(f"{value!r} is not true or false")
        return Flag(value.lower() == "true")
    if kind == "ip":
        try:
            return Network(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or CIDR block") from None
    return Literal(value)


# ---- decisions --------------------------------------------------------------------------


def tri_or(values: Iterable[Tri]) -> Tri:
    result: Tri = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


def tri_and(values: Iterable[Tri]) -> Tri:
    result: Tri = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def tri_not(value: Tri) -> Tri:
    return None if value is None else not value


def _ordered(cmp: str, left: float, right: float) -> bool:
    if cmp == "eq":
        return left == right
    if cmp == "lt":
        return left < right
    if cmp == "le":
        return left <= right
    if cmp == "gt":
        return left > right
    return left >= right


def _arn_segments(tokens: tuple[Token, ...]) -> list[tuple[Token, ...]]:
    segments: list[list[Token]] = [[]]
    for tok in tokens:
        if tok == ":" and len(segments) < 6:
            segments.append([])
        else:
            segments[-1].append(tok)
    return [tuple(s) for s in segments]


def _arn_matches(tokens: tuple[Token, ...], value: str) -> bool:
    # IAM compares the six colon-separated parts one by one; a `*` never spans a colon
    # before the resource part.
    pattern = _arn_segments(tokens)
    actual = value.split(":", 5)
    if len(pattern) != 6 or len(actual) != 6:
        return False
    return all(matches(p, a) for p, a in zip(pattern, actual, strict=True))


def _text_matches(kind: str, matcher: Text, value: str, lookup: Lookup) -> Tri:
    tokens = resolve(matcher.parts, lookup)
    if tokens is UNKNOWN:
        return None
    if tokens is None:
        return False
    if kind == "string":
        return literal_text(tokens) == value
    if kind == "string_ci":
        return literal_text(tokens).casefold() == value.casefold()
    if kind == "like":
        return matches(tokens, value)
    return _arn_matches(tokens, value)


def _positive(spec: Operator, matcher: Matcher, value: str, lookup: Lookup) -> Tri:
    """Does one context value match one policy value (before negation)?"""
    if isinstance(matcher, Text):
        return _text_matches(spec.kind, matcher, value, lookup)
    if isinstance(matcher, Number):
        parse = parse_number if spec.kind == "numeric" else parse_date
        number = parse(value)
        return number is not None and _ordered(spec.compare, number, matcher.value)
    if isinstance(matcher, Flag):
        return value.lower() == ("true" if matcher.value else "false")
    if isinstance(matcher, Network):
        try:
            return ipaddress.ip_address(value.strip()) in matcher.network
        except ValueError:
            return False
    return value == matcher.text


def decide(condition: Condition, lookup: Lookup) -> Tri:
    """True / False / None (depends on a key the caller cannot know)."""
    spec = OPERATORS[condition.base]
    values = lookup(condition.key)
    if values is UNKNOWN:
        return None
    present = bool(values)
    if spec.kind == "null":
        # Null: true means "the key is absent", false "the key is present"; values OR'ed.
        return any(isinstance(m, Flag) and m.value != present for m in condition.matchers)
    if not present:
        if condition.set_op == "ForAllValues" or condition.if_exists:
            return True
        if condition.set_op == "ForAnyValue":
            return False
        return spec.negated

    def per_value(value: str) -> Tri:
        hit = tri_or(_positive(spec, m, value, lookup) for m in condition.matchers)
        return tri_not(hit) if spec.negated else hit

    results = [per_value(v) for v in values or ()]
    if condition.set_op == "ForAllValues":
        return tri_and(results)
    if condition.set_op == "ForAnyValue" or not spec.negated:
        return tri_or(results)
    # A negated operator without a set operator: no context value may match any policy value.
    return tri_and(results)


def decide_all(conditions: Iterable[Condition], lookup: Lookup) -> Tri:
    """Several operators and keys are AND'ed."""
    return tri_and(decide(c, lookup) for c in conditions)
