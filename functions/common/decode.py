"""Turning what a trigger delivers (bytes, str, already-parsed JSON, maybe base64) into objects."""

from __future__ import annotations

import base64
import binascii
import json
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


def parse_json(text: str, field: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EventError(
            field, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None


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
    if not compact or len(compact) % 4:
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
