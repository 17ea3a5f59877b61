"""Exemption lists from the environment (`EXEMPT_USERS`, `EXEMPT_BUCKETS`), as the components set them.

The value is compact JSON: `[{"name", "owner", "reason", "expires": "YYYY-MM-DD"}]`. The stack
already refused entries without expiry or expired at deploy time; the function still checks the
date against its own clock, so an entry stops applying on the day after `expires` (UTC) even when
nobody redeploys.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from functions.common.env import SettingsError

FIELDS = ("name", "owner", "reason", "expires")


@dataclass(frozen=True)
class Exemption:
    name: str
    owner: str
    reason: str
    expires: datetime.date

    def applies_on(self, day: datetime.date) -> bool:
        return day <= self.expires

    def annotation(self) -> str:
        return f"exempt until {self.expires.isoformat()}: {self.reason} ({self.owner})"


def parse(text: str, name: str) -> tuple[Exemption, ...]:
    """The exemptions in `text`; a malformed list is a settings error naming `name[i].field`."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{name}: not valid JSON ({exc.msg})") from None
    if not isinstance(raw, list):
        raise SettingsError(f"{name}: expected a JSON list")
    entries = []
    for index, item in enumerate(raw):
        where = f"{name}[{index}]"
        if not isinstance(item, Mapping):
            raise SettingsError(f"{where}: expected a JSON object")
        for field in FIELDS:
            if not isinstance(item.get(field), str) or not item[field].strip():
                raise SettingsError(f"{where}.{field}: expected a non-empty string")
        try:
            expires = datetime.date.fromisoformat(item["expires"])
        except ValueError:
            raise SettingsError(f"{where}.expires: {item['expires']!r} is not a YYYY-MM-DD date") from None
        entries.append(Exemption(item["name"], item["owner"], item["reason"], expires))
    return tuple(entries)


def from_env(environ: Mapping[str, str], name: str) -> tuple[Exemption, ...]:
    value = environ.get(name, "").strip()
    return parse(value, name) if value else ()


def find(entries: Iterable[Exemption], name: str, day: datetime.date) -> Exemption | None:
    """The exemption of `name` that still applies on `day`, if any."""
    return next((e for e in entries if e.name == name and e.applies_on(day)), None)
