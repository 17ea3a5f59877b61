"""Which OSS endpoint, region and credentials the remediation builds its oss2 client with: the
bucket's own region, unless overridden."""

from __future__ import annotations

import oss2
import pytest

from functions.common.credentials import Credentials
from functions.common.env import Endpoint, SettingsError
from functions.common.retry import Deadline, RetryPolicy
from functions.oss_acl_remediation import remediate, settings
from functions.oss_acl_remediation.remediate import BucketAcl, region_endpoint

CREDS = Credentials("STS.test-key-id", "test-secret-not-a-key", "STS.test-token")


def test_without_override_the_bucket_region_endpoint_is_used_over_https():
    assert region_endpoint("cn-hangzhou", None) == "https://oss-cn-hangzhou.aliyuncs.com"
    assert region_endpoint("ap-southeast-1", None) == "https://oss-ap-southeast-1.aliyuncs.com"


def test_an_override_replaces_the_region_endpoint():
    assert region_endpoint("cn-hangzhou", Endpoint("127.0.0.1:8080", "http")) == "http://127.0.0.1:8080"
    assert region_endpoint("cn-hangzhou", Endpoint("oss.example.com", "https")) == "https://oss.example.com"


def test_the_oss2_client_is_built_on_the_bucket_region_endpoint_region_and_sts_triple(monkeypatch):
    """What the code hands oss2's constructors (building a Bucket makes no request)."""
    built: dict[str, object] = {}

    def bucket(auth, endpoint, bucket_name, **options):
        built.update(auth=auth, endpoint=endpoint, bucket_name=bucket_name, **options)

    real_provider = oss2.StaticCredentialsProvider

    def provider(*triple):
        built["credentials"] = triple
        return real_provider(*triple)

    monkeypatch.setattr(remediate.oss2, "Bucket", bucket)
    monkeypatch.setattr(remediate.oss2, "StaticCredentialsProvider", provider)
    BucketAcl(
        CREDS,
        "config-snapshot",
        "cn-hangzhou",
        endpoint=None,
        timeout=1.5,
        retry=RetryPolicy(),
        deadline=Deadline(10.0),
    )
    assert isinstance(built.pop("auth"), oss2.ProviderAuthV2)
    assert built == {
        "endpoint": "https://oss-cn-hangzhou.aliyuncs.com",
        "bucket_name": "config-snapshot",
        "connect_timeout": 1.5,
        "region": "cn-hangzhou",
        "credentials": ("STS.test-key-id", "test-secret-not-a-key", "STS.test-token"),
    }


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
