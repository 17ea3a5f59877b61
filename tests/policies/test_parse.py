"""parse_policy: valid documents compile; malformed ones fail with an error naming the path."""

from __future__ import annotations

import pytest

from policies import PolicyError, parse_policy

AWS = "2012-10-17"


def _doc(*statements, version=AWS):
    return {"Version": version, "Statement": list(statements)}


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}

MALFORMED = [
    # (dialect, document, exact error)
    ("aws", "[1, 2", "document: invalid JSON: Expecting ',' delimiter (line 1, column 6)"),
    ("aws", ["not", "an", "object"], "document: expected a JSON object"),
    ("aws", {"Statement": [ALLOW_ALL]}, "Version: missing (expected '2012-10-17')"),
    ("aws", _doc(ALLOW_ALL, version="2008-10-17"), "Version: expected '2012-10-17', got '2008-10-17'"),
    ("ram", _doc(ALLOW_ALL), "Version: expected '1', got '2012-10-17'"),
    ("aws", {"Version": AWS, "Statment": []}, "Statment: unknown element (expected Version, Id, Statement)"),
    ("aws", {"Version": AWS}, "Statement: missing"),
    ("aws", _doc(), "Statement: expected at least one statement"),
    ("ram", {"Version": "1", "Statement": ALLOW_ALL}, "Statement: expected a list of statements"),
    ("aws", _doc("Allow"), "Statement[0]: expected an object"),
    (
        "aws",
        _doc(ALLOW_ALL, ALLOW_ALL, {"Effect": "allow", "Action": "*", "Resource": "*"}),
        "Statement[2].Effect: expected Allow or Deny",
    ),
    ("aws", _doc({"Action": "*", "Resource": "*"}), "Statement[0].Effect: missing (expected Allow or Deny)"),
    ("aws", _doc({"Effect": "Allow", "Resource": "*"}), "Statement[0]: expected Action or NotAction"),
    (
        "aws",
        _doc({"Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*"}),
        "Statement[0]: Action and NotAction are mutually exclusive",
    ),
    ("aws", _doc({"Effect": "Allow", "Action": "*"}), "Statement[0]: expected Resource or NotResource"),
    (
        "aws",
        _doc({"Effect": "Allow", "Action": ["ec2:Describe*", "ecs*"], "Resource": "*"}),
        "Statement[0].Action[1]: 'ecs*' is not 'service:action' or '*'",
    ),
    (
        "aws",
        _doc({"Effect": "Allow", "Action": [], "Resource": "*"}),
        "Statement[0].Action: expected at least one value",
    ),
    (
        "aws",
        _doc({"Effect": "Allow", "Action": 7, "Resource": "*"}),
        "Statement[0].Action: expected a string or a list of strings",
    ),
    (
        "aws",
        _doc({"Effect": "Allow", "Action": ["s3:GetObject", None], "Resource": "*"}),
        "Statement[0].Action[1]: expected a string",
    ),
    (
        "ram",
        _doc(
            {"Effect": "Allow", "Action": "oss:GetObject", "Resource": ["*", "arn:aws:s3:::b"]}, version="1"
        ),
        "Statement[0].Resource[1]: 'arn:aws:s3:::b' is not '*' or a resource name starting with 'acs:'",
    ),
    (
        "aws",
        _doc({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${aws:username"}),
        "Statement[0].Resource: unterminated policy variable in 'arn:aws:s3:::${aws:username'",
    ),
    ("aws", _doc({**ALLOW_ALL, "Condtion": {}}), "Statement[0].Condtion: unknown element"),
    (
        "aws",
        _doc({**ALLOW_ALL, "Sid": "a"}, {**ALLOW_ALL, "Sid": "a"}),
        "Statement[1].Sid: duplicate Sid 'a'",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"StringEq": {"aws:username": "bob"}}}),
        "Statement[0].Condition.StringEq: unknown condition operator",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": ["3600", "soon"]}}}),
        "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge[1]: 'soon' is not a number",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}}),
        "Statement[0].Condition.DateGreaterThan.aws:CurrentTime: "
        "'yesterday' is not an ISO 8601 date or epoch seconds",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}),
        "Statement[0].Condition.Bool.aws:SecureTransport: 'yes' is not true or false",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}),
        "Statement[0].Condition.IpAddress.aws:SourceIp: '10.0.0.0/33' is not an IP address or CIDR block",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"StringEquals": {"aws:username": {"a": 1}}}}),
        "Statement[0].Condition.StringEquals.aws:username: "
        "expected a string, number, boolean or a non-empty list of them",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"StringEquals": {"username": "bob"}}}),
        "Statement[0].Condition.StringEquals.username: 'username' is not a 'service:name' condition key",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"NullIfExists": {"aws:TokenIssueTime": "true"}}}),
        "Statement[0].Condition.NullIfExists: Null takes neither IfExists nor a set operator",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"Bool": {"acs:MFAPresent": "true"}}}),
        "Statement[0].Condition.Bool.acs:MFAPresent: 'acs:MFAPresent' is not a aws condition key "
        "(global keys start with aws:)",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": ["Bool"]}),
        "Statement[0].Condition: expected an object of condition operators",
    ),
    (
        "aws",
        _doc({**ALLOW_ALL, "Condition": {"Bool": {}}}),
        "Statement[0].Condition.Bool: expected an object of condition keys",
    ),
    (
        "aws",
        _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": []}),
        'Statement[0].Principal: expected "*" or an object of principal types',
    ),
]

