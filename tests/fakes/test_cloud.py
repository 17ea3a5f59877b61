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


# -- organization snapshots behind STS AssumeRole ----------------------------------------------
def _sts(fake: FakeCloud, token: str = TEST_TOKEN):
    from alibabacloud_sts20150401.client import Client as StsClient

    return StsClient(
        Config(
            access_key_id=TEST_KEY_ID, access_key_secret=TEST_SECRET, security_token=token,
            endpoint=fake.endpoint, protocol="http",
        )
    )


def _assume(fake: FakeCloud, arn: str, **overrides):
    from alibabacloud_sts20150401 import models as sts

    values = {"role_arn": arn, "role_session_name": "baseline-mfa-rule", "duration_seconds": 3600,
              "external_id": "ext-1", **overrides}
    request = sts.AssumeRoleRequest(**values)
    return _sts(fake).assume_role_with_options(request, RuntimeOptions(autoretry=False))


def test_an_organization_is_served_per_member_behind_assume_role():
    org = load("snapshots/organization.json")
    first, second, _ = (a["accountId"] for a in org["accounts"])
    with FakeCloud(org, expected_token=TEST_TOKEN, external_id="ext-1") as fake:
        creds = _assume(fake, f"acs:ram::{second}:role/baselinemfarulereader").body.credentials
        assert creds.security_token.startswith(f"fake-sts-token/{second}/")
        member = Client(
            Config(access_key_id=creds.access_key_id, access_key_secret=creds.access_key_secret,
                   security_token=creds.security_token, endpoint=fake.endpoint, protocol="http")
        )
        users = member.list_users_with_options(ram.ListUsersRequest(), RuntimeOptions()).body.users.user
        assert [u.user_name for u in users] == [u["userName"] for u in org["accounts"][1]["users"]]
        identity = _sts(fake, creds.security_token).get_caller_identity_with_options(RuntimeOptions()).body
        assert identity.account_id == second
        # The caller's own token acts in the management account, which holds no member's users.
        own = client(fake).list_users_with_options(ram.ListUsersRequest(), RuntimeOptions()).body
        assert own.users.user == []
        assert fake.count("ListUsers", account=second) == 1 and fake.count("ListUsers", account=first) == 0


READER = "acs:ram::1005320983490002:role/baselinemfarulereader"


@pytest.mark.parametrize(
    ("arn", "overrides", "status", "code"),
    [
        (READER, {"external_id": "other"}, 403, "NoPermission"),
        ("acs:ram::1005320983490002:role/resourcedirectoryaccountaccessrole", {}, 404, "EntityNotExist.Role"),
        ("acs:ram::9999999999999999:role/baselinemfarulereader", {}, 404, "EntityNotExist.Role"),
        (READER, {"role_session_name": "x" * 33}, 400, "InvalidParameter.RoleSessionName"),
        (READER, {"duration_seconds": 600}, 400, "InvalidParameter.DurationSeconds"),
        ("not-an-arn", {}, 400, "InvalidParameter.RoleArn"),
    ],
)
def test_assume_role_is_refused_in_the_real_sts_error_shape(arn, overrides, status, code):
    with (
        FakeCloud(load("snapshots/organization.json"), external_id="ext-1") as fake,
        pytest.raises(ClientException) as raised,
    ):
        _assume(fake, arn, **overrides)
    assert (raised.value.status_code, raised.value.code) == (status, code)


def test_a_member_role_removed_is_no_longer_assumable():
    with FakeCloud(load("snapshots/organization.json")) as fake:
        fake.remove_member_role("1005320983490002")
        with pytest.raises(ClientException) as raised:
            _assume(fake, "acs:ram::1005320983490002:role/baselinemfarulereader")
    assert raised.value.code == "EntityNotExist.Role"


def test_ageing_the_reports_over_http_moves_their_generation_time_back(fake):
    """What the benchmark does between two sweeps, for a fake in another process: an hour passes."""
    fake.account.credential_report = (1_000_000.0, "user,password_exist,mfa_active")
    conn = http.client.HTTPConnection(fake.endpoint, timeout=5)
    conn.request("GET", "/_fake/age-reports/3660")
    assert conn.getresponse().status == 200
    assert fake.account.credential_report == (1_000_000.0 - 3660, "user,password_exist,mfa_active")
