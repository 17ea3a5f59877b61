"""Guard checks the organization scale-out adds: narrow cross-account trust, aggregate rule parameters."""

from __future__ import annotations

from policies import documents
from policies.guard import checks
from policies.guard.config import GuardConfig
from policies.member_role import member_trust_policy

ADMIN_ROLE = "acs:ram::5123456789012345:role/rule-fn"


def test_guard_accepts_the_shipped_trust_and_names_every_widening():
    config = GuardConfig()
    good = {"roleName": "r", "assumeRolePolicyDocument": member_trust_policy(ADMIN_ROLE, "org-1")}
    assert checks.cross_account_trust_narrow(checks.RAM_ROLE, good, config) == []
    star = {"roleName": "r", "assumeRolePolicyDocument": {"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": "*"},
         "Condition": {"StringEquals": {"sts:ExternalId": ""}}}]}}
    assert checks.cross_account_trust_narrow(checks.RAM_ROLE, star, config) == [
        "RAM role 'r' trusts '*' (Statement[0]); trust one role (acs:ram::<account>:role/<name>), "
        "not an account or '*'",
        "RAM role 'r' is trusted by another account's role without an sts:ExternalId condition "
        "(Statement[0])",
    ]
    service = {"roleName": "fn", "assumeRolePolicyDocument": documents.load("ram/fc-trust.json")}
    assert checks.cross_account_trust_narrow(checks.RAM_ROLE, service, config) == []


def test_guard_checks_the_aggregate_rule_parameters_like_the_single_account_rule():
    props = {"aggregateConfigRuleName": "org", "sourceOwner": "CUSTOM_FC",
             "inputParameters": {"dangerousActions": "ecs*"}}
    assert checks.config_rule_dangerous_actions(checks.AGGREGATE_CONFIG_RULE, props, GuardConfig()) == [
        "Config rule 'org' dangerousActions[0]: 'ecs*' is not 'service:action'"
    ]
    names = [c.name for c in checks.checks_for(checks.AGGREGATE_CONFIG_RULE)]
    assert names == ["config-rule-dangerous-actions"]
