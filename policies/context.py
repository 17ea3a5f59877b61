"""Request context normalisation: condition keys are case-insensitive, values are string tuples."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.errors import PolicyError


def scalar_text(value: Any) -> str | None:
    """A JSON scalar as the text IAM compares (`true`/`false` for booleans); None for anything else.
    Shared by condition values in documents and request context values, so both read alike."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return None


def _text(value: Any, path: str) -> str:
    text = scalar_text(value)
    if text is None:
        raise PolicyError(path, "expected a string or a list of strings")
    return text


def normalize(context: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """Lower-cased key -> values. A string is one value; a list or tuple is several."""
    out: dict[str, tuple[str, ...]] = {}
    for key, value in (context or {}).items():
        if not isinstance(key, str) or not key:
            raise PolicyError(f"context[{key!r}]", "expected a non-empty string key")
        path = f"context.{key}"
        if isinstance(value, list | tuple | set | frozenset):
            values = tuple(_text(v, f"{path}[{i}]") for i, v in enumerate(value))
        else:
            values = (_text(value, path),)
        out[key.lower()] = out.get(key.lower(), ()) + values
    return out
