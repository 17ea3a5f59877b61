"""Which OSS endpoint the remediation talks to: the bucket's own region, unless overridden."""

from __future__ import annotations

import pytest

from functions.common.credentials import Credentials
from functions.common.env import Endpoint, SettingsError
from functions.common.retry import Deadline, RetryPolicy
from functions.oss_acl_remediation import settings
from functions.oss_acl_remediation.remediate import BucketAcl, region_endpoint

CREDS = Credentials("STS.test-key-id", "test-secret-not-a-key", "STS.test-token")


def test_without_override_the_bucket_region_endpoint_is_used_over_https():
    assert region_endpoint("cn-hangzhou", None) == "https://oss-cn-hangzhou.aliyuncs.com"
    assert region_endpoint("ap-southeast-1", None) == "https://oss-ap-southeast-1.aliyuncs.com"


def test_an_override_replaces_the_region_endpoint():
    assert region_endpoint("cn-hangzhou", Endpoint("127.0.0.1:8080", "http")) == "http://127.0.0.1:8080"
    assert region_endpoint("cn-hangzhou", Endpoint("oss.example.com", "https")) == "https://oss.example.com"


def test_the_oss2_client_is_built_on_the_bucket_region_endpoint_and_region():
    acl = BucketAcl(
        CREDS,
        "config-snapshot",
        "cn-hangzhou",
        endpoint=None,
        timeout=1.0,
        retry=RetryPolicy(),
        deadline=Deadline(10.0),
    )
    bucket = acl._bucket  # constructing the client makes no request
    assert (bucket.endpoint, bucket.bucket_name, bucket.region) == (
        "https://oss-cn-hangzhou.aliyuncs.com",
        "config-snapshot",
        "cn-hangzhou",
    )


def test_oss_endpoint_setting_allows_plain_http_only_to_loopback():
    base = {"RULE_NAME": "r"}
    assert settings.from_env(base).oss_endpoint is None
    assert settings.from_env({**base, "OSS_ENDPOINT": "127.0.0.1:9000"}).oss_endpoint == Endpoint(
        "127.0.0.1:9000", "http"
    )
    assert settings.from_env(
        {**base, "OSS_ENDPOINT": "oss-cn-hangzhou.aliyuncs.com"}
    ).oss_endpoint == Endpoint("oss-cn-hangzhou.aliyuncs.com", "https")
    with pytest.raises(SettingsError) as info:
        settings.from_env({**base, "OSS_ENDPOINT": "http://oss-cn-hangzhou.aliyuncs.com"})
    assert str(info.value) == (
        "OSS_ENDPOINT: plain http is only allowed for loopback addresses, "
        "got 'http://oss-cn-hangzhou.aliyuncs.com'"
    )
