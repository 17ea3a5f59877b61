"""`holds`: is some action matching a pattern allowed on some resource?

The answer is computed over languages, never over a catalogue of action names: the actions a
set of policies grants is `∪ Allow − ∪ Deny`, each statement's language being the union of its
Action patterns or the complement of its NotAction patterns; `holds` asks whether
`L(pattern) ∩ ACTIONS ∩ grants` is empty (`wildcard.search`, an automaton product) and returns a
shortest witness in it. `ACTIONS` is `?*:?*` without a second colon: an action is `service:name`
with both parts non-empty and exactly one colon, so `ecs:` and `ecs:Describe:Delete` are never
witnesses and a policy that leaves only such strings allowed does not hold.

Witness spelling: characters taken from a pattern keep the case the policy texts use; a character
only a wildcard supplied is a placeholder (`x`, or `y`... when a pattern waits for `x` there),
upper-case in the name part (`ecs:X`, `ecs:DescribeX`) because action names are case-insensitive
and API names are PascalCase. It stays a concrete, correct action name (the automaton accepts it) and reads as
"some action" rather than a typo such as `ecs:a`; a plausible-looking name (`ecs:RunInstances`)
would need a catalogue and could mislead.

Judgements, so the answer over-approximates what is allowed (safe for a compliance rule that
flags "may be allowed"):
- Conditions are three-valued. A key in `context` is known; a key in `unknown_keys` (or, with
  `OTHER_KEYS_UNKNOWN`, any key not in `context`) is unknown; any other key is known absent.
  An Allow grants unless its condition is certainly false; a Deny subtracts only if its
  condition is certainly true.
- Resources: an Allow grants "on some resource" unless its Resource patterns all rely on a
  variable known to be absent, or its NotResource patterns cover every resource. A Deny
  subtracts only when it applies regardless of resource: a Resource pattern made only of `*`
  (a pattern with a variable is never "every resource"; NotResource never is). A Deny on a
  specific resource leaves the action allowed on the others.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from policies.conditions import decide_all
from policies.context import normalize
from policies.errors import PolicyError
from policies.model import Holds, Policy, Statement
from policies.variables import UNKNOWN, Lookup, resolve
from policies.wildcard import ANY, STAR, Glob, Lang, align, compile_glob, glob_tokens, intersects, search


class _OtherKeysUnknown:
    def __repr__(self) -> str:
        return "OTHER_KEYS_UNKNOWN"


OTHER_KEYS_UNKNOWN = _OtherKeysUnknown()

# "service:name" with something on both sides of the colon and no second colon: the shape of
# every action name (RAM and IAM action names are `<service>:<Api>`). Wildcards match any
# character, as RAM and IAM match them, but a witness is a real action, so `ecs:Describe*` never
# "overlaps" `*:Delete*` through `ecs:Describe:Delete`.
_ACTIONS = compile_glob((ANY, STAR, ":", ANY, STAR), True)
_TWO_COLONS = compile_glob((STAR, ":", STAR, ":", STAR), True)


def holds(
    policies: Sequence[Policy],
    pattern: str,
    context: Mapping[str, str | Sequence[str]] | None = None,
    unknown_keys: Collection[str] | _OtherKeysUnknown = (),
    absent_keys: Collection[str] = (),
) -> Holds:
    """Is some action (`service:name`) matching `pattern` (`*`, `?`, case-insensitive) allowed
    on some resource?

    `context` holds the known condition keys; `unknown_keys` names keys the caller cannot know
    (or `OTHER_KEYS_UNKNOWN`: every key not in `context` or `absent_keys`); any other key is
    known absent. Returns the witness action and the Allow statement that grants it, or `holds=False`.
    """
    if not isinstance(pattern, str) or not pattern or any(c.isspace() for c in pattern):
        raise PolicyError("pattern", f"{pattern!r} is not an action pattern")
    lookup = _lookup(normalize(context), unknown_keys, absent_keys)
    query = compile_glob(glob_tokens(pattern), True)

    allows: list[tuple[Lang, Statement]] = []
    denies: list[Lang] = []
    for policy in policies:
        for statement in policy.statements:
            if statement.effect == "Allow":
                if decide_all(statement.conditions, lookup) is False:
                    continue
                if not _grants_some_resource(statement, lookup):
                    continue
            else:
                if decide_all(statement.conditions, lookup) is not True:
                    continue
                if not _covers_every_resource(statement):
                    continue
            lang = _action_lang(statement, query)
            if lang is None:
                continue
            if statement.effect == "Allow":
                allows.append((lang, statement))
            else:
                denies.append(lang)

    allow_langs = [lang for lang, _ in allows]
    witness = search(
        [Lang((query,)), Lang((_ACTIONS,)), Lang((_TWO_COLONS,), negated=True)], allow_langs, denies
    )
    if witness is None:
        return Holds(False, None, None)
    grant = next(s for lang, s in allows if _in_lang(lang, witness))
    witness = _spell(witness, query, grant, policies)
    return Holds(True, witness, grant.ref)


def _lookup(
    context: dict[str, tuple[str, ...]], unknown_keys: object, absent_keys: Collection[str]
) -> Lookup:
    if isinstance(absent_keys, str):
        raise TypeError("absent_keys must be a collection of keys, not one string")
    absent = {k.lower() for k in absent_keys}
    if unknown_keys is OTHER_KEYS_UNKNOWN:

        def lookup_all(key: str) -> object:
            low = key.lower()
            return None if low in absent else context.get(low, UNKNOWN)

        return lookup_all  # type: ignore[return-value]
    if isinstance(unknown_keys, str):
        raise TypeError("unknown_keys must be a collection of keys, not one string")
    unknown = {k.lower() for k in unknown_keys}  # type: ignore[attr-defined]

    def lookup(key: str) -> object:
        low = key.lower()
        if low in context:
            return context[low]
        return UNKNOWN if low in unknown else None

    return lookup  # type: ignore[return-value]


def _action_lang(statement: Statement, query: Glob) -> Lang | None:
    """The statement's action language restricted to patterns that can meet the query.
    None when an Action statement has no such pattern (it cannot matter)."""
    globs = tuple(g for g in (compile_glob(t, True) for t in statement.action_tokens) if intersects(g, query))
    if statement.not_action:
        return Lang(globs, negated=True)
    return Lang(globs) if globs else None


def _grants_some_resource(statement: Statement, lookup: Lookup) -> bool:
    if statement.resources is None:
        return True
    resolved = [resolve(parts, lookup) for parts in statement.resource_parts]
    if not statement.not_resource:
        # A pattern whose variable is unknown may still match something.
        return any(r is not None for r in resolved)
    # Patterns that may fail to resolve are dropped: the excluded set only gets smaller.
    excluded = [r for r in resolved if isinstance(r, tuple)]
    if not excluded:
        return True
    if any(r and all(t == STAR for t in r) for r in excluded):
        return False
    nonempty = compile_glob((ANY, STAR), False)
    others = Lang(tuple(compile_glob(r, False) for r in excluded), negated=True)
    return search([Lang((nonempty,)), others]) is not None


def _covers_every_resource(statement: Statement) -> bool:
    if statement.resources is None:
        return True  # trust policy: applies to the role it is attached to
    if statement.not_resource:
        return False
    return any(parts and all(p == STAR for p in parts) for parts in statement.resource_parts)


def _in_lang(lang: Lang, action: str) -> bool:
    hit = any(_glob_matches(g, action) for g in lang.globs)
    return hit != lang.negated


def _glob_matches(glob: Glob, action: str) -> bool:
    mask = glob.initial
    for ch in action.lower():
        mask = glob.step(mask, ch)
        if not mask:
            return False
    return bool(mask & glob.accept_bit)


def _spell(witness: str, query: Glob, grant: Statement, policies: Sequence[Policy]) -> str:
    """The witness with the letter case policy texts use: the granting statement's pattern
    first, then the query's, then any other pattern of the policies that matches it. A character
    no pattern spells is a wildcard's placeholder: upper-case after the colon (see module doc)."""
    candidates: list[tuple] = [t for t in grant.action_tokens if not grant.not_action]
    candidates.append(query.original)
    candidates.extend(t for p in policies for s in p.statements for t in s.action_tokens)
    spellings = [align(t, witness) for t in candidates if _glob_matches(compile_glob(t, True), witness)]
    colon = witness.index(":")
    out = []
    for j, ch in enumerate(witness):
        placeholder = ch.upper() if j > colon else ch
        out.append(next((c for s in spellings if (c := s[j]) is not None), placeholder))
    return "".join(out)
