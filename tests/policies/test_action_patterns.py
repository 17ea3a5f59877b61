"""The one `dangerousActions` grammar shared by the stack config, the guard and the rule function."""

import pytest

from policies.action_patterns import PatternProblem, check_action_patterns


def test_comma_text_with_spaces_gives_the_trimmed_patterns_in_order():
    patterns, problems = check_action_patterns(" ecs:* , oss:Get*,log:?et*, *")
    assert patterns == ("ecs:*", "oss:Get*", "log:?et*", "*")
    assert problems == ()


def test_a_list_gives_the_same_patterns_as_the_equivalent_text():
    assert check_action_patterns(["ecs:*", "oss:*"]) == check_action_patterns("ecs:*,oss:*")


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ("", [(None, "must not be empty")]),
        (" , ", [(None, "must not be empty")]),
        ([], [(None, "must not be empty")]),
        (42, [(None, "expected a comma-separated string or a list of strings")]),
        ({"ecs": "*"}, [(None, "expected a comma-separated string or a list of strings")]),
        ("ecs:*,,oss:*", [(1, "empty (stray comma?)")]),
        ("ecs*", [(0, "'ecs*' is not 'service:action'")]),
        ("ecs:", [(0, "'ecs:' is not 'service:action'")]),
        (":Describe*", [(0, "':Describe*' is not 'service:action'")]),
        ("ecs:Describe Instances", [(0, "'ecs:Describe Instances' is not 'service:action'")]),
        (["ecs:*", 7], [(1, "expected a string")]),
        ("ecs:*,ECS:*", [(1, "'ECS:*' is listed twice")]),
        ("ecs*,oss", [(0, "'ecs*' is not 'service:action'"), (1, "'oss' is not 'service:action'")]),
    ],
)
def test_every_problem_names_its_item(value, problems):
    _, found = check_action_patterns(value)
    assert [(p.index, p.reason) for p in found] == problems


def test_duplicates_are_dropped_silently_when_allowed_keeping_the_first_spelling():
    assert check_action_patterns("ecs:*,oss:*,ECS:*", allow_duplicates=True) == (("ecs:*", "oss:*"), ())


def test_problem_path_appends_the_index_to_the_field():
    field = "ruleParameters.dangerousActions"
    assert PatternProblem(2, "x").path(field) == "ruleParameters.dangerousActions[2]"
    assert PatternProblem(None, "x").path("dangerousActions") == "dangerousActions"
