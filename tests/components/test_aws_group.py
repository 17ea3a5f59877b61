"""AwsMfaEnforcedGroup: group, force-MFA policy from the documents, attachments, members, password policy."""

from __future__ import annotations

import hashlib
import json

from baseline.mock_outputs import AWS_ACCOUNT
from baseline.mocks import run_with_mocks
from components.aws_group import TYPE, AwsMfaEnforcedGroup
from components.settings import AwsPasswordPolicySettings, AwsSettings
from policies import Decision, Request, documents, evaluate, parse_policy

ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"


def build(settings):
    return run_with_mocks(lambda: AwsMfaEnforcedGroup("grp", settings=settings))


def test_group_policy_and_attachments():
    settings = AwsSettings(
        region="eu-west-1",
        managed_policy_arns=(
            "arn:aws:iam::aws:policy/PowerUserAccess",
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        ),
    )
    run = build(settings)
    assert run.one("aws:iam/group:Group").inputs == {"name": "PowerConsultants"}
    policy = run.one("aws:iam/policy:Policy").inputs
    assert policy["name"] == "ForceMFA"
    assert json.loads(policy["policy"]) == documents.force_mfa(True)
    attachments = {r.name: r.inputs for r in run.by_type(ATTACHMENT)}
    assert attachments == {
        "grp-force-mfa-attachment": {
            "group": "PowerConsultants",
            "policyArn": f"arn:aws:iam::{AWS_ACCOUNT}:policy/ForceMFA",
        },
        "grp-PowerUserAccess": {
            "group": "PowerConsultants",
            "policyArn": "arn:aws:iam::aws:policy/PowerUserAccess",
        },
        "grp-ViewOnlyAccess": {
            "group": "PowerConsultants",
            "policyArn": "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        },
    }
    assert run.by_type("aws:iam/groupMembership:GroupMembership") == []


def test_the_deployed_policy_denies_work_without_mfa_and_allows_password_change():
    policy = build(AwsSettings(region="us-east-1")).one("aws:iam/policy:Policy").inputs
    parsed = [parse_policy(json.loads(policy["policy"]), "aws", "force-mfa")]
    no_mfa = {"aws:MultiFactorAuthPresent": "false"}
    assert evaluate(parsed, Request("ec2:RunInstances", "*", no_mfa)).decision is Decision.EXPLICITLY_DENIED
    assert (
        evaluate(
            parsed,
            Request("iam:ChangePassword", "arn:aws:iam::1:user/john", {**no_mfa, "aws:username": "john"}),
        ).decision
        is Decision.ALLOWED
    )


def test_without_initial_password_exemption_the_policy_follows_the_documents():
    policy = build(AwsSettings(region="us-east-1", allow_initial_password_change_without_mfa=False))
    assert json.loads(policy.one("aws:iam/policy:Policy").inputs["policy"]) == documents.force_mfa(False)


def test_members_and_password_policy():
    settings = AwsSettings(
        region="us-east-1",
        members=("john", "alice"),
        password_policy=AwsPasswordPolicySettings(
            minimum_length=20, max_password_age_days=45, reuse_prevention=12, hard_expiry=True
        ),
    )
    run = build(settings)
    assert run.one("aws:iam/groupMembership:GroupMembership").inputs == {
        "name": "PowerConsultants-members",
        "group": "PowerConsultants",
        "users": ["john", "alice"],
    }
    assert run.one("aws:iam/accountPasswordPolicy:AccountPasswordPolicy").inputs == {
        "minimumPasswordLength": 20,
        "requireLowercaseCharacters": True,
        "requireUppercaseCharacters": True,
        "requireNumbers": True,
        "requireSymbols": True,
        "maxPasswordAge": 45,
        "passwordReusePrevention": 12,
        "allowUsersToChangePassword": True,
        "hardExpiry": True,
    }


def test_same_policy_name_on_two_paths_gets_two_attachment_names():
    settings = AwsSettings(
        region="us-east-1",
        managed_policy_arns=(
            "arn:aws:iam::aws:policy/ReadOnly",
            "arn:aws:iam::123456789012:policy/team/ReadOnly",
        ),
    )
    names = sorted(r.name for r in build(settings).by_type(ATTACHMENT))
    suffix = hashlib.sha256(b"arn:aws:iam::123456789012:policy/team/ReadOnly").hexdigest()[:8]
    assert names == ["grp-ReadOnly", f"grp-ReadOnly-{suffix}", "grp-force-mfa-attachment"]


def test_children_are_parented_by_the_component():
    run = build(AwsSettings(region="us-east-1", members=("john",)))
    component = run.one(TYPE)
    assert {r.parent for r in run.registrations() if r.type != TYPE} == {component.urn}


def test_two_groups_do_not_collide():
    """Two enforced groups (e.g. consultants and operators) live side by side in one stack."""

    def program():
        AwsMfaEnforcedGroup("consultants", settings=AwsSettings(region="us-east-1"))
        AwsMfaEnforcedGroup(
            "operators",
            settings=AwsSettings(region="us-east-1", group_name="Operators", policy_name="OpsMFA"),
        )

    run = run_with_mocks(program)
    urns = [r.urn for r in run.registrations()]
    assert len(urns) == len(set(urns))
    assert sorted(r.inputs["name"] for r in run.by_type("aws:iam/group:Group")) == [
        "Operators",
        "PowerConsultants",
    ]
    assert sorted(r.name for r in run.by_type(ATTACHMENT)) == [
        "consultants-PowerUserAccess",
        "consultants-force-mfa-attachment",
        "operators-PowerUserAccess",
        "operators-force-mfa-attachment",
    ]
