"""Stack settings: the one place that reads `pulumi.Config` (or a stack YAML file) and validates it.

Reads the declarations of `components.settings.model` generically: every field is checked once,
here; components receive the frozen objects and never see raw config. `load_settings()` reads the
running Pulumi program's config, `load_stack_file(path)` reads `stacks/Pulumi.<stack>.yaml` for
`plan`, the tests and the CLI, and both go through `settings_from_config(mapping)`, so a file that
plans is a file that deploys.

Problems are collected, not raised one at a time: `SettingsError.problems` lists every
`<full key>: <reason>` line (e.g. `baseline:complianceRule.dangerousActions[1]: 'ecs*' is not
'service:action'`). Unknown keys are errors, with a suggestion when the key looks like a typo of a
known one.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import json
import re
import types
import typing
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from components.settings.model import Settings
from components.settings.spec import Context, Spec, config_key, is_required, spec_of

NAMESPACE = "baseline"
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SettingsError(ValueError):
    """Invalid stack configuration; `problems` holds one `<key>: <reason>` line per problem."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


# --- what a declared field is ------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Declared:
    """One field with what the loader and the renderer need: its key, spec and kind."""

    field: dataclasses.Field[Any]
    key: str
    spec: Spec
    kind: str  # boolean | integer | string | date | strings | section | records
    optional: bool  # `X | None`: may be absent (None)
    item: type | None  # the dataclass of a section or of a record list's entries

    @property
    def required(self) -> bool:
        return is_required(self.field)

    @property
    def default(self) -> Any:
        return self.field.default


def _kind(hint: Any) -> tuple[str, bool, type | None]:
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional, hint = True, args[0]
    if hint is bool:
        return "boolean", optional, None
    if hint is int:
        return "integer", optional, None
    if hint is str:
        return "string", optional, None
    if hint is datetime.date:
        return "date", optional, None
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        if item is str:
            return "strings", optional, None
        if dataclasses.is_dataclass(item):
            return "records", optional, item  # type: ignore[return-value]
    if dataclasses.is_dataclass(hint):
        return "section", optional, hint  # type: ignore[return-value]
    raise TypeError(f"unsupported settings type {hint!r}")


@cache
def declared(cls: type) -> tuple[Declared, ...]:
    """The declared fields of a settings dataclass, in declaration order."""
    hints = typing.get_type_hints(cls)
    result = []
    for field in dataclasses.fields(cls):
        kind, optional, item = _kind(hints[field.name])
        result.append(Declared(field, config_key(field), spec_of(field), kind, optional, item))
    return tuple(result)


# --- reading ---------------------------------------------------------------------------------

def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime.date):
        return f"date {value.isoformat()}"
    return type(value).__name__


def suggestion(name: str, known: Iterable[str], prefix: str = "") -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{prefix}{close[0]}'?)" if close else ""


_INVALID = object()  # a value that failed validation (its problem is already recorded)


