"""Reading function settings from environment variables, each error naming the variable."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass


class SettingsError(ValueError):
    """A setting that cannot be used; the message starts with the variable name."""


# Plain ASCII numerals only: int() and float() also take `١٢`, `1_000` or `nan`.
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_NUMBER = re.compile(r"[+-]?([0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18})")

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def level(environ: Mapping[str, str], name: str, default: str = "INFO") -> str:
    value = environ.get(name, default).strip().upper() or default
    if value not in LEVELS:
        raise SettingsError(f"{name}: expected one of {', '.join(LEVELS)}, got {environ.get(name)!r}")
    return value


def integer(environ: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not _INTEGER.fullmatch(raw):
        raise SettingsError(f"{name}: expected an integer, got {raw!r}")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name}: expected {minimum}..{maximum}, got {value}")
    return value


def number(environ: Mapping[str, str], name: str, default: float, minimum: float, maximum: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not _NUMBER.fullmatch(raw):
        raise SettingsError(f"{name}: expected a number, got {raw!r}")
    value = float(raw)
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name}: expected {minimum:g}..{maximum:g}, got {value:g}")
    return value


def boolean(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"true", "1", "yes"}:
        return True
    if raw in {"false", "0", "no"}:
        return False
    raise SettingsError(f"{name}: expected true or false, got {environ.get(name)!r}")


@dataclass(frozen=True)
class Endpoint:
    host: str  # host[:port], as the SDKs take it
    protocol: str  # "https", or "http" for loopback only

    @property
    def url(self) -> str:
        return f"{self.protocol}://{self.host}"


def endpoint(value: str, name: str) -> Endpoint:
    """An endpoint override. Plain HTTP is accepted for loopback only (the tests' fake cloud):

    signed requests carry the STS token, so they must never cross a network unencrypted.
    """
    raw = value.strip()
    protocol = ""
    if "://" in raw:
        protocol, raw = raw.split("://", 1)
        protocol = protocol.lower()
        if protocol not in {"http", "https"}:
            raise SettingsError(f"{name}: scheme must be http or https, got {protocol!r}")
    host = raw.rstrip("/")
    if not host or "/" in host or any(c.isspace() for c in host):
        raise SettingsError(f"{name}: expected host[:port], got {value!r}")
    loopback = _is_loopback(host)
    if not protocol:
        protocol = "http" if loopback else "https"
    if protocol == "http" and not loopback:
        raise SettingsError(f"{name}: plain http is only allowed for loopback addresses, got {value!r}")
    return Endpoint(host, protocol)


def _is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
