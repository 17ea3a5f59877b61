"""Policy variables (`${aws:username}`, `${acs:SourceIp, 'default'}`) and the escapes `${*}`,
`${?}`, `${$}` inside Resource / NotResource and string-like condition values.

A template is parsed once into parts; at evaluation time each variable is replaced by the
request's value *as literal text* (a user named `a*` must not become a wildcard), or the whole
value is unresolvable (it then matches nothing), or (for `holds`) unknown.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from policies.wildcard import ANY, STAR, Token

_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_DEFAULT = re.compile(r"^'([^']*)'$")


@dataclass(frozen=True)
class Var:
    key: str
    default: str | None = None


class _Unknown(enum.Enum):
    """Marker: the value of a key the caller cannot know (an enum member, so `is UNKNOWN` narrows)."""

    UNKNOWN = "UNKNOWN"

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown.UNKNOWN

Part = Token | Var
# key -> its values in the request; None when absent; UNKNOWN when the caller cannot know.
Lookup = Callable[[str], "tuple[str, ...] | _Unknown | None"]


def parse_template(text: str, *, glob: bool) -> tuple[Part, ...]:
    """Parts of `text`; with `glob`, bare `*` and `?` are wildcards. Raises ValueError(reason)."""
    parts: list[Part] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "$" and text.startswith("${", i):
            end = text.find("}", i + 2)
            if end < 0:
                raise ValueError(f"unterminated policy variable in {text!r}")
            parts.extend(_variable(text[i + 2 : end], text))
            i = end + 1
            continue
        if glob and ch == "*":
            parts.append(STAR)
        elif glob and ch == "?":
            parts.append(ANY)
        else:
            parts.append(ch)
        i += 1
    return tuple(parts)


def _variable(body: str, text: str) -> list[Part]:
    if body in _ESCAPES:
        return [_ESCAPES[body]]
    name, sep, default = body.partition(",")
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise ValueError(f"invalid policy variable ${{{body}}} in {text!r}")
    if not sep:
        return [Var(name)]
    found = _DEFAULT.match(default.strip())
    if not found:
        raise ValueError(f"invalid default in policy variable ${{{body}}}: expected a 'quoted' value")
    return [Var(name, found.group(1))]


def has_variables(parts: tuple[Part, ...]) -> bool:
    return any(isinstance(p, Var) for p in parts)


def resolve(parts: tuple[Part, ...], lookup: Lookup) -> tuple[Token, ...] | _Unknown | None:
    """Tokens with every variable replaced by literal text; None if some variable has no single
    value (and no default): the pattern then matches nothing; UNKNOWN if some value is unknown."""
    if not has_variables(parts):
        return cast("tuple[Token, ...]", parts)  # no Var among them
    out: list[Token] = []
    unknown = False
    for part in parts:
        if not isinstance(part, Var):
            out.append(part)
            continue
        values = lookup(part.key)
        if values is UNKNOWN:
            unknown = True
            continue
        if values is None or len(values) == 0:
            if part.default is None:
                return None
            out.extend(part.default)
        elif len(values) == 1:
            out.extend(values[0])
        else:
            # A multivalued key cannot stand for one string.
            return None
    return UNKNOWN if unknown else tuple(out)


def literal_text(tokens: tuple[Token, ...]) -> str:
    """The text of tokens parsed without `glob` (all literal characters)."""
    return "".join(t if isinstance(t, str) else "*" if t == STAR else "?" for t in tokens)