RAM_ONLY = [
    (
        {"BoolIfExists": {"acs:MFAPresent": "false"}},
        "BoolIfExists: ...IfExists operators are not supported in ram documents",
    ),
    ({"Null": {"acs:SourceIp": "true"}}, "Null: Null is not supported in ram documents"),
    ({"ArnLike": {"acs:SourceArn": "acs:*"}}, "ArnLike: ArnLike is not supported in ram documents"),
    (
        {"StringEqualsIfExists": {"acs:SourceVpc": "vpc-1"}},
        "StringEqualsIfExists: ...IfExists operators are not supported in ram documents",
    ),
]


@pytest.mark.parametrize(("dialect", "document", "error"), MALFORMED, ids=[m[2][:40] for m in MALFORMED])
def test_malformed_document_error_names_the_path(dialect, document, error):
    with pytest.raises(PolicyError) as caught:
        parse_policy(document, dialect, "bad")
    assert str(caught.value) == error


@pytest.mark.parametrize(("condition", "error"), RAM_ONLY, ids=[r[1][:30] for r in RAM_ONLY])
def test_ram_rejects_operators_ram_does_not_document(condition, error):
    document = {"Version": "1", "Statement": [{**ALLOW_ALL, "Condition": condition}]}
    with pytest.raises(PolicyError) as caught:
        parse_policy(document, "ram")
    assert str(caught.value) == f"Statement[0].Condition.{error}"


def test_ram_rejects_aws_global_keys():
    document = {
        "Version": "1",
        "Statement": [{**ALLOW_ALL, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}],
    }
    with pytest.raises(PolicyError) as caught:
        parse_policy(document, "ram")
    assert caught.value.path == "Statement[0].Condition.Bool.aws:SecureTransport"
    assert (
        caught.value.reason
        == "'aws:SecureTransport' is not a ram condition key (global keys start with acs:)"
    )


