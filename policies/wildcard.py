"""Wildcard patterns (`*` any string, `?` any one character) as regular languages.

Two jobs:
- match one concrete string against a pattern (compiled to a regular expression, cached);
- reason about whole languages: is `L(p) ∩ (A1 ∪ A2 …) \\ (D1 ∪ D2 …)` empty, and if not, which
  string is in it. `search` explores the product of the patterns' automata breadth first, so the
  answer is exact and the witness is a shortest one; no list of concrete names is ever consulted.

A pattern is a tuple of tokens: a one-character `str` (a literal, possibly `*` or `?` when it came
from an escape such as `${*}`), `STAR` or `ANY`. Action names are case-insensitive, so their
patterns are compiled with `fold=True` (literals lower-cased; the original spelling is kept to
write readable witnesses).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

STAR = 0
ANY = 1
Token = str | int

# Preferred spelling for "a character no pattern mentions": `x` first, the conventional placeholder
# letter, so a witness whose name a wildcard supplied reads `ecs:X` (see `holds._spell`), not `ecs:a`.
_FILLERS = "xyzabcdefghijklmnopqrstuvw0123456789"


def glob_tokens(text: str) -> tuple[Token, ...]:
    """Tokens of a plain pattern where every `*` and `?` is a wildcard (actions, conditions)."""
    return tuple(STAR if ch == "*" else ANY if ch == "?" else ch for ch in text)


def tokens_regex(tokens: Sequence[Token], tag: str = "") -> str:
    """Regular-expression source matching exactly the language of `tokens`, in time linear in
    the pattern times the text: a plain `.*` per star backtracks exponentially in the number of
    stars on a string that does not match (`*a*a*a*a*a*a*b` against 120 `a`s: minutes), and real
    documents have many stars (Alibaba's OSS guide masks an account id as 16 of them).

    The pattern is cut at its runs of stars into fixed-length segments (literals and `?`); the
    first is anchored at the start, the last at the end, and each middle one is matched at its
    leftmost occurrence and never retried: a star follows it, so a later occurrence cannot leave
    more room for the rest. `(?=(?P<g>.*?S))(?P=g)` is that commitment (an atomic group, which
    Python's `re` has only from 3.11; the functions run on 3.10). `tag` keeps group names unique
    when several patterns are joined into one expression."""
    segments: list[list[Token]] = [[]]
    for tok in tokens:
        if tok == STAR:
            if segments[-1] or len(segments) == 1:
                segments.append([])
        else:
            segments[-1].append(tok)
    if len(segments) == 1:
        return _segment(segments[0])
    first, *middle, last = segments
    out = [_segment(first)]
    for i, seg in enumerate(s for s in middle if s):
        out.append(f"(?=(?P<g{tag}_{i}>.*?{_segment(seg)}))(?P=g{tag}_{i})")
    out.append(".*" + _segment(last))
    return "".join(out)


def _segment(tokens: Sequence[Token]) -> str:
    return "".join("." if tok == ANY else re.escape(str(tok)) for tok in tokens)


def union_regex(patterns: Sequence[tuple[Token, ...]], fold: bool) -> re.Pattern[str]:
    """One regular expression for several patterns, so matching a statement is a single call."""
    if len(patterns) == 1:
        return compile_regex(patterns[0], fold)
    source = "|".join(f"(?:{tokens_regex(p, str(i))})" for i, p in enumerate(patterns))
    return re.compile(source, re.DOTALL | (re.IGNORECASE if fold else 0))


@lru_cache(maxsize=16384)
def compile_regex(tokens: tuple[Token, ...], fold: bool) -> re.Pattern[str]:
    return re.compile(tokens_regex(tokens), re.DOTALL | (re.IGNORECASE if fold else 0))


def matches(tokens: tuple[Token, ...], text: str, *, fold: bool = False) -> bool:
    return compile_regex(tokens, fold).fullmatch(text) is not None


@dataclass(eq=False)
class Glob:
    """The automaton of one pattern: state = bit mask of pattern positions still alive.

    Bit i means "the next token to match is tokens[i]"; bit n means "the whole pattern matched".
    Instances are shared through `compile_glob`, so identity is equality and transition caches
    are reused across calls.
    """

    original: tuple[Token, ...]
    fold: bool
    tokens: tuple[Token, ...] = field(init=False)
    literals: frozenset[str] = field(init=False)
    initial: int = field(init=False)
    accept_bit: int = field(init=False)
    universal_mask: int = field(init=False)
    prefix: str = field(init=False)  # literal text before the first wildcard
    suffix: str = field(init=False)  # literal text after the last wildcard
    _steps: dict[tuple[int, str | None], int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tokens = tuple(t.lower() if self.fold and isinstance(t, str) else t for t in self.original)
        self.literals = frozenset(t for t in self.tokens if isinstance(t, str))
        self.accept_bit = 1 << len(self.tokens)
        universal = 0
        for i in range(len(self.tokens) - 1, -1, -1):
            if self.tokens[i] != STAR:
                break
            universal |= 1 << i
        self.universal_mask = universal
        self._steps = {}
        self.initial = self._closure(1)
        self.prefix = self._literal_run(self.tokens)
        self.suffix = self._literal_run(self.tokens[::-1])[::-1]

    @staticmethod
    def _literal_run(tokens: tuple[Token, ...]) -> str:
        out = []
        for tok in tokens:
            if not isinstance(tok, str):
                break
            out.append(tok)
        return "".join(out)

    def _closure(self, mask: int) -> int:
        # A star may match the empty string, so being before it means being after it too.
        for i, tok in enumerate(self.tokens):
            if tok == STAR and mask >> i & 1:
                mask |= 1 << (i + 1)
        return mask

    def step(self, mask: int, ch: str) -> int:
        sym = ch if ch in self.literals else None
        key = (mask, sym)
        cached = self._steps.get(key)
        if cached is not None:
            return cached
        new = 0
        for i, tok in enumerate(self.tokens):
            if not mask >> i & 1:
                continue
            if tok == STAR:
                new |= 1 << i
            elif tok == ANY or (sym is not None and tok == sym):
                new |= 1 << (i + 1)
        new = self._closure(new)
        self._steps[key] = new
        return new


@lru_cache(maxsize=16384)
def compile_glob(tokens: tuple[Token, ...], fold: bool) -> Glob:
    return Glob(tokens, fold)


@dataclass(frozen=True)
class Lang:
    """The union of some patterns' languages, or (negated) its complement."""

    globs: tuple[Glob, ...]
    negated: bool = False


class _Product:
    """Sparse product states: `(live, universal)` where `live` holds `(glob index, mask)` for
    patterns still undecided and `universal` the indices of patterns that accept every
    extension. A pattern that can no longer match is simply gone, so stepping a state costs
    only its live patterns."""

    def __init__(self, globs: list[Glob]) -> None:
        self.globs = globs

    def normalize(self, pairs: Iterable[tuple[int, int]], universal: frozenset[int]) -> tuple:
        live = []
        grown = set()
        for i, mask in pairs:
            if not mask:
                continue
            if mask & self.globs[i].universal_mask:
                grown.add(i)
            else:
                live.append((i, mask))
        return (tuple(live), universal | grown if grown else universal)

    def start(self) -> tuple:
        return self.normalize(((i, g.initial) for i, g in enumerate(self.globs)), frozenset())

    def symbols(self, state: tuple) -> list[str]:
        """The characters that lead to distinct successors: one character none of the live
        patterns waits for, then the literals they wait for. The order only breaks ties between
        witnesses of the same length: a placeholder first, so `Allow *` minus `Deny ecs:Get*`
        answers `ecs:X` rather than borrowing the Deny's `G`."""
        wanted: set[str] = set()
        for i, mask in state[0]:
            tokens = self.globs[i].tokens
            for pos, tok in enumerate(tokens):
                if mask >> pos & 1 and isinstance(tok, str):
                    wanted.add(tok)
        other = next((c for c in _FILLERS if c not in wanted), None)
        if other is None:
            other = next(chr(c) for c in range(0x100, 0x10FFFF) if chr(c) not in wanted)
        return [other, *sorted(wanted, key=lambda c: (not c.isalnum(), c))]

    def step(self, state: tuple, ch: str) -> tuple:
        live, universal = state
        return self.normalize(((i, self.globs[i].step(m, ch)) for i, m in live), universal)


class _Group:
    """A disjunction of languages, answered with set operations on pattern indices."""

    def __init__(self, langs: list[tuple[bool, frozenset[int]]]) -> None:
        self.positive = frozenset().union(*(ids for negated, ids in langs if not negated))
        self.negated = [ids for negated, ids in langs if negated]

    def any_accepts(self, acc: set[int] | frozenset[int]) -> bool:
        return not self.positive.isdisjoint(acc) or any(ids.isdisjoint(acc) for ids in self.negated)

    def any_always(self, alive: set[int], universal: frozenset[int]) -> bool:
        # A union accepts every extension once one of its patterns does; a complement does
        # once none of its patterns can match any more.
        return not self.positive.isdisjoint(universal) or any(ids.isdisjoint(alive) for ids in self.negated)

    def all_never(self, alive: set[int], universal: frozenset[int]) -> bool:
        return self.positive.isdisjoint(alive) and all(not ids.isdisjoint(universal) for ids in self.negated)


def search(
    required: Sequence[Lang],
    any_of: Sequence[Lang] | None = None,
    none_of: Sequence[Lang] = (),
) -> str | None:
    """A shortest string in every `required` language, in at least one `any_of` language (no
    constraint when None) and in no `none_of` language; None when no such string exists.

    Breadth-first over the product automaton (see `_Product`). From each state only the
    characters some live pattern waits for, plus one other character, are tried: every other
    character leads to the same successor. States from which the formula can no longer become
    true are pruned, so a "no" answer explores only the reachable, still-hopeful states.
    """
    if any_of is not None and not any_of:
        return None
    globs: list[Glob] = []
    index: dict[int, int] = {}

    def ids(lang: Lang) -> tuple[int, ...]:
        out = []
        for g in lang.globs:
            if id(g) not in index:
                index[id(g)] = len(globs)
                globs.append(g)
            out.append(index[id(g)])
        return tuple(out)

    req = [(lang.negated, frozenset(ids(lang))) for lang in required]
    anys = _Group([(lang.negated, frozenset(ids(lang))) for lang in any_of]) if any_of is not None else None
    nones = _Group([(lang.negated, frozenset(ids(lang))) for lang in none_of])
    product = _Product(globs)

    def verdict(state: tuple) -> tuple[bool, bool]:
        """(accepted now, dead: no extension can be accepted)."""
        live, universal = state
        alive = {i for i, _ in live} | universal
        acc = {i for i, m in live if m & globs[i].accept_bit} | universal
        ok = True
        for negated, lids in req:
            if negated:
                if not lids.isdisjoint(universal):
                    return False, True
                ok = ok and lids.isdisjoint(acc)
            else:
                if lids.isdisjoint(alive):
                    return False, True
                ok = ok and not lids.isdisjoint(acc)
        if nones.any_always(alive, universal):
            return False, True
        if anys is not None and anys.all_never(alive, universal):
            return False, True
        ok = ok and not nones.any_accepts(acc) and (anys is None or anys.any_accepts(acc))
        return ok, False

    start = product.start()
    parents: dict[tuple, tuple[tuple, str] | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        accepted, dead = verdict(state)
        if accepted:
            return _spell(state, parents)
        if dead:
            continue
        for ch in product.symbols(state):
            nxt = product.step(state, ch)
            if nxt not in parents:
                parents[nxt] = (state, ch)
                queue.append(nxt)
    return None


def _spell(state: tuple, parents: dict) -> str:
    chars: list[str] = []
    link = parents[state]
    while link is not None:
        state, ch = link
        chars.append(ch)
        link = parents[state]
    return "".join(reversed(chars))


def intersects(a: Glob, b: Glob) -> bool:
    """Do two patterns share at least one string? Literal prefix/suffix clash answers most pairs."""
    pa, pb = a.prefix, b.prefix
    if not (pa.startswith(pb) or pb.startswith(pa)):
        return False
    sa, sb = a.suffix, b.suffix
    if not (sa.endswith(sb) or sb.endswith(sa)):
        return False
    return _intersects_cached(a, b)


@lru_cache(maxsize=65536)
def _intersects_cached(a: Glob, b: Glob) -> bool:
    return search([Lang((a,)), Lang((b,))]) is not None


def is_universal(globs: Sequence[Glob]) -> bool:
    """Does the union of the patterns match every non-empty string?"""
    nonempty = compile_glob((ANY, STAR), globs[0].fold if globs else False)
    return search([Lang((nonempty,)), Lang(tuple(globs), negated=True)]) is None


def align(tokens: Sequence[Token], text: str) -> list[str | None]:
    """For each character of `text` (which the pattern matches, case-insensitively), the
    pattern's own literal spelling of it, or None where a wildcard consumed it."""
    n, m = len(tokens), len(text)
    low = text.lower()
    memo: dict[tuple[int, int], bool] = {}

    def ok(i: int, j: int) -> bool:
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == n:
            result = j == m
        else:
            tok = tokens[i]
            if tok == STAR:
                result = ok(i + 1, j) or (j < m and ok(i, j + 1))
            elif tok == ANY:
                result = j < m and ok(i + 1, j + 1)
            else:
                result = j < m and str(tok).lower() == low[j] and ok(i + 1, j + 1)
        memo[key] = result
        return result

    out: list[str | None] = [None] * m
    if not ok(0, 0):
        return out
    i = j = 0
    while i < n:
        tok = tokens[i]
        if tok == STAR:
            if ok(i + 1, j):
                i += 1
            else:
                j += 1
        elif tok == ANY:
            i, j = i + 1, j + 1
        else:
            out[j] = str(tok)
            i, j = i + 1, j + 1
    return out
