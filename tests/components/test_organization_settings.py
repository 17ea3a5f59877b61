"""`baseline:organization`: absent means no organization resources; every bad field is named."""

from __future__ import annotations

import pytest

from components.settings import SettingsError, settings_from_config
from functions.common.env import SettingsError as FunctionSettingsError
from functions.mfa_rule import settings as rule_settings

MINIMAL = {"alicloud:region": "ap-southeast-1", "baseline:complianceRule": {"dangerousActions": ["ecs:*"]}}
MEMBER = "1713220985230001"


def _org(**fields):
    return {**MINIMAL, "baseline:organization": {"members": [MEMBER], "externalId": "org-1", **fields}}


def _problems(config):
    """The problems the loader names, [] when the settings load."""
    try:
        settings_from_config(config)
    except SettingsError as exc:
        return list(exc.problems)
    return []


def test_absent_section_deploys_nothing_and_a_minimal_one_takes_the_documented_defaults():
    assert settings_from_config(MINIMAL).organization is None
    org = settings_from_config(_org()).organization
    assert org is not None
    assert (org.aggregator_type, org.folder_id, org.rule_name) == ("RD", None, "RamUserMFA-org")
    assert (org.member_role_name, org.deployment_role_name) == (
        "BaselineMfaRuleReader", "ResourceDirectoryAccountAccessRole"
    )
    assert org.members == (MEMBER,)


def test_members_and_external_id_are_required_and_checked_item_by_item():
    assert _problems({**MINIMAL, "baseline:organization": {}}) == [
        "baseline:organization.members: required",
        "baseline:organization.externalId: required",
    ]
    assert _problems(_org(members=[MEMBER, "171322098523****", MEMBER])) == [
        "baseline:organization.members[1]: '171322098523****' is not a 16-digit account id",
        f"baseline:organization.members[2]: '{MEMBER}' is listed twice",
    ]
    assert _problems(_org(externalId="x")) == [
        "baseline:organization.externalId: 'x' is not 2..1224 of letters, digits and `+=,.@:/-_`"
    ]


@pytest.mark.parametrize("external_id", ["org-1", "a+b=c,d.e@f:g/h_i", "é-org", "org 1", "x", "x" * 1225])
def test_the_stack_accepts_exactly_the_external_ids_the_rule_function_accepts(external_id):
    """A value only the stack accepted would deploy, then fail every organization sweep."""
    stack_ok = not [p for p in _problems(_org(externalId=external_id)) if "externalId" in p]
    environ = {"MEMBER_ACCOUNTS": MEMBER, "MEMBER_ROLE_NAME": "BaselineMfaRuleReader"}
    try:
        rule_settings.from_env({**environ, "MEMBER_EXTERNAL_ID": external_id})
        function_ok = True
    except FunctionSettingsError:
        function_ok = False
    assert stack_ok == function_ok == (external_id in ("org-1", "a+b=c,d.e@f:g/h_i"))


def test_an_external_id_with_a_trailing_newline_is_refused_not_written_into_the_trust():
    assert _problems(_org(externalId="org-1\n")) == [
        "baseline:organization.externalId: 'org-1\\n' is not 2..1224 of letters, digits and `+=,.@:/-_`"
    ]



def test_an_account_group_holds_at_most_200_members():
    members = [f"{1000000000000000 + i}" for i in range(201)]
    assert _problems(_org(members=members)) == [
        "baseline:organization.members: 201 accounts, an account group holds at most 200"
    ]


def test_a_folder_group_needs_its_folder_and_only_it_has_one():
    assert _problems(_org(aggregatorType="FOLDER")) == [
        "baseline:organization.folderId: required when aggregatorType is FOLDER"
    ]
    assert _problems(_org(folderId="fd-abc")) == [
        "baseline:organization.folderId: only a FOLDER account group has a folder"
    ]
    assert _problems(_org(aggregatorType="CUSTOM")) == [
        "baseline:organization.aggregatorType: 'CUSTOM' is not one of RD, FOLDER"
    ]
    folder = settings_from_config(_org(aggregatorType="FOLDER", folderId="fd-abc")).organization
    assert folder is not None and folder.folder_id == "fd-abc"
