"""The organization documents: the member reader copies only the rule's RAM reads, refuses a
write, scopes to its member; the trust and assume grant name single roles."""

from __future__ import annotations

import pytest

from policies import documents
from policies.member_role import (
    assume_member_roles_policy,
    member_reader_policy,
    member_trust_policy,
    rule_ram_reads,
)

MEMBER = "1713220985230001"


def test_reader_copies_exactly_the_ram_actions_of_the_function_document_and_drops_config():
    function = documents.load("ram/mfa-rule-function.json")
    reads = rule_ram_reads(function)
    assert reads and all(a.startswith("ram:") for a in reads)
    copied = [a for s in member_reader_policy(function, MEMBER)["Statement"] for a in s["Action"]]
    assert sorted(copied) == reads
    assert not any(a.startswith("config:") for a in copied)


def test_credential_report_apis_go_on_star_every_other_read_on_the_member_account():
    function = {"Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
        "ram:ListUsers", "ram:GenerateCredentialReport", "ram:GetCredentialReport",
        "config:PutEvaluations"]}]}
    assert member_reader_policy(function, MEMBER)["Statement"] == [
        {"Effect": "Allow", "Action": ["ram:ListUsers"], "Resource": f"acs:ram:*:{MEMBER}:*"},
        {"Effect": "Allow", "Action": ["ram:GenerateCredentialReport", "ram:GetCredentialReport"],
         "Resource": "*"},
    ]


@pytest.mark.parametrize("action", ["ram:CreateUser", "ram:*", "ram:PassRole", "ram:Get*"])
def test_a_write_or_wildcard_in_the_function_document_is_refused_not_copied(action):
    function = {"Statement": [{"Effect": "Allow", "Action": ["ram:ListUsers", action], "Resource": "*"}]}
    with pytest.raises(ValueError, match="not a RAM read"):
        member_reader_policy(function, MEMBER)


def test_trust_and_grant_refuse_accounts_in_place_of_roles():
    with pytest.raises(ValueError, match="function_role_arn"):
        member_trust_policy("acs:ram::5123456789012345:root", "org-1")
    with pytest.raises(ValueError, match="external_id"):
        member_trust_policy("acs:ram::5123456789012345:role/rule-fn", "")
    with pytest.raises(ValueError, match="no member"):
        assume_member_roles_policy([], "Reader")
    assert assume_member_roles_policy([MEMBER, MEMBER], "Reader")["Statement"][0]["Resource"] == [
        f"acs:ram::{MEMBER}:role/reader"
    ]
