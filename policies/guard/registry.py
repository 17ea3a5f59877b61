"""The check registry: a check is a plain function registered, next to its definition, with
`@register(name, description, level, resource types...)`.

A check takes (resource type, engine-named props, config) and returns its violation messages
for that one resource; an empty list means it passes. Registration order is the order the
checks run and are reported in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from policies.guard.config import GuardConfig
from policies.guard.props import Props

CheckFn = Callable[[str, Props, GuardConfig], list[str]]


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    level: str
    resource_types: tuple[str, ...]
    run: CheckFn


_REGISTERED: list[Check] = []


def register(name: str, description: str, level: str, *resource_types: str) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the check `name` over `resource_types`."""
    if not resource_types:
        raise ValueError(f"guard check {name!r} names no resource type")

    def decorate(run: CheckFn) -> CheckFn:
        if any(check.name == name for check in _REGISTERED):
            raise ValueError(f"guard check {name!r} is registered twice")
        _REGISTERED.append(Check(name, description, level, resource_types, run))
        return run

    return decorate


def registered() -> tuple[Check, ...]:
    return tuple(_REGISTERED)
