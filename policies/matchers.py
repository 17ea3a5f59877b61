"""A condition value compiled for its operator: one small type per operator kind, so deciding a
condition dispatches on the value's type (see `policies.conditions`)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from policies.variables import Part


@dataclass(frozen=True)
class Text:
    """String, StringIgnoreCase, StringLike and Arn operators: a template of literal text,
    wildcards (`like`/`arn` only) and policy variables."""

    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Number:
    """Numeric operators, and Date operators as seconds since the epoch."""

    value: float


@dataclass(frozen=True)
class Flag:
    """Bool (the value wanted) and Null (true: the key must be absent)."""

    value: bool


@dataclass(frozen=True)
class Network:
    """IpAddress / NotIpAddress: an address is a one-host network."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Literal:
    """BinaryEquals: compared as the base64 text."""

    text: str


Matcher = Text | Number | Flag | Network | Literal
