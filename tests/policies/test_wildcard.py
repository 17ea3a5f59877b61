"""Wildcard languages: matching, product search with shortest witnesses, overlap, spelling."""

from __future__ import annotations

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


def g(text, fold=True):
    return compile_glob(glob_tokens(text), fold)


def test_glob_tokens_and_matching():
    assert glob_tokens("a*?") == ("a", STAR, ANY)
    assert matches(glob_tokens("ecs:*Instances"), "ECS:DescribeInstances", fold=True)
    assert not matches(glob_tokens("ecs:*Instances"), "ECS:DescribeInstances")
    assert matches(("a", "*", "b"), "a*b") and not matches(("a", "*", "b"), "axb")  # escaped star is literal
    assert matches(glob_tokens("a*"), "a\nb")  # a star spans any character


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
