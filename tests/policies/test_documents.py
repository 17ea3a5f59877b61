"""policies.documents: the shipped JSON documents load, parse and say exactly what they should."""

from __future__ import annotations

import pytest

from policies import Decision, Request, documents, evaluate, parse_policy

ALL = [
    ("aws/force-mfa.json", "aws"),
    ("ram/fc-trust.json", "ram"),
    ("ram/mns-trust.json", "ram"),
    ("ram/mfa-rule-function.json", "ram"),
    ("ram/oss-acl-remediation.json", "ram"),
]


@pytest.mark.parametrize(("path", "dialect"), ALL)
def test_every_document_is_valid_in_its_dialect(path, dialect):
    assert parse_policy(documents.load(path), dialect, path).statements


def test_load_returns_a_fresh_dict_each_call():
    first = documents.load("ram/fc-trust.json")
    first["Statement"].clear()
    assert documents.load("ram/fc-trust.json")["Statement"] != []


@pytest.mark.parametrize("bad", ["../parse.py", "/etc/passwd.json", "ram/fc-trust.yaml"])
def test_load_refuses_paths_outside_the_documents(bad):
    with pytest.raises(
        ValueError, match=r"expected a relative path to a \.json file under policies/documents/"
    ):
        documents.load(bad)


def test_load_missing_document():
    with pytest.raises(FileNotFoundError, match=r"^'ram/nope.json': no such policy document"):
        documents.load("ram/nope.json")


def test_trust_policies_name_their_service():
    for path, service in (
        ("ram/fc-trust.json", "fc.aliyuncs.com"),
        ("ram/mns-trust.json", "mns.aliyuncs.com"),
    ):
        (statement,) = documents.load(path)["Statement"]
        assert statement == {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": [service]},
        }


def test_rule_function_permissions_are_exactly_the_reads_it_needs():
    actions = sorted(
        a for s in documents.load("ram/mfa-rule-function.json")["Statement"] for a in s["Action"]
    )
    assert actions == [
        "config:GetDiscoveredResource",
        "config:PutEvaluations",
        "ram:GenerateCredentialReport",
        "ram:GetCredentialReport",
        "ram:GetLoginProfile",
        "ram:GetPolicy",
        "ram:GetSecurityPreference",
        "ram:GetUserMFAInfo",
        "ram:ListAccessKeys",
        "ram:ListEntitiesForPolicy",
        "ram:ListGroupsForUser",
        "ram:ListPolicies",
        "ram:ListPoliciesForGroup",
        "ram:ListPoliciesForUser",
        "ram:ListUsers",
        "ram:ListUsersForGroup",
        "ram:ListVirtualMFADevices",
    ]


def test_remediation_permissions_are_bucket_acl_only():
    (statement,) = documents.load("ram/oss-acl-remediation.json")["Statement"]
    assert statement["Action"] == ["oss:GetBucketAcl", "oss:PutBucketAcl"]


def test_force_mfa_switch_only_changes_the_initial_password_exemption():
    default = documents.force_mfa()
    strict = documents.force_mfa(allow_initial_password_change=False)
    deny = default["Statement"][-1]
    assert deny["Sid"] == "DenyAllExceptListedIfNoMFA"
    assert deny["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    assert set(deny["NotAction"]) - set(strict["Statement"][-1]["NotAction"]) == {
        "iam:ChangePassword",
        "iam:GetAccountPasswordPolicy",
    }
    assert default["Statement"][:-1] == strict["Statement"][:-1]
    assert documents.force_mfa() == default  # fresh copy: the switch never leaks into later calls


FC3_ARN = "acs:fc:ap-southeast-1:5123456789012345:functions/oss-acl-remediation"
FC2_ARN = "acs:fc:ap-southeast-1:5123456789012345:services/resource_repair.LATEST/functions/oss_fix"


def _decision(document, resource, action="fc:InvokeFunction"):
    return evaluate([parse_policy(document, "ram", "invoke")], Request(action, resource)).decision


def test_fc3_trigger_role_may_invoke_the_function_under_any_qualifier_and_nothing_else():
    """FC 3.0 authorizes a trigger's invocation against the function, or function/<qualifier>."""
    document = documents.trigger_invoke_policy(FC3_ARN)
    assert document == {
        "Version": "1",
        "Statement": [
            {"Effect": "Allow", "Action": "fc:InvokeFunction", "Resource": [FC3_ARN, FC3_ARN + "/*"]}
        ],
    }
    for allowed in (FC3_ARN, FC3_ARN + "/LATEST", FC3_ARN + "/prod"):
        assert _decision(document, allowed) is Decision.ALLOWED, allowed
    for other in (
        FC3_ARN + "-2",
        FC3_ARN + "-2/LATEST",
        FC3_ARN.replace("5123456789012345", "5999999999999999"),
        FC3_ARN.replace("ap-southeast-1", "cn-shanghai"),
        "acs:fc:ap-southeast-1:5123456789012345:functions/other",
    ):
        assert _decision(document, other) is Decision.IMPLICITLY_DENIED, other
    assert _decision(document, FC3_ARN, "fc:UpdateFunction") is Decision.IMPLICITLY_DENIED


def test_fc2_trigger_role_may_invoke_the_services_function_under_any_qualifier_and_nothing_else():
    """FC 2.0 puts the qualifier in the service segment: services/<service>.<qualifier>/functions/<fn>."""
    document = documents.trigger_invoke_policy(FC2_ARN)
    wildcard = FC2_ARN.replace(".LATEST/", ".*/")
    statement = {"Effect": "Allow", "Action": "fc:InvokeFunction", "Resource": [wildcard]}
    assert document["Statement"] == [statement]
    for allowed in (FC2_ARN, FC2_ARN.replace(".LATEST", ".prod")):
        assert _decision(document, allowed) is Decision.ALLOWED, allowed
    for other in (
        FC2_ARN.replace("oss_fix", "other"),
        FC2_ARN.replace("oss_fix", "oss_fix2"),
        FC2_ARN.replace("resource_repair", "other_service"),
        FC2_ARN.replace("5123456789012345", "5999999999999999"),
    ):
        assert _decision(document, other) is Decision.IMPLICITLY_DENIED, other


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "arn:aws:lambda:x",
        "acs:fc:*:*:functions/*",
        "acs:fc:r:1:functions/a b",
        "acs:fc:ap-southeast-1:*:functions/f",
        "acs:fc:ap-southeast-1:5123456789012345:functions/f/LATEST",
        "acs:fc:ap-southeast-1:5123456789012345:services/s.prod/functions/f",
        "acs:fc:ap-southeast-1:5123456789012345:services/s/functions/f",
    ],
)
def test_trigger_invoke_policy_rejects_anything_but_one_fc_arn(bad):
    with pytest.raises(ValueError, match=r"^function_arn: .* is not a Function Compute ARN"):
        documents.trigger_invoke_policy(bad)
