"""The fake cloud itself: it rejects what the real services reject, in their error shape."""

from __future__ import annotations

import http.client
import json

import pytest
from alibabacloud_ram20150501 import models as ram
from alibabacloud_ram20150501.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

from tests.fakes import faults
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import TEST_KEY_ID, TEST_SECRET, TEST_TOKEN, load


@pytest.fixture
def fake():
    with FakeCloud(load("snapshots/account.json"), expected_token=TEST_TOKEN) as cloud:
        yield cloud


def client(fake: FakeCloud, token: str | None = TEST_TOKEN) -> Client:
    return Client(
        Config(
            access_key_id=TEST_KEY_ID,
            access_key_secret=TEST_SECRET,
            security_token=token,
            endpoint=fake.endpoint,
            protocol="http",
        )
    )


def raw_rpc(fake: FakeCloud, action: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(fake.endpoint, timeout=5)
    conn.request(
        "POST",
        "/?UserName=alice",
        headers={"x-acs-action": action, "x-acs-version": "2015-05-01", **(headers or {})},
    )
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def test_unknown_action_gets_the_real_not_found_shape(fake):
    status, body = raw_rpc(
        fake,
        "DeleteEverything",
        {
            "Authorization": f"ACS3-HMAC-SHA256 Credential={TEST_KEY_ID},Signature=x",
            "x-acs-security-token": TEST_TOKEN,
        },
    )
    assert status == 404
    assert body["Code"] == "InvalidAction.NotFound"
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}


def test_missing_required_parameter_is_rejected(fake):
    with pytest.raises(ClientException) as info:
        client(fake).get_user_mfainfo_with_options(ram.GetUserMFAInfoRequest(), RuntimeOptions())
    assert (info.value.status_code, info.value.code) == (400, "MissingParameter")


def test_calls_without_a_security_token_are_refused(fake):
    with pytest.raises(ClientException) as info:
        client(fake, token=None).list_users_with_options(ram.ListUsersRequest(), RuntimeOptions())
    assert (info.value.status_code, info.value.code) == (400, "MissingSecurityToken")
    assert fake.calls[-1].security_token is None


def test_real_sdk_pagination_over_the_fake(fake):
    sdk = client(fake)
    first = sdk.list_users_with_options(ram.ListUsersRequest(max_items=5), RuntimeOptions()).body
    assert [u.user_name for u in first.users.user] == ["alice", "bob", "carol", "dave", "erin"]
    assert (first.is_truncated, first.marker) == (True, "page-5")
    rest = sdk.list_users_with_options(
        ram.ListUsersRequest(max_items=5, marker=first.marker), RuntimeOptions()
    ).body
    assert [u.user_name for u in rest.users.user] == ["frank", "grace", "heidi"]
    assert rest.is_truncated is False
    assert [c.params for c in fake.calls] == [{"MaxItems": "5"}, {"MaxItems": "5", "Marker": "page-5"}]


def test_virtual_mfa_listing_has_the_real_shape_bound_with_user_unbound_without_u2f_absent(fake):
    fake.account.bind_mfa("alice", "acs:ram::5123456789012345:u2f/alice", kind="U2F")
    fake.account.create_unbound_vmfa("acs:ram::5123456789012345:mfa/spare")
    body = client(fake).list_virtual_mfadevices_with_options(RuntimeOptions()).body
    devices = body.to_map()["VirtualMFADevices"]["VirtualMFADevice"]
    assert devices == [
        {
            "SerialNumber": "acs:ram::5123456789012345:mfa/bob",
            "ActivateDate": "2024-01-01T00:00:00Z",
            "User": {"UserName": "bob", "UserId": "200000000000002", "DisplayName": "bob"},
        },
        {"SerialNumber": "acs:ram::5123456789012345:mfa/spare"},
    ]
    assert [(c.action, c.params) for c in fake.calls] == [("ListVirtualMFADevices", {})]


def test_virtual_mfa_listing_takes_no_parameters():
    # The real API has none (no Marker/IsTruncated): a caller trying to page it is told so.
    with FakeCloud(load("snapshots/account.json")) as fake:
        conn = http.client.HTTPConnection(fake.endpoint, timeout=5)
        conn.request(
            "POST",
            "/?Marker=page-1",
            headers={
                "x-acs-action": "ListVirtualMFADevices",
                "x-acs-version": "2015-05-01",
                "Authorization": f"ACS3-HMAC-SHA256 Credential={TEST_KEY_ID},Signature=x",
                "x-acs-security-token": TEST_TOKEN,
            },
        )
        response = conn.getresponse()
        body = json.loads(response.read())
    assert (response.status, body["Code"]) == (400, "InvalidParameter")


def test_each_call_records_the_request_id_it_answered_with_on_faults_and_api_errors(fake):
    auth = {
        "Authorization": f"ACS3-HMAC-SHA256 Credential={TEST_KEY_ID},Signature=x",
        "x-acs-security-token": TEST_TOKEN,
    }
    fake.inject("GetUserMFAInfo", faults.UNAVAILABLE)
    answers = [raw_rpc(fake, action, auth) for action in ("GetUserMFAInfo", "GetLoginProfile", "Nope")]
    assert [(status, body.get("Code")) for status, body in answers] == [
        (503, "ServiceUnavailable"),
        (200, None),
        (404, "InvalidAction.NotFound"),
    ]
    assert [c.request_id for c in fake.calls] == [body["RequestId"] for _, body in answers]
    assert len({c.request_id for c in fake.calls}) == 3
