"""The `dangerousActions` grammar: one definition for the stack config, the guard and the rule function.

A value is comma-separated text (the form Cloud Config passes to the function; spaces around
items are tolerated) or a list of strings (the form a stack file may use). Each item is
`service:action` with `*`/`?` wildcards on either side, or `*` alone (every action). Three
readers must agree on what is valid, or a stack could deploy a rule its own function rejects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ACTION_PATTERN = re.compile(r"^(\*|[A-Za-z0-9*?_-]+:[A-Za-z0-9*?_.-]+)$")


@dataclass(frozen=True)
class PatternProblem:
    """What is wrong with the value as a whole (`index` None) or with one item."""

    index: int | None
    reason: str

    def path(self, field: str) -> str:
        return field if self.index is None else f"{field}[{self.index}]"


def check_action_patterns(
    value: object, *, allow_duplicates: bool = False
) -> tuple[tuple[str, ...], tuple[PatternProblem, ...]]:
    """The distinct patterns of `value` and every problem found (valid only when none).

    Duplicates compare case-insensitively, as action names do. With `allow_duplicates` a repeat
    is dropped silently (the function tolerates what a human typed twice); without, it is a
    problem (a stack file should say each pattern once).
    """
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return (), (PatternProblem(None, "expected a comma-separated string or a list of strings"),)
    if all(isinstance(item, str) and not item.strip() for item in items):
        return (), (PatternProblem(None, "must not be empty"),)
    patterns: list[str] = []
    seen: set[str] = set()
    problems: list[PatternProblem] = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            problems.append(PatternProblem(index, "expected a string"))
            continue
        pattern = item.strip()
        if not pattern:
            problems.append(PatternProblem(index, "empty (stray comma?)"))
        elif not ACTION_PATTERN.match(pattern):
            problems.append(PatternProblem(index, f"{pattern!r} is not 'service:action'"))
        elif pattern.lower() in seen:
            if not allow_duplicates:
                problems.append(PatternProblem(index, f"{pattern!r} is listed twice"))
        else:
            seen.add(pattern.lower())
            patterns.append(pattern)
    return tuple(patterns), tuple(problems)
