"""How a setting is declared: `setting(default, help=..., low=.., high=.., ...)` on a dataclass field.

A settings dataclass field is the whole declaration of one key: its Python type (the annotation)
is the config type, the field default is the key's default (no default: the key is required), and
`Spec` holds the rest: help text, range, choices, pattern, item check. The loader
(`components.settings.loader`), the project-level `config:` block of `Pulumi.yaml` and the key
table of `stacks/README.md` (`components.settings.render`) all read it from there.

The config key is the field name in camelCase (`ram_max_concurrency` -> `ramMaxConcurrency`)
unless `key=` says otherwise; a key with a namespace (`aws:region`) is read from the top level of
the stack config rather than from the section.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# (sub-path, reason) pairs; sub-path "" means the key itself, "[1]" its second item.
Problems = Sequence[tuple[str, str]]
Parser = Callable[[Any], tuple[Any, Problems]]


@dataclass(frozen=True)
class Context:
    """What validation may depend on besides the config itself."""

    today: datetime.date
    # Top-level config keys the source holds as Pulumi secrets (`pulumi config set --secret`).
    secret_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Spec:
    help: str
    key: str | None = None
    low: int | None = None
    high: int | None = None
    multiple_of: int | None = None
    choices: tuple[Any, ...] = ()
    pattern: re.Pattern[str] | None = None
    # What a value that fails `pattern` is not, e.g. "a valid FC function name".
    what: str = "a valid value"
    # Checks one item of a list of strings: None when valid, else the reason.
    item_check: Callable[[str], str | None] | None = None
    # Reads the raw value itself (for grammars the generic kinds cannot express).
    parse: Parser | None = None
    # How the README and Pulumi.yaml describe the value when the type alone does not say.
    accepts: str | None = None
    # How the README shows the default when the literal would mislead (e.g. "none").
    shown_default: str | None = None
    # Record lists: the field whose value must be unique across entries.
    unique_by: str | None = None
    # Lists: an empty list is a mistake, not "none".
    non_empty: bool = False
    # Keys this one replaced: a stack still using one is told the new name.
    formerly: tuple[str, ...] = ()


def setting(default: Any = dataclasses.MISSING, *, help: str, **spec: Any) -> Any:
    """A settings field: `default` omitted means the key is required."""
    metadata = {"setting": Spec(help=help, **spec)}
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def spec_of(field: dataclasses.Field[Any]) -> Spec:
    spec = field.metadata.get("setting")
    if not isinstance(spec, Spec):
        raise TypeError(f"settings field {field.name!r} is not declared with setting()")
    return spec


def config_key(field: dataclasses.Field[Any]) -> str:
    spec = spec_of(field)
    if spec.key is not None:
        return spec.key
    head, *rest = field.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def is_required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def check_cidr(item: str) -> str | None:
    try:
        ipaddress.ip_network(item, strict=True)
    except ValueError as exc:
        return f"{item!r} is not a CIDR network ({exc})"
    return None


def one_of(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    """An item check: the item must be one of `choices`."""

    def check(item: str) -> str | None:
        return None if item in choices else f"{item!r} is not one of {', '.join(choices)}"

    return check


def matches(pattern: re.Pattern[str], what: str) -> Callable[[str], str | None]:
    """An item check: the item must match `pattern`, else it "is not <what>"."""

    def check(item: str) -> str | None:
        return None if pattern.fullmatch(item) else f"{item!r} is not {what}"

    return check
