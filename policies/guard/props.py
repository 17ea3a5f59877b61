"""Reading resource properties as the checks need them, whoever hands them over.

`props` are the resource inputs as the Pulumi engine sees them (camelCase names from the
provider schema): CrossGuard's `ResourceValidationArgs.props` at `pulumi preview` (read-only
proxies, numbers as floats) or `baseline.plan.build_plan()`'s recorded inputs (plain JSON).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policies.guard.resource_types import V3_FUNCTION

Props = Mapping[str, Any]


def as_int(value: Any) -> Any:
    """Integral numbers as int: CrossGuard hands numbers over as floats (protobuf Struct)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def plain(value: Any) -> Any:
    """`value` as plain JSON data: dicts, lists, integral numbers as int.

    CrossGuard wraps nested inputs in read-only `Mapping`/`Sequence` proxies (and its config
    arrives with float numbers); the engine and `json` want dicts and lists. Only call this on
    the one property a check reads: the proxy raises on values unknown at preview, and an
    unrelated unknown property must not stop a check.
    """
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(item) for item in value]
    return as_int(value)


def name_of(props: Props, *keys: str) -> str:
    """The first non-empty string among `keys`, for messages; `<unnamed>` when none is known yet."""
    for key in keys:
        value = props.get(key)
        if isinstance(value, str) and value:
            return value
    return "<unnamed>"


def function_name(resource_type: str, props: Props) -> str:
    # FC 3.0 names its function `functionName`; the FC 2.0 resource calls it `name`.
    return name_of(props, "functionName" if resource_type == V3_FUNCTION else "name")


def function_env(props: Props) -> Mapping[str, Any]:
    env = props.get("environmentVariables")
    return env if isinstance(env, Mapping) else {}
