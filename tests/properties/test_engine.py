"""Properties of the policy engine over generated RAM policies, patterns and contexts.

- `evaluate` and `holds` never raise on a parsed document;
- a `holds` witness matches the pattern, is `service:name` with one colon, and `evaluate` allows
  it, with the same context, on a resource found exactly (when every Deny is on `*`: a Deny on a
  specific resource is the documented over-approximation of policies/holds.py);
- `holds` is sound: an action `evaluate` allows somewhere is found by every pattern it matches;
- adding a Deny never turns `false` into `true`, adding an Allow never `true` into `false`;
- `Allow NotAction X` and `Allow *` with `Deny X` agree.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from policies import OTHER_KEYS_UNKNOWN, Decision, Policy, Request, evaluate, holds, parse_policy
from policies.wildcard import glob_tokens, matches
from tests.policies.helpers import allowed_resource

SERVICES = ("ecs", "oss", "ram")
PIECES = ("Get", "Describe", "Delete", "Instances", "Bucket", "x")
RESOURCES = ("*", "acs:ecs:*:*:instance/*", "acs:oss:*:*:b", "acs:oss:*:*:b/*", "acs:ram::1:user/*")
CONCRETE_RESOURCES = ("acs:ecs:cn-hangzhou:1:instance/i-1", "acs:oss:*:1:b", "acs:oss:*:1:b/k", "x")
CONDITIONS = (
    None,
    {"Bool": {"acs:MFAPresent": "true"}},
    {"Bool": {"acs:MFAPresent": "false"}},
    {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}},
    {"StringLike": {"acs:SourceIp": "192.*"}},
)
UNKNOWN_KEYS = ((), ("acs:SourceIp",), OTHER_KEYS_UNKNOWN)

service_part = st.sampled_from((*SERVICES, "*", "e?s", "o*"))
name_part = st.lists(st.sampled_from((*PIECES, "*", "?")), min_size=1, max_size=3).map("".join)
patterns = st.one_of(st.just("*"), st.builds(lambda s, n: f"{s}:{n}", service_part, name_part))
actions = st.builds(
    lambda s, n: f"{s}:{n}",
    st.sampled_from((*SERVICES, "kms")),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join),
)
contexts = st.fixed_dictionaries(
    {},
    optional={
        "acs:MFAPresent": st.sampled_from(("true", "false")),
        "acs:SourceIp": st.sampled_from(("10.1.2.3", "192.168.1.1")),
    },
)


@st.composite
def statements(draw, effect=None, deny_on_star=False):
    effect = effect or draw(st.sampled_from(("Allow", "Deny")))
    key = draw(st.sampled_from(("Action", "NotAction")))
    resources = ("*",) if effect == "Deny" and deny_on_star else RESOURCES
    out = {"Effect": effect, key: draw(st.lists(patterns, min_size=1, max_size=3))}
    out[draw(st.sampled_from(("Resource", "NotResource")))] = draw(st.sampled_from(resources))
    if effect == "Deny" and deny_on_star:
        out.pop("NotResource", None)
        out["Resource"] = "*"
    condition = draw(st.sampled_from(CONDITIONS))
    if condition:
        out["Condition"] = condition
    return out


def ram_policy(items, name="p") -> Policy:
    return parse_policy({"Version": "1", "Statement": list(items)}, "ram", name)


def policies(deny_on_star=False):
    return st.lists(statements(deny_on_star=deny_on_star), min_size=1, max_size=4).map(ram_policy)


def allowed_somewhere(held, action, context) -> bool:
    return any(
        evaluate(held, Request(action, r, context)).decision is Decision.ALLOWED for r in CONCRETE_RESOURCES
    )


@given(
    policies(), patterns, actions, st.sampled_from(CONCRETE_RESOURCES), contexts,
    st.sampled_from(UNKNOWN_KEYS),
)
def test_evaluate_and_holds_never_raise_on_a_parsed_document(
    policy, pattern, action, resource, context, unknown
):
    assert evaluate([policy], Request(action, resource, context)).decision in set(Decision)
    assert holds([policy], pattern, context, unknown).holds in (True, False)


@given(policies(deny_on_star=True), patterns, contexts)
def test_a_witness_matches_the_pattern_is_one_action_and_evaluate_allows_it(policy, pattern, context):
    result = holds([policy], pattern, context)
    if not result.holds:
        return
    witness = result.witness
    assert witness is not None and matches(glob_tokens(pattern), witness, fold=True)
    service, _, name = witness.partition(":")
    assert service and name and ":" not in name
    resource = allowed_resource(policy, witness, context)
    assert resource is not None, (policy, witness)
    assert evaluate([policy], Request(witness, resource, context)).decision is Decision.ALLOWED


@given(policies(), patterns, actions, contexts)
def test_an_action_evaluate_allows_is_found_by_holds_for_every_pattern_it_matches(
    policy, pattern, action, context
):
    if allowed_somewhere([policy], action, context):
        assert holds([policy], action, context).holds
        if matches(glob_tokens(pattern), action, fold=True):
            assert holds([policy], pattern, context).holds


@given(policies(), statements(effect="Deny"), statements(effect="Allow"), patterns, contexts,
       st.sampled_from(UNKNOWN_KEYS))
def test_a_deny_never_adds_and_an_allow_never_removes(policy, deny, allow, pattern, context, unknown):
    before = holds([policy], pattern, context, unknown).holds
    with_deny = holds([policy, ram_policy([deny], "d")], pattern, context, unknown).holds
    with_allow = holds([policy, ram_policy([allow], "a")], pattern, context, unknown).holds
    assert with_deny <= before <= with_allow


@given(st.lists(patterns, min_size=1, max_size=3), patterns, actions, contexts)
def test_not_action_x_agrees_with_action_star_minus_x(excluded, pattern, action, context):
    not_action = ram_policy([{"Effect": "Allow", "NotAction": excluded, "Resource": "*"}])
    star_minus = ram_policy(
        [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": excluded, "Resource": "*"},
        ]
    )
    assert holds([not_action], pattern, context).holds == holds([star_minus], pattern, context).holds
    allowed = allowed_somewhere([not_action], action, context)
    assert allowed == allowed_somewhere([star_minus], action, context)