# The operators RAM documents (help/en/ram/conditional-operator: string, number, date and time,
# Boolean, IP address), each with a value of its kind: every one must parse, or a real policy
# using it would leave its holders without a compliance answer.
RAM_OPERATORS = [
    *[(op, "acs:UserAgent", "x*") for op in (
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike")],
    *[(f"Numeric{s}", "acs:MFAAge", "3600") for s in (
        "Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")],
    *[(f"Date{s}", "acs:CurrentTime", "2019-08-12T17:00:00+08:00") for s in (
        "Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")],
    ("Bool", "acs:SecureTransport", "true"),
    ("IpAddress", "acs:SourceIp", "192.168.0.0/16"),
    ("NotIpAddress", "acs:SourceIp", "10.0.0.1"),
]  # fmt: skip


@pytest.mark.parametrize(("operator", "key", "value"), RAM_OPERATORS, ids=[o[0] for o in RAM_OPERATORS])
def test_ram_accepts_every_operator_ram_documents(operator, key, value):
    policy = parse_policy(
        {"Version": "1", "Statement": [{**ALLOW_ALL, "Condition": {operator: {key: value}}}]}, "ram"
    )
    (condition,) = policy.statements[0].conditions
    assert (condition.base, condition.set_op, condition.if_exists, condition.values) == (
        operator,
        None,
        False,
        (value,),
    )


def test_ram_system_policy_shape_parses():
    """A statement as RAM system policies write it (service-linked role, service condition key)."""
    policy = parse_policy(
        {
            "Version": "1",
            "Statement": [
                {"Action": "ecs:*", "Resource": "*", "Effect": "Allow"},
                {
                    "Action": "ram:CreateServiceLinkedRole",
                    "Resource": "*",
                    "Effect": "Allow",
                    "Condition": {"StringEquals": {"ram:ServiceName": ["ecs.aliyuncs.com"]}},
                },
            ],
        },
        "ram",
        "AliyunECSFullAccess",
    )
    assert [s.actions for s in policy.statements] == [("ecs:*",), ("ram:CreateServiceLinkedRole",)]


def test_duplicate_sid_is_an_iam_rule_only():
    """IAM rejects a repeated Sid; RAM documents no such rule, so a RAM policy with one still parses."""
    document = {"Version": "1", "Statement": [{**ALLOW_ALL, "Sid": "a"}, {**ALLOW_ALL, "Sid": "a"}]}
    assert [s.sid for s in parse_policy(document, "ram").statements] == ["a", "a"]


def test_unknown_dialect_is_an_error():
    with pytest.raises(PolicyError, match=r"^dialect: expected aws or ram, got 'gcp'$"):
        parse_policy(_doc(ALLOW_ALL), "gcp")


def test_policy_error_is_a_value_error_with_path_and_reason():
    with pytest.raises(ValueError, match=r"^Statement: missing$"):
        parse_policy({"Version": "1"}, "ram")


def test_valid_ram_statement_compiles_every_element():
    policy = parse_policy(
        {
            "Version": "1",
            "Statement": [
                {
                    "Effect": "Deny",
                    "NotAction": ["ram:Get*", "ram:List*"],
                    "NotResource": "acs:ram:*:*:user/${acs:username}",
                    "Condition": {"Bool": {"acs:MFAPresent": False}, "NumericLessThan": {"acs:Age": 5}},
                }
            ],
        },
        "ram",
        "deny",
    )
    (statement,) = policy.statements
    assert (policy.name, policy.dialect) == ("deny", "ram")
    assert statement.effect == "Deny"
    assert statement.actions == ("ram:Get*", "ram:List*")
    assert statement.not_action is True
    assert statement.resources == ("acs:ram:*:*:user/${acs:username}",)
    assert statement.not_resource is True
    assert [(c.operator, c.key, c.values) for c in statement.conditions] == [
        ("Bool", "acs:MFAPresent", ("false",)),
        ("NumericLessThan", "acs:Age", ("5",)),
    ]
    assert statement.ref.to_json() == {"policy": "deny", "index": 0, "sid": None, "effect": "Deny"}


def test_aws_accepts_a_single_statement_object_an_id_and_a_json_string():
    policy = parse_policy(
        '{"Version": "2012-10-17", "Id": "x", "Statement": {"Effect": "Allow", '
        '"Action": "s3:*", "Resource": "*", "Sid": "S3"}}',
        "aws",
    )
    assert [s.sid for s in policy.statements] == ["S3"]


def test_trust_policy_needs_no_resource():
    policy = parse_policy(
        {
            "Version": "1",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["fc.aliyuncs.com"]}}
            ],
        },
        "ram",
    )
    (statement,) = policy.statements
    assert statement.resources is None
    assert statement.principal == (("Service", ("fc.aliyuncs.com",)),)


def test_set_operators_and_ifexists_split_in_aws():
    policy = parse_policy(
        _doc({**ALLOW_ALL, "Condition": {"ForAllValues:StringLikeIfExists": {"aws:TagKeys": ["env*"]}}}),
        "aws",
    )
    (condition,) = policy.statements[0].conditions
    assert (condition.base, condition.set_op, condition.if_exists) == ("StringLike", "ForAllValues", True)
