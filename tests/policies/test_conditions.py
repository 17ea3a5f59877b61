"""Condition operators as IAM documents them (values OR'ed, keys and operators AND'ed, absent keys)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies import Decision, Request, evaluate, parse_policy
from policies.conditions import decide_all
from policies.variables import UNKNOWN
from tests.policies.helpers import aws, ram


def _allowed(condition, context, dialect="aws"):
    build = aws if dialect == "aws" else ram
    policy = build({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition})
    return evaluate([policy], Request("svc:Act", "*", context)).decision is Decision.ALLOWED


CASES = [
    # (condition, context, allowed?)
    ({"StringEquals": {"aws:username": ["bob", "alice"]}}, {"aws:username": "alice"}, True),
    ({"StringEquals": {"aws:username": "alice"}}, {"aws:username": "Alice"}, False),
    ({"StringEquals": {"aws:username": "alice"}}, {}, False),
    ({"StringNotEquals": {"aws:username": "alice"}}, {}, True),
    ({"StringNotEquals": {"aws:username": ["alice", "bob"]}}, {"aws:username": "bob"}, False),
    ({"StringNotEquals": {"aws:username": ["alice", "bob"]}}, {"aws:username": "carol"}, True),
    ({"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}, {"aws:username": "alice"}, True),
    ({"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}, {"aws:username": "alice"}, False),
    ({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/a/b"}, True),
    ({"StringLike": {"s3:prefix": "home/?"}}, {"s3:prefix": "home/ab"}, False),
    ({"StringNotLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "tmp/x"}, True),
    ({"StringEquals": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x"}, False),  # no wildcards in Equals
    (
        {"StringEquals": {"s3:prefix": "${aws:username}/"}},
        {"s3:prefix": "alice/", "aws:username": "alice"},
        True,
    ),
    ({"StringEquals": {"s3:prefix": "${aws:username}/"}}, {"s3:prefix": "alice/"}, False),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": "120"}, True),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}, {"aws:MultiFactorAuthAge": "3600"}, False),
    ({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600}}, {"aws:MultiFactorAuthAge": "3600"}, True),
    ({"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.5"}, True),
    ({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, False),
    ({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, False),
    ({"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, True),
    (
        {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "2024-06-01"},
        True,
    ),
    (
        {"DateLessThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "2024-01-01T01:00:00+02:00"},
        True,
    ),
    # Fractions of any length and a `Z` zone (python3.10's fromisoformat accepts neither).
    (
        {"DateLessThan": {"aws:CurrentTime": "2024-01-01T00:00:00.5Z"}},
        {"aws:CurrentTime": "2024-01-01T00:00:00.25Z"},
        True,
    ),
    ({"DateEquals": {"aws:EpochTime": "1704067200"}}, {"aws:EpochTime": "2024-01-01T00:00:00Z"}, True),
    ({"DateNotEquals": {"aws:CurrentTime": "2024-01-01"}}, {"aws:CurrentTime": "2024-01-02"}, True),
    ({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "TRUE"}, True),
    ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "false"}, False),
    ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.7"]}}, {"aws:SourceIp": "10.1.2.3"}, True),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "not-an-ip"}, False),
    ({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8::1"}, True),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "192.0.2.1"}, True),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {}, True),
    (
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123:topic-*"}},
        {"aws:SourceArn": "arn:aws:sns:eu-west-1:123:topic-a"},
        True,
    ),
    # ARN parts are compared one by one: a `*` in the region does not swallow the account.
    (
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}},
        {"aws:SourceArn": "arn:aws:sns:eu:123:topic"},
        False,
    ),
    ({"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::b"}}, {"aws:SourceArn": "arn:aws:s3:::b"}, True),
    ({"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::b*"}}, {"aws:SourceArn": "arn:aws:s3:::c"}, True),
    ({"ArnNotEquals": {"aws:SourceArn": "arn:aws:s3:::b"}}, {}, True),
    ({"BinaryEquals": {"s3:blob": "QmluYXJ5"}}, {"s3:blob": "QmluYXJ5"}, True),
    ({"Null": {"aws:TokenIssueTime": "true"}}, {}, True),
    ({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2024-01-01"}, False),
    ({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": "2024-01-01"}, True),
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {}, True),
    (
        {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        {"aws:MultiFactorAuthPresent": "true"},
        False,
    ),
    ({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {"ec2:InstanceType": "m5.large"}, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {"aws:TagKeys": ["env", "team"]}, True),
    (
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
        {"aws:TagKeys": ["env", "cost"]},
        False,
    ),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, {}, True),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": ["cost", "env"]}, True),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, {}, False),
    ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": ["env", "x"]}, True),
    ({"ForAllValues:StringNotLike": {"aws:TagKeys": ["sys*"]}}, {"aws:TagKeys": ["env", "sys-x"]}, False),
    # Several keys and several operators are AND'ed.
    (
        {"StringEquals": {"aws:username": "alice", "aws:PrincipalTag/team": "ops"}},
        {"aws:username": "alice", "aws:PrincipalTag/team": "dev"},
        False,
    ),
    (
        {"StringEquals": {"aws:username": "alice"}, "Bool": {"aws:SecureTransport": "true"}},
        {"aws:username": "alice", "aws:SecureTransport": "true"},
        True,
    ),
]


@pytest.mark.parametrize(("condition", "context", "allowed"), CASES)
def test_operator_decision(condition, context, allowed):
    assert _allowed(condition, context) is allowed


def test_ram_operators_with_acs_keys():
    assert _allowed({"IpAddress": {"acs:SourceIp": "192.168.0.0/16"}}, {"acs:SourceIp": "192.168.3.4"}, "ram")
    assert not _allowed({"Bool": {"acs:MFAPresent": "true"}}, {"acs:MFAPresent": "false"}, "ram")
    assert not _allowed({"Bool": {"acs:MFAPresent": "true"}}, {}, "ram")
    assert _allowed({"StringLike": {"oss:Prefix": "logs/*"}}, {"oss:Prefix": "logs/2024"}, "ram")


def test_unknown_keys_make_conditions_unknown_not_true_or_false():
    policy = ram(
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"acs:MFAPresent": "true"}, "IpAddress": {"acs:SourceIp": "10.0.0.0/8"}},
        }
    )
    conditions = policy.statements[0].conditions

    def lookup(values):
        return lambda key: values.get(key.lower(), UNKNOWN)

    assert decide_all(conditions, lookup({"acs:mfapresent": ("true",)})) is None
    assert decide_all(conditions, lookup({"acs:mfapresent": ("false",)})) is False
    assert (
        decide_all(conditions, lookup({"acs:mfapresent": ("true",), "acs:sourceip": ("10.1.1.1",)})) is True
    )


def test_ram_set_operators_mean_what_they_mean_in_iam():
    """RAM accepts ForAnyValue:/ForAllValues: (Alibaba's own system policies use them)."""
    any_addon = {"ForAnyValue:StringEquals": {"cs:AddonNames": ["logtail-ds", "loongcollector"]}}
    assert _allowed(any_addon, {"cs:AddonNames": ["nginx", "logtail-ds"]}, "ram")
    assert not _allowed(any_addon, {"cs:AddonNames": ["nginx"]}, "ram")
    assert not _allowed(any_addon, {}, "ram")
    all_tags = {"ForAllValues:StringEquals": {"acs:TagKeys": ["env", "team"]}}
    assert _allowed(all_tags, {"acs:TagKeys": ["env"]}, "ram")
    assert not _allowed(all_tags, {"acs:TagKeys": ["env", "cost"]}, "ram")


def test_alibaba_system_policy_with_for_any_value_is_evaluated_not_refused():
    """AliyunAliyunAdcpManagedLogRolePolicy (fixture copied from Alibaba's docs) parses as RAM and
    grants cs:InstallClusterAddons only for the addons it names."""
    fixtures = Path(__file__).parents[1] / "fixtures/policies/ram"
    path = fixtures / "AliyunAliyunAdcpManagedLogRolePolicy_excerpt.json"
    policy = parse_policy(path.read_text(), "ram", name="AliyunAliyunAdcpManagedLogRolePolicy")
    install = "cs:InstallClusterAddons"
    allowed = evaluate([policy], Request(install, "*", {"cs:AddonNames": ["logtail-ds"]}))
    refused = evaluate([policy], Request(install, "*", {"cs:AddonNames": ["nginx"]}))
    assert (allowed.decision, refused.decision) == (Decision.ALLOWED, Decision.IMPLICITLY_DENIED)
