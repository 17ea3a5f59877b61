"""ComplianceNotifications and the `baseline:notifications` settings: subscriptions planned exactly,
endpoints validated with the key named, tokens only as Pulumi secrets."""

from __future__ import annotations

import datetime

import pytest

from baseline.mocks import run_with_mocks
from components.notifications import TYPE, ComplianceNotifications
from components.settings import NotificationSettings, SecretUrl, SettingsError, settings_from_config
from tests.components.support import ACCOUNT, REGION

TOPIC_ARN = f"acs:mns:{REGION}:{ACCOUNT}:/topics/BaselineComplianceFindings"
BASE = {"alicloud:region": REGION, "baseline:complianceRule": {"dangerousActions": ["ecs:*"]}}
TODAY = datetime.date(2026, 12, 2)
HOOK = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"


def notifications(raw: dict, secret_keys: tuple[str, ...] = ()) -> NotificationSettings:
    config = {**BASE, "baseline:notifications": raw}
    return settings_from_config(config, today=TODAY, secret_keys=secret_keys).notifications


def problems(raw: dict) -> tuple[str, ...]:
    with pytest.raises(SettingsError) as caught:
        notifications(raw)
    return caught.value.problems


def build(settings: NotificationSettings):
    return run_with_mocks(
        lambda: ComplianceNotifications(
            "notify",
            region=REGION,
            notifications=settings,
            resource_types=["ACS::RAM::User", "ACS::OSS::Bucket"],
        )
    )


def test_every_subscriber_gets_an_mns_subscription_on_a_topic_fed_only_with_findings():
    settings = notifications(
        {
            "emails": ["sec@example.com", "owner@example.org"],
            "httpEndpoints": ["https://alerts.example.com/c"],
        }
    )
    run = build(settings)
    assert run.one(TYPE).name == "notify"
    assert run.one("alicloud:message/serviceTopic:ServiceTopic").inputs == {
        "topicName": "BaselineComplianceFindings"
    }
    assert run.one("alicloud:cfg/delivery:Delivery").inputs == {
        "deliveryChannelName": "BaselineComplianceFindings",
        "deliveryChannelType": "MNS",
        "deliveryChannelTargetArn": TOPIC_ARN,
        "deliveryChannelCondition": (
            '[{"filterType":"ResourceType","values":["ACS::RAM::User","ACS::OSS::Bucket"],"multiple":true}]'
        ),
        "nonCompliantNotification": True,
        "configurationItemChangeNotification": False,
        "configurationSnapshot": False,
        "description": "NON_COMPLIANT findings of the baseline's rules, for the people subscribed",
    }
    subscriptions = {
        r.name: r.inputs for r in run.by_type("alicloud:message/serviceSubscription:ServiceSubscription")
    }
    assert subscriptions == {
        "notify-email-0": {
            "topicName": "BaselineComplianceFindings",
            "subscriptionName": "BaselineComplianceFindings-email-0",
            "pushType": "email",
            "endpoint": "sec@example.com",
            "notifyContentFormat": "SIMPLIFIED",
            "notifyStrategy": "EXPONENTIAL_DECAY_RETRY",
        },
        "notify-email-1": {
            "topicName": "BaselineComplianceFindings",
            "subscriptionName": "BaselineComplianceFindings-email-1",
            "pushType": "email",
            "endpoint": "owner@example.org",
            "notifyContentFormat": "SIMPLIFIED",
            "notifyStrategy": "EXPONENTIAL_DECAY_RETRY",
        },
        "notify-http-0": {
            "topicName": "BaselineComplianceFindings",
            "subscriptionName": "BaselineComplianceFindings-http-0",
            "pushType": "http",
            "endpoint": "https://alerts.example.com/c",
            "notifyContentFormat": "JSON",
            "notifyStrategy": "EXPONENTIAL_DECAY_RETRY",
        },
    }


def test_a_secret_endpoint_reaches_the_provider_as_a_pulumi_secret():
    settings = notifications({"httpEndpoints": [HOOK]}, secret_keys=("baseline:notifications",))
    assert isinstance(settings.http_endpoints[0], SecretUrl)
    assert HOOK not in repr(settings)
    endpoint = (
        build(settings).one("alicloud:message/serviceSubscription:ServiceSubscription").inputs["endpoint"]
    )
    assert endpoint != HOOK  # recorded as a secret, not as plain text
    assert HOOK in str(endpoint)


def test_a_stack_file_secret_is_planned_as_a_secret_placeholder():
    settings = notifications({"httpEndpoints": [{"secure": "v1:AAAA"}]})
    assert settings.http_endpoints == ("https://secret.invalid/",)
    assert isinstance(settings.http_endpoints[0], SecretUrl)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"emails": ["ops@"]}, "baseline:notifications.emails[0]: 'ops@' is not an email address"),
        (
            {"httpEndpoints": ["http://alerts.example.com/c"]},
            "baseline:notifications.httpEndpoints[0]: plain http: use https, or set allowHttp: true",
        ),
        (
            {"httpEndpoints": ["ftp://x.example.com"]},
            "baseline:notifications.httpEndpoints[0]: not an http(s) URL",
        ),
        (
            {"httpEndpoints": ["https://a.example.com/#x"]},
            "baseline:notifications.httpEndpoints[0]: has a #fragment",
        ),
        ({"httpEndpoints": [7]}, "baseline:notifications.httpEndpoints[0]: expected a URL"),
        (
            {"httpFormat": "YAML"},
            "baseline:notifications.httpFormat: 'YAML' is not one of XML, JSON, SIMPLIFIED",
        ),
        (
            {"httpEndpoints": [HOOK]},
            "baseline:notifications.httpEndpoints[0]: carries a token (query parameter 'access_token') "
            "in a plain stack value: set it with `pulumi config set --secret --path "
            "'baseline:notifications.httpEndpoints[0]' <url>`",
        ),
        (
            {"httpEndpoints": ["https://hooks.example.com/services/T0000000/B0000000/XXXXxxxxXXXXxxxx1234"]},
            "baseline:notifications.httpEndpoints[0]: carries a token (a token-like path segment)",
        ),
        ({"emial": []}, "baseline:notifications.emial: unknown key (did you mean 'emails'?)"),
    ],
)
def test_bad_endpoints_are_refused_naming_the_key(raw, problem):
    found = problems(raw)
    assert any(line.startswith(problem) for line in found), found
    assert all("0123456789abcdef" not in line for line in found)  # the token is never echoed


def test_plain_http_is_accepted_only_when_explicitly_allowed():
    settings = notifications({"httpEndpoints": ["http://10.0.0.5:8080/hook"], "allowHttp": True})
    assert settings.http_endpoints == ("http://10.0.0.5:8080/hook",)


def test_no_subscriber_means_no_notification_resources():
    assert notifications({}).subscribers == 0
