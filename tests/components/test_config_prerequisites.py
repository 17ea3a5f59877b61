"""ConfigPrerequisites: Cloud Config's service-linked role and recording, created or checked, and
every rule and delivery of the program waiting for them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from baseline.mock_outputs import BaselineMocks
from baseline.mocks import run_with_mocks
from components.config_prerequisites import TYPE, ConfigPrerequisites, PrerequisiteMissing
from components.program import build
from components.settings import (
    ConfigPrerequisiteSettings,
    SettingsError,
    load_stack_file,
    settings_from_config,
)

STACKS = Path(__file__).resolve().parents[2] / "stacks"
ROLE = "alicloud:resourcemanager/serviceLinkedRole:ServiceLinkedRole"
RECORDER = "alicloud:cfg/configurationRecorder:ConfigurationRecorder"
GET_ROLES = "alicloud:ram/getRoles:getRoles"
GET_RECORDERS = "alicloud:cfg/getConfigurationRecorders:getConfigurationRecorders"


def plan(settings: ConfigPrerequisiteSettings, mocks: BaselineMocks | None = None):
    return run_with_mocks(lambda: ConfigPrerequisites("config", settings=settings), mocks=mocks)


def test_by_default_the_role_and_recording_are_created_kept_on_destroy_and_ordered():
    run = plan(ConfigPrerequisiteSettings())
    component = run.one(TYPE)
    role = run.one(ROLE, "config-service-linked-role")
    recorder = run.one(RECORDER, "config-recorder")
    assert role.inputs == {"serviceName": "config.aliyuncs.com"}
    # No resource types: the provider sends none on create, and an account's recorded types stay.
    assert recorder.inputs == {}
    assert role.parent == recorder.parent == component.urn
    assert role.retain_on_delete and recorder.retain_on_delete
    # Config cannot be activated before its service-linked role exists.
    assert role.urn in recorder.dependencies
    assert not [i for i in run.mocks.invokes if i.token in (GET_ROLES, GET_RECORDERS)]


def test_an_account_that_has_both_gets_lookups_and_no_resources():
    run = plan(ConfigPrerequisiteSettings(create_service_linked_role=False, start_recorder=False))
    assert run.by_type(ROLE) == [] and run.by_type(RECORDER) == []
    asked = {i.token: i.args for i in run.mocks.invokes}
    assert asked[GET_ROLES] == {"nameRegex": "^AliyunServiceRoleForConfig$"}
    assert GET_RECORDERS in asked


def test_an_existing_role_with_recording_still_to_start_plans_only_the_recorder():
    run = plan(ConfigPrerequisiteSettings(create_service_linked_role=False))
    assert run.by_type(ROLE) == []
    assert run.one(RECORDER).dependencies == {run.one(TYPE).urn}


def test_a_role_said_to_exist_but_missing_stops_the_program_naming_the_key():
    mocks = BaselineMocks(config_service_role=False)
    with pytest.raises(PrerequisiteMissing) as caught:
        plan(ConfigPrerequisiteSettings(create_service_linked_role=False), mocks)
    assert str(caught.value) == (
        "baseline:configPrerequisites.createServiceLinkedRole is false but the account has no "
        "AliyunServiceRoleForConfig: set it to true, or create it (aliyun resourcemanager "
        "CreateServiceLinkedRole --ServiceName config.aliyuncs.com)"
    )


@pytest.mark.parametrize(("status", "seen"), [(None, "no recorder"), ("REGISTRABLE", "REGISTRABLE")])
def test_recording_said_to_run_but_not_registered_stops_the_program_naming_the_key(status, seen):
    mocks = BaselineMocks(recorder_status=status)
    with pytest.raises(PrerequisiteMissing) as caught:
        plan(ConfigPrerequisiteSettings(start_recorder=False), mocks)
    assert str(caught.value) == (
        "baseline:configPrerequisites.startRecorder is false but Cloud Config is not recording in this "
        f"account ({seen}): set it to true, or start it (aliyun config StartConfigurationRecorder)"
    )


CONFIG_CONSUMERS = {
    ("alicloud:cfg/rule:Rule", "mfa-rule-rule"),
    ("alicloud:cfg/rule:Rule", "oss-remediation-rule"),
    ("alicloud:cfg/delivery:Delivery", "oss-remediation-delivery"),
    ("alicloud:cfg/delivery:Delivery", "compliance-notifications-delivery"),
}


@pytest.mark.parametrize(
    ("stack", "engine", "consumers"),
    [
        ("dev", "function", CONFIG_CONSUMERS),
        (
            "dev",
            "oos",
            (CONFIG_CONSUMERS - {("alicloud:cfg/delivery:Delivery", "oss-remediation-delivery")})
            | {("alicloud:cfg/remediation:Remediation", "oss-remediation-oos")},
        ),
        ("org", None, {("alicloud:cfg/aggregateConfigRule:AggregateConfigRule", "organization-rule")}),
    ],
)
def test_every_rule_delivery_and_remediation_waits_for_the_role_and_recording(stack, engine, consumers):
    settings = load_stack_file(STACKS / f"Pulumi.{stack}.yaml")
    if engine is not None:
        settings = dataclasses.replace(
            settings, remediation=dataclasses.replace(settings.remediation, engine=engine)
        )
    run = run_with_mocks(lambda: build(settings))
    prerequisites = {run.one(ROLE).urn, run.one(RECORDER).urn}
    for type_, name in consumers:
        assert prerequisites <= run.one(type_, name).dependencies, name


def test_the_stacks_create_both_by_default_and_the_keys_are_typed():
    for stack in ("dev", "prod", "org"):
        assert load_stack_file(STACKS / f"Pulumi.{stack}.yaml").config_prerequisites == (
            ConfigPrerequisiteSettings(create_service_linked_role=True, start_recorder=True)
        )
    minimal = {
        "alicloud:region": "ap-southeast-1", "baseline:complianceRule": {"dangerousActions": ["ecs:*"]}
    }
    section = "baseline:configPrerequisites"
    existing = settings_from_config(
        {**minimal, section: {"createServiceLinkedRole": False, "startRecorder": False}}
    )
    assert existing.config_prerequisites == ConfigPrerequisiteSettings(
        create_service_linked_role=False, start_recorder=False
    )
    with pytest.raises(SettingsError) as caught:
        settings_from_config(
            {**minimal, section: {"createServiceLinkedRole": "no", "startRecordr": True}}
        )
    assert str(caught.value) == (
        "baseline:configPrerequisites.createServiceLinkedRole: expected true or false, got string 'no'\n"
        "baseline:configPrerequisites.startRecordr: unknown key (did you mean 'startRecorder'?)"
    )