class _Reader:
    def __init__(self, root: Mapping[str, Any], context: Context) -> None:
        self.root = root
        self.context = context
        self.problems: list[str] = []

    def problem(self, key: str, reason: str) -> None:
        self.problems.append(f"{key}: {reason}")

    def mapping(self, key: str, raw: Any) -> Mapping[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.problem(key, f"expected a mapping, got {describe(raw)}")
            return {}
        return raw

    def build(self, cls: type, prefix: str, raw: Mapping[str, Any]) -> Any:
        """An instance of `cls` from the mapping at `prefix` (invalid fields take their default)."""
        values: dict[str, Any] = {}
        own_keys = set()
        for item in declared(cls):
            namespaced = ":" in item.key
            full = full_key(prefix, item.key)
            source = self.root if namespaced else raw
            if not namespaced:
                own_keys.add(item.key)
            value = self.value(item, full, source.get(item.key))
            if value is _INVALID:
                # Its problem is recorded; the default keeps cross-field checks meaningful.
                value = None if item.required else item.default
            values[item.field.name] = value
        renamed = {old: item.key for item in declared(cls) for old in item.spec.formerly}
        for name in raw:
            if name in renamed:
                self.problem(full_key(prefix, str(name)), f"unknown key (renamed to '{renamed[name]}')")
            elif name not in own_keys:
                self.problem(full_key(prefix, str(name)), "unknown key" + suggestion(str(name), own_keys))
        validate = getattr(cls, "validate", None)
        if validate is not None:
            validate(values, lambda key, reason: self.problem(full_key(prefix, key), reason), self.context)
        return cls(**values)

    def value(self, item: Declared, key: str, raw: Any) -> Any:
        # Pulumi hands an unset provider key (`alicloud:region`) over as empty text.
        if raw is None or (raw == "" and ":" in item.key):
            if item.kind == "section" and not item.optional:
                if item.required:
                    self.problem(key, "required")
                return self.build(item.item, key, {})  # type: ignore[arg-type]
            if item.required:
                self.problem(key, "required")
                return _INVALID
            return item.default
        spec = item.spec
        if spec.parse is not None:
            value, problems = spec.parse(raw)
            for where, reason in problems:
                self.problem(f"{key}{where}", reason)
            return _INVALID if problems else value
        reader = getattr(self, f"_{item.kind}")
        return reader(item, key, raw)

    def _section(self, item: Declared, key: str, raw: Any) -> Any:
        return self.build(item.item, key, self.mapping(key, raw))  # type: ignore[arg-type]

    def _boolean(self, item: Declared, key: str, raw: Any) -> Any:
        if not isinstance(raw, bool):
            self.problem(key, f"expected true or false, got {describe(raw)}")
            return _INVALID
        return raw

    def _integer(self, item: Declared, key: str, raw: Any) -> Any:
        spec = item.spec
        # bool is an int in Python; `true` for a number is a config mistake, not 1.
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.problem(key, f"expected an integer, got {describe(raw)}")
            return _INVALID
        if spec.choices and raw not in spec.choices:
            self.problem(key, f"{raw} is not one of {', '.join(map(str, spec.choices))}")
            return _INVALID
        if spec.low is not None and spec.high is not None and not spec.low <= raw <= spec.high:
            self.problem(key, f"{raw} is out of range {spec.low}..{spec.high}")
            return _INVALID
        if spec.multiple_of and raw % spec.multiple_of:
            self.problem(key, f"{raw} is not a multiple of {spec.multiple_of}")
            return _INVALID
        return raw

    def _string(self, item: Declared, key: str, raw: Any) -> Any:
        spec = item.spec
        if not isinstance(raw, str) or not raw.strip():
            self.problem(key, f"expected a non-empty string, got {describe(raw)}")
            return _INVALID
        if spec.choices and raw not in spec.choices:
            self.problem(key, f"{raw!r} is not one of {', '.join(map(str, spec.choices))}")
            return _INVALID
        # fullmatch: `$` alone would let a trailing newline through into the resource.
        if spec.pattern is not None and not spec.pattern.fullmatch(raw):
            self.problem(key, f"{raw!r} is not {spec.what}")
            return _INVALID
        return raw

    def _date(self, item: Declared, key: str, raw: Any) -> Any:
        # YAML reads an unquoted 2027-01-31 as a date already; Pulumi config hands it over as text.
        if isinstance(raw, datetime.date) and not isinstance(raw, datetime.datetime):
            return raw
        if isinstance(raw, str) and DATE_TEXT.match(raw):
            try:
                return datetime.date.fromisoformat(raw)
            except ValueError:
                pass
        self.problem(key, f"expected a YYYY-MM-DD date, got {describe(raw)}")
        return _INVALID

    def _strings(self, item: Declared, key: str, raw: Any) -> Any:
        if isinstance(raw, str) or not isinstance(raw, list):
            self.problem(key, f"expected a list of strings, got {describe(raw)}")
            return _INVALID
        if item.spec.non_empty and not raw:
            self.problem(key, "must not be empty")
            return _INVALID
        items: list[str] = []
        ok = True
        for index, entry in enumerate(raw):
            where = f"{key}[{index}]"
            if not isinstance(entry, str):
                self.problem(where, f"expected a string, got {describe(entry)}")
                ok = False
                continue
            entry = entry.strip()
            reason = item.spec.item_check(entry) if item.spec.item_check else None
            if reason is not None:
                self.problem(where, reason)
                ok = False
            elif entry in items:
                self.problem(where, f"{entry!r} is listed twice")
                ok = False
            else:
                items.append(entry)
        return tuple(items) if ok else _INVALID

    def _records(self, item: Declared, key: str, raw: Any) -> Any:
        if not isinstance(raw, list):
            self.problem(key, f"expected a list of mappings, got {describe(raw)}")
            return _INVALID
        before = len(self.problems)
        entries = []
        seen: set[Any] = set()
        for index, entry in enumerate(raw):
            where = f"{key}[{index}]"
            if not isinstance(entry, Mapping):
                self.problem(where, f"expected a mapping, got {describe(entry)}")
                continue
            record = self.build(item.item, where, entry)  # type: ignore[arg-type]
            unique = item.spec.unique_by
            if unique is not None:
                value = getattr(record, unique)
                if value in seen:
                    self.problem(f"{where}.{unique}", f"{value!r} is listed twice")
                seen.add(value)
            entries.append(record)
        return tuple(entries) if len(self.problems) == before else _INVALID


def settings_from_config(
    config: Mapping[str, Any],
    *,
    today: datetime.date | None = None,
    secret_keys: Iterable[str] = (),
) -> Settings:
    """Validate a whole stack config (`{"alicloud:region": ..., "baseline:complianceRule": {...}}`).

    `today` is the date expiries are judged against (the tests pin it; default: today, UTC).
    `secret_keys` are the top-level keys Pulumi holds as secrets (their values arrive decrypted).
    """
    when = today or datetime.datetime.now(datetime.timezone.utc).date()
    reader = _Reader(config, Context(today=when, secret_keys=frozenset(secret_keys)))
    section_keys = {item.key for item in declared(Settings) if ":" not in item.key}
    sections: dict[str, Any] = {}
    for key, value in config.items():
        namespace, _, name = str(key).partition(":")
        if namespace != NAMESPACE:
            continue  # provider and other namespaces: Pulumi and the providers validate those
        if name not in section_keys:
            reader.problem(str(key), "unknown key" + suggestion(name, section_keys, f"{NAMESPACE}:"))
            continue
        if isinstance(value, str):
            # `pulumi config set --path` objects reach the program as JSON text.
            try:
                value = json.loads(value)
            except ValueError:
                reader.problem(str(key), f"expected a mapping, got {describe(value)}")
                continue
        sections[name] = value
    settings = reader.build(Settings, NAMESPACE, sections)
    if reader.problems:
        raise SettingsError(reader.problems)
    return settings


def full_key(prefix: str, key: str) -> str:
    """`baseline` + `complianceRule` -> `baseline:complianceRule`; deeper levels join with `.`."""
    if ":" in key:
        return key
    return f"{prefix}:{key}" if prefix == NAMESPACE else f"{prefix}.{key}"


# --- sources ---------------------------------------------------------------------------------

def read_stack_config(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a `Pulumi.<stack>.yaml` file (YAML errors become SettingsError)."""
    import yaml  # only the CLI and tests read files; the Pulumi program never pays for it

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SettingsError([f"{path.name}: not valid YAML ({exc})"]) from exc
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise SettingsError([f"{path.name}: expected a mapping with a 'config' key"])
    config = document.get("config") or {}
    if not isinstance(config, Mapping):
        raise SettingsError([f"{path.name}: config: expected a mapping, got {describe(config)}"])
    return dict(config)


def load_stack_file(path: Path, *, today: datetime.date | None = None) -> Settings:
    return settings_from_config(read_stack_config(path), today=today)


def pulumi_config_values() -> dict[str, Any]:
    """Every config value the running program was given (explicit config and PULUMI_CONFIG)."""
    from components import pulumi_sdk  # imports pulumi: only when a program runs

    return pulumi_sdk.config_values()


def load_settings() -> Settings:
    """Settings of the running Pulumi program."""
    from components import pulumi_sdk

    values = pulumi_config_values()
    return settings_from_config(values, secret_keys=pulumi_sdk.secret_config_keys(values))


def flatten_for_pulumi(config: Mapping[str, Any]) -> dict[str, str]:
    """Stack file config as the Pulumi engine hands it to a program: objects as JSON text."""
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
