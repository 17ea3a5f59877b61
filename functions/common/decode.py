"""Turning what a trigger delivers (bytes, str, already-parsed JSON, maybe base64) into objects."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from functions.common.errors import EventError


def as_text(raw: object, field: str = "event") -> str:
    """The event as text; FC hands python handlers bytes, tests and other runtimes may pass str."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        try:
            return bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EventError(field, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if isinstance(raw, str):
        return raw
    raise EventError(field, f"expected bytes or str, got {type(raw).__name__}")


# Bounds on what a trigger may hand over. A Config rule event carries one configuration item
# (Config sends `configurationType: OVERSIZE` instead of items it considers too large) and an MNS
# message body is at most 64 KiB (MNS quotas), so 1 MiB of text and 64 levels of nesting
# are far beyond any real event; anything larger is rejected, naming the field, before it
# can exhaust the parser (deep nesting raises RecursionError; an integer over 4,300 digits
# hits Python's int conversion limit).
MAX_JSON_CHARS = 1 << 20
MAX_JSON_DEPTH = 64
MAX_INT_DIGITS = 20  # epoch milliseconds and account ids are at most 16 digits


class _TooLong(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _TooLong(f"an integer of {len(text.lstrip('-'))} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def parse_json(text: str, field: str) -> Any:
    """JSON text within the size, depth and integer bounds above; EventError(field) otherwise."""
    if len(text) > MAX_JSON_CHARS:
        raise EventError(field, f"{len(text)} characters of JSON (at most {MAX_JSON_CHARS})")
    try:
        value = json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise EventError(
            field, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except _TooLong as exc:
        raise EventError(field, f"JSON holds {exc}") from None
    except RecursionError:
        raise EventError(field, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise EventError(field, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, iteratively (a recursive walk is what the bound protects)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


_DECIMAL = re.compile(r"[0-9]+")


def is_decimal(text: str) -> bool:
    """ASCII digits only: `str.isdigit()` also accepts `²` or `١`, which are no account id."""
    return _DECIMAL.fullmatch(text) is not None


def json_object(value: object, field: str) -> dict[str, Any]:
    """A JSON object given either as a mapping or as a JSON string (Config nests JSON in strings)."""
    if isinstance(value, str):
        value = parse_json(value, field)
    if not isinstance(value, Mapping):
        raise EventError(field, f"expected a JSON object, got {_kind(value)}")
    return dict(value)


def b64_text(text: str) -> str | None:
    """The UTF-8 text inside a strict base64 string, or None if `text` is not base64 of UTF-8."""
    compact = "".join(text.split())
    # Not ASCII (`你好世界`, 4 characters) cannot be base64; b64decode would raise ValueError on it.
    if not compact or len(compact) % 4 or not compact.isascii():
        return None
    try:
        return base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def require(mapping: Mapping[str, Any], key: str, field: str) -> Any:
    if key not in mapping or mapping[key] is None:
        raise EventError(field, "missing")
    return mapping[key]


def require_str(mapping: Mapping[str, Any], key: str, field: str) -> str:
    value = require(mapping, key, field)
    if not isinstance(value, str):
        raise EventError(field, f"expected a string, got {_kind(value)}")
    if not value.strip():
        raise EventError(field, "empty")
    return value


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__
