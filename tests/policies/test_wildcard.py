"""Wildcard languages: matching, product search with shortest witnesses, overlap, spelling."""

from __future__ import annotations

import itertools
from functools import cache

from policies import Decision, Request, evaluate
from policies.wildcard import (
    ANY,
    STAR,
    Lang,
    align,
    compile_glob,
    glob_tokens,
    intersects,
    is_universal,
    matches,
    search,
)
from tests.policies.helpers import ram


def g(text, fold=True):
    return compile_glob(glob_tokens(text), fold)


def test_glob_tokens_and_matching():
    assert glob_tokens("a*?") == ("a", STAR, ANY)
    assert matches(glob_tokens("ecs:*Instances"), "ECS:DescribeInstances", fold=True)
    assert not matches(glob_tokens("ecs:*Instances"), "ECS:DescribeInstances")
    assert matches(("a", "*", "b"), "a*b") and not matches(("a", "*", "b"), "axb")  # escaped star is literal
    assert matches(glob_tokens("a*"), "a\nb")  # a star spans any character


def _reference_match(pattern: str, text: str) -> bool:
    """The definition of `*` and `?`, by recursion over both strings."""

    @cache
    def m(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(text)
        if pattern[i] == "*":
            return m(i + 1, j) or (j < len(text) and m(i, j + 1))
        return j < len(text) and pattern[i] in ("?", text[j]) and m(i + 1, j + 1)

    return m(0, 0)


def test_matching_agrees_with_the_definition_on_every_short_pattern_and_string():
    for size in range(5):
        for pattern in map("".join, itertools.product("ab*?", repeat=size)):
            for length in range(5):
                for text in map("".join, itertools.product("ab", repeat=length)):
                    expected = _reference_match(pattern, text)
                    assert matches(glob_tokens(pattern), text) == expected, (pattern, text)


def test_many_stars_do_not_backtrack_on_a_string_that_does_not_match():
    """A regular expression with one `.*` per star took minutes here (exponential backtracking)."""
    assert not matches(glob_tokens("*a" * 40 + "*b"), "a" * 5000)
    assert matches(glob_tokens("*a" * 40 + "*b"), "a" * 5000 + "b")


def test_evaluate_a_resource_with_a_masked_account_id_against_another_resource():
    """Alibaba's OSS guide masks the account id as 16 stars; one non-matching request took a minute."""
    policy = ram(
        {"Effect": "Allow", "Action": "oss:GetObject", "Resource": "acs:oss:*:****************:b/*"},
        {
            "Effect": "Allow",
            "Action": "oss:GetObject",
            "Resource": ["acs:oss:*:*:x/*/*/*/*/*/*/*/*", "acs:oss:*"],
        },
    )
    assert evaluate([policy], Request("oss:GetObject", "acs:oss::" + "1" * 5000)).decision is Decision.ALLOWED
    other = Request("oss:GetObject", "acs:ecs:cn-hangzhou:123:" + ":" * 5000)
    assert evaluate([policy], other).decision is Decision.IMPLICITLY_DENIED


def test_search_finds_a_shortest_common_string():
    assert search([Lang((g("ecs:Describe*"),)), Lang((g("ecs:*Instances"),))]) == "ecs:describeinstances"
    assert search([Lang((g("a*c"),)), Lang((g("ab*"),))]) == "abc"


def test_search_respects_complements():
    assert search([Lang((g("ecs:*"),)), Lang((g("ecs:*"),), negated=True)]) is None
    assert search([Lang((g("ram:*"),), negated=True), Lang((g("ram*"),))]) == "ram"


def test_search_any_of_and_none_of():
    query = Lang((g("oss:*"),))
    assert search([query], [Lang((g("*"),))], [Lang((g("OSS:*"),))]) is None
    assert search([query], [Lang((g("*"),))], [Lang((g("oss:Get*"),))]) == "oss:"
    assert search([query], [], []) is None  # nothing allowed


def test_disjoint_and_overlapping_patterns():
    assert not intersects(g("ecs:*"), g("oss:*"))
    assert not intersects(g("ecs:*Get"), g("ecs:*Put"))
    assert intersects(g("ec?:*"), g("ecs:D*"))
    assert not intersects(g("a?b"), g("a??b"))  # prefix/suffix agree, lengths do not


def test_universal_union():
    assert is_universal([g("*")])
    assert is_universal([g("?*")])
    assert not is_universal([g("a*"), g("b*")])
    assert is_universal([g("a*", False), g("*", False)])


def test_align_gives_the_pattern_spelling_to_literal_positions():
    assert align(glob_tokens("ecs:Describe*"), "ecs:describeinstances") == list("ecs:Describe") + [None] * 9
    assert align(glob_tokens("*Instances"), "ecs:describeinstances")[-9:] == list("Instances")
    assert align(glob_tokens("x*"), "abc") == [None, None, None]  # no match: nothing to spell
