"""A loopback fake of the Alibaba Cloud APIs the functions call, for tests and benchmarks only.

It speaks what the real SDKs send:
- RAM (2015-05-01) and Config (2020-09-07) RPC calls from tea-openapi: `POST /` with the
  action and version in `x-acs-action`/`x-acs-version` headers (ACS3-HMAC-SHA256 requests)
  or in `Action`/`Version` query parameters (older RPC signing), parameters in the query
  string or a form body. Unknown actions, missing or invalid parameters and missing STS
  credentials get the real error shape (JSON `Code`/`Message`/`RequestId`) and status.
- OSS bucket ACL calls from oss2: `GET /<bucket>/?acl` and `PUT /<bucket>/?acl` with
  `x-oss-acl` (oss2 uses path-style URLs for IP endpoints), XML bodies like the real API.

Signatures are not verified, but every call must carry an AccessKeyId and a security token
(the functions only ever use their role's STS credentials); calls are recorded with both.

An organization snapshot (`{"managementAccountId", "accounts": [...]}`, DESIGN.md) is served
behind STS AssumeRole: calls signed with the caller's own token are answered from the
management account; `AssumeRole` into `acs:ram::<member>:role/<member_role>` with the right
ExternalId issues an obviously fake token naming the member, and RAM/IMS calls signed with it
are answered from that member's account, each member with its own quota windows and counts.
Faults (throttling, 5xx, latency, hangs, connection resets) can be queued per action or
made permanent.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import struct
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from tests.fakes.account import FakeAccount
from tests.fakes.faults import Fault

RAM_VERSION = "2015-05-01"
IMS_VERSION = "2019-08-15"
STS_VERSION = "2015-04-01"
CONFIG_VERSION = "2020-09-07"
SERVICES = {RAM_VERSION: "ram", IMS_VERSION: "ims", STS_VERSION: "sts", CONFIG_VERSION: "config"}
# RAM's flow control: 100 requests per second per API per account, for the RAM and IMS APIs the
# rule calls (issue 8, citing RAM's API reference quota page). Over it: HTTP 400 Throttling.User,
# "Request was denied due to user flow control." (the code terraform-provider-alicloud retries).
RAM_QUOTA_PER_SECOND = 100
QUOTA_SERVICES = ("ram", "ims")
# Our assumption for Cloud Config (undocumented); AWS Config documents the same limit.
MAX_EVALUATIONS_PER_CALL = 100
COMPLIANCE_TYPES = {"COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"}
BUCKET_ACLS = {"private", "public-read", "public-read-write"}


@dataclass(frozen=True)
class Call:
    service: str  # ram | config | oss
    action: str
    params: dict[str, str]
    access_key_id: str | None
    security_token: str | None
    status: int
    # The RequestId answered (also in error bodies), so tests can assert whole error messages.
    request_id: str = ""
    account_id: str = ""  # the account that answered (a member, for a token AssumeRole issued)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass
class _Faults:
    queued: dict[str, deque[Fault]] = field(default_factory=dict)
    permanent: dict[str, Fault] = field(default_factory=dict)

    def take(self, service: str, action: str, account: str = "") -> Fault | None:
        # A fault for one account ("<account>:<action or service>") before one for every account.
        for key in (f"{account}:{action}", f"{account}:{service}", action, service):
            if key in self.permanent:
                return self.permanent[key]
        for key in (f"{account}:{action}", action):
            queue = self.queued.get(key)
            if queue:
                return queue.popleft()
        return None


# The reader role the organization's members trust (stacks' `memberRoleName` default).
MEMBER_ROLE = "BaselineMfaRuleReader"
# STS AssumeRole (https://www.alibabacloud.com/help/doc-detail/42775.htm, "common errors"):
# RoleSessionName 2..32 of [a-zA-Z0-9.@-_]; DurationSeconds 900..3600.
_SESSION_NAME = re.compile(r"^[A-Za-z0-9.@_-]{2,32}$")
_ROLE_ARN = re.compile(r"^acs:ram::([0-9]+):role/([A-Za-z0-9.-]+)$")
_TOKEN_PREFIX = "fake-sts-token/"


@dataclass
class _Issued:
    account_id: str
    role_arn: str
    session_name: str
    expires: float


class _Scoped:
    """The cloud as one account's calls see it: `account` is the member's, the rest is shared."""

    def __init__(self, cloud: FakeCloud, account: FakeAccount) -> None:
        self._cloud = cloud
        self.account = account

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cloud, name)


class FakeCloud:
    """`with FakeCloud(snapshot) as cloud:` serves on `cloud.endpoint` (127.0.0.1:<free port>).

    `snapshot` is an account snapshot (or FakeAccount), or an organization snapshot whose
    members are reached through STS AssumeRole into `member_role` with `external_id`.
    """

    def __init__(
        self,
        snapshot: dict[str, Any] | FakeAccount,
        *,
        latency: float = 0.0,
        expected_token: str | None = None,
        default_page_size: int = 100,
        quota_per_second: int | None = RAM_QUOTA_PER_SECOND,
        member_role: str = MEMBER_ROLE,
        external_id: str | None = None,
    ) -> None:
        self.members: dict[str, FakeAccount] = {}
        if isinstance(snapshot, dict) and "accounts" in snapshot:
            management = str(snapshot.get("managementAccountId", ""))
            for data in snapshot["accounts"]:
                member = FakeAccount.from_snapshot(data)
                self.members[member.account_id] = member
            self.account = self.members.get(management) or FakeAccount(management)
        else:
            self.account = (
                snapshot if isinstance(snapshot, FakeAccount) else FakeAccount.from_snapshot(snapshot)
            )
        # Members whose reader role exists (every member of the snapshot until `remove_member_role`).
        self.member_roles: set[str] = set(self.members)
        self.member_role = member_role
        self.external_id = external_id
        self._issued: dict[str, _Issued] = {}
        self.throttled_by_account: Counter[str] = Counter()
        self.latency = latency
        self.expected_token = expected_token
        self.default_page_size = default_page_size
        self.quota_per_second = quota_per_second
        self.throttled = 0
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self.calls: list[Call] = []
        self.evaluations: list[dict[str, Any]] = []  # PutEvaluations requests, decoded
        self._faults = _Faults()
        self._replaced: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeCloud:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    # -- faults and inspection ---------------------------------------------------------------------
    def inject(self, action: str, *faults: Fault, account: str | None = None) -> None:
        """Queue faults for the next calls of `action` (in `account` only, if given), one per call."""
        key = f"{account}:{action}" if account else action
        with self._lock:
            self._faults.queued.setdefault(key, deque()).extend(faults)

    def break_(self, action_or_service: str, fault: Fault, *, account: str | None = None) -> None:
        """Every call of an action (e.g. "GetPolicy") or a whole service ("ram") gets `fault` until
        `heal` (in `account` only, if given)."""
        key = f"{account}:{action_or_service}" if account else action_or_service
        with self._lock:
            self._faults.permanent[key] = fault

    def replace(self, action: str, answer: Callable[[dict[str, str]], dict[str, Any]]) -> None:
        """Answer `action` with `answer(params)` from now on (e.g. a listing whose Marker never advances)."""
        with self._lock:
            self._replaced[action] = answer

    def heal(self) -> None:
        with self._lock:
            self._faults = _Faults()

    def remove_member_role(self, account_id: str) -> None:
        """The member's reader role is gone (never deployed, or deleted): AssumeRole into it fails."""
        with self._lock:
            self.member_roles.discard(account_id)

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.evaluations.clear()
            self.throttled = 0
            self.throttled_by_account.clear()

    def _over_quota(self, service: str, action: str, account_id: str = "") -> bool:
        """Sliding one-second window per API and account: the call over the quota is refused and counted."""
        if self.quota_per_second is None or service not in QUOTA_SERVICES:
            return False
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault((account_id, service, action), deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= self.quota_per_second:
                self.throttled += 1
                self.throttled_by_account[account_id] += 1
                return True
            window.append(now)
            return False

    def count(self, action: str | None = None, service: str | None = None, account: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for c in self.calls
                if (action is None or c.action == action)
                and (service is None or c.service == service)
                and (account is None or c.account_id == account)
            )

    def counts(self, account: str | None = None) -> dict[str, int]:
        with self._lock:
            return dict(Counter(c.action for c in self.calls if account is None or c.account_id == account))

    def counts_by_account(self) -> dict[str, dict[str, int]]:
        with self._lock:
            found: dict[str, Counter[str]] = {}
            for c in self.calls:
                found.setdefault(c.account_id, Counter())[c.action] += 1
            return {account: dict(n) for account, n in sorted(found.items())}

    def age_reports(self, seconds: float) -> None:
        """Every credential report generated `seconds` earlier: the passage of time between two
        sweeps, for the four-hour regeneration rule and the function's freshness limit."""
        for account in {id(a): a for a in (self.account, *self.members.values())}.values():
            with account.lock:
                if account.credential_report is not None:
                    generated, text = account.credential_report
                    account.credential_report = (generated - seconds, text)

    def account_for(self, token: str | None) -> FakeAccount:
        """The account a call signed with `token` acts in: a member for a token AssumeRole issued."""
        with self._lock:
            issued = self._issued.get(token or "")
        if issued is None:
            return self.account
        if issued.expires <= time.time():
            raise ApiError(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
        return self.members[issued.account_id]

    def issued(self, token: str) -> bool:
        with self._lock:
            return token in self._issued

    def assume_role(self, params: dict[str, str]) -> dict[str, Any]:
        """STS AssumeRole into a member's reader role, checked as STS and the role's trust would."""
        role_arn, session = _required(params, "RoleArn", "RoleSessionName")
        if not _SESSION_NAME.match(session):
            raise ApiError(
                400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed."
            )
        duration = params.get("DurationSeconds", "3600")
        if not duration.isdigit() or not 900 <= int(duration) <= 3600:
            raise ApiError(
                400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/1hr."
            )
        match = _ROLE_ARN.match(role_arn)
        if match is None:
            raise ApiError(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.")
        account_id, role_name = match.groups()
        with self._lock:
            exists = account_id in self.member_roles and role_name.lower() == self.member_role.lower()
        if not exists:
            raise ApiError(404, "EntityNotExist.Role", f"The specified Role not exists: {role_arn}.")
        if self.external_id is not None and params.get("ExternalId") != self.external_id:
            # The trust's StringEquals sts:ExternalId condition does not hold.
            raise ApiError(
                403,
                "NoPermission",
                "No permission perform sts:AssumeRole on this Role. Maybe the role has not been "
                "authorized to you, please check the permission policy of the role.",
            )
        expires = time.time() + int(duration)
        with self._lock:
            serial = len(self._issued) + 1
            token = f"{_TOKEN_PREFIX}{account_id}/{serial}"
            self._issued[token] = _Issued(account_id, role_arn, session, expires)
        return {
            "Credentials": {
                "AccessKeyId": f"STS.fake-{account_id}-{serial}",
                "AccessKeySecret": f"fake-secret-{account_id}-{serial}",
                "SecurityToken": token,
                "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires)),
            },
            "AssumedRoleUser": {
                "Arn": f"acs:ram::{account_id}:assumed-role/{role_name.lower()}/{session}",
                "AssumedRoleId": f"3000000000{serial:06d}:{session}",
            },
        }

    def reported(self) -> list[dict[str, Any]]:
        """Every evaluation received through PutEvaluations, in order."""
        with self._lock:
            return [e for request in self.evaluations for e in request["Evaluations"]]

    # -- request handling (called from server threads) --------------------------------------------
    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _take_fault(self, service: str, action: str, account: str = "") -> Fault | None:
        with self._lock:
            return self._faults.take(service, action, account)

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def rpc(
        self, service: str, action: str, params: dict[str, str], account: FakeAccount | None = None
    ) -> dict[str, Any]:
        with self._lock:
            replaced = self._replaced.get(action)
        if replaced is not None:
            return replaced(params)
        if (service, action) == ("sts", "AssumeRole"):
            return self.assume_role(params)
        handler = _RPC.get((service, action))
        if handler is None:
            raise ApiError(
                404,
                "InvalidAction.NotFound",
                f"Specified api is not found, please check your url and method. ({action})",
            )
        account = account or self.account
        scope: Any = self if account is self.account else _Scoped(self, account)
        with account.lock:
            return handler(scope, params)

    def oss(self, method: str, bucket: str, acl_header: str | None) -> tuple[str, bytes]:
        with self.account.lock:
            found = self.account.buckets.get(bucket)
            if found is None:
                raise ApiError(404, "NoSuchBucket", "The specified bucket does not exist.")
            if method == "GET":
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy>'
                    f"<Owner><ID>{escape(self.account.account_id)}</ID>"
                    f"<DisplayName>{escape(self.account.account_id)}</DisplayName></Owner>"
                    f"<AccessControlList><Grant>{escape(found['acl'])}</Grant></AccessControlList>"
                    "</AccessControlPolicy>"
                )
                return "GetBucketAcl", body.encode()
            if acl_header not in BUCKET_ACLS:
                raise ApiError(
                    400, "InvalidArgument", f"no such bucket access control exists: {acl_header!r}"
                )
            found["acl"] = acl_header
            return "PutBucketAcl", b""


# -- RPC actions ----------------------------------------------------------------------------------
def _required(params: dict[str, str], *names: str) -> list[str]:
    values = []
    for name in names:
        value = params.get(name)
        if value is None or value == "":
            raise ApiError(
                400,
                "MissingParameter",
                f'The input parameter "{name}" that is mandatory for this request is not supplied.',
            )
        values.append(value)
    return values


def _user(cloud: FakeCloud, name: str) -> Any:
    user = cloud.account.users.get(name)
    if user is None:
        raise ApiError(404, "EntityNotExist.User", f"The user does not exist: {name}.")
    return user


def _policy_rows(cloud: FakeCloud, refs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    rows = []
    for kind, name in refs:
        pol = cloud.account.policies[(kind, name)]
        rows.append(
            {
                "PolicyName": name,
                "PolicyType": kind,
                "DefaultVersion": pol.version,
                "Description": "",
                "AttachDate": "2024-01-01T00:00:00Z",
            }
        )
    return {"Policies": {"Policy": rows}}


def _page(cloud: FakeCloud, params: dict[str, str], rows: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    """One page of `rows` (Marker/MaxItems: 1..1000, default 100, as RAM's List* APIs document)."""
    size = cloud.default_page_size
    if "MaxItems" in params:
        try:
            size = int(params["MaxItems"])
        except ValueError:
            size = 0
        if not 1 <= size <= 1000:
            raise ApiError(
                400, "InvalidParameter.MaxItems", 'The parameter "MaxItems" must be between 1 and 1000.'
            )
    start = 0
    if params.get("Marker"):
        match = re.fullmatch(r"page-(\d+)", params["Marker"])
        if match is None:
            raise ApiError(400, "InvalidParameter.Marker", 'The parameter "Marker" is invalid.')
        start = int(match.group(1))
    truncated = start + size < len(rows)
    paging: dict[str, Any] = {"IsTruncated": truncated}
    if truncated:
        paging["Marker"] = f"page-{start + size}"
    return rows[start : start + size], paging


def _list_users(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    chunk, paging = _page(cloud, params, list(cloud.account.users))
    users = [
        {
            "UserName": n,
            "UserId": cloud.account.users[n].user_id,
            "DisplayName": n,
            "CreateDate": cloud.account.users[n].created,
            "UpdateDate": "2024-01-01T00:00:00Z",
            "Comments": "",
        }
        for n in chunk
    ]
    return {**paging, "Users": {"User": users}}


def _attachments(cloud: FakeCloud, key: tuple[str, str]) -> tuple[list[str], list[str]]:
    users = [u.name for u in cloud.account.users.values() if key in u.policies]
    groups = [g for g, refs in cloud.account.groups.items() if key in refs]
    return users, groups


def _list_policies(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    """ListPolicies: System and Custom (or one PolicyType), with AttachmentCount and DefaultVersion."""
    kind = params.get("PolicyType")
    if kind not in (None, "", "System", "Custom"):
        raise ApiError(
            400, "InvalidParameter.PolicyType", 'The parameter "PolicyType" must be System or Custom.'
        )
    keys = [k for k in cloud.account.policies if not kind or k[0] == kind]
    chunk, paging = _page(cloud, params, keys)
    rows = []
    for key in chunk:
        pol = cloud.account.policies[key]
        users, groups = _attachments(cloud, key)
        rows.append(
            {
                "PolicyName": pol.name,
                "PolicyType": pol.type,
                "DefaultVersion": pol.version,
                "AttachmentCount": len(users) + len(groups),
                "Description": "",
                "CreateDate": "2024-01-01T00:00:00Z",
                "UpdateDate": "2024-01-01T00:00:00Z",
            }
        )
    return {**paging, "Policies": {"Policy": rows}}


def _list_entities_for_policy(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    """ListEntitiesForPolicy: every user, group and role holding the policy (not paginated)."""
    name, kind = _required(params, "PolicyName", "PolicyType")
    if (kind, name) not in cloud.account.policies:
        raise ApiError(404, "EntityNotExist.Policy", f"The policy does not exist: {name}.")
    users, groups = _attachments(cloud, (kind, name))
    when = "2024-01-01T00:00:00Z"
    return {
        "Users": {
            "User": [
                {
                    "UserName": u,
                    "UserId": cloud.account.users[u].user_id,
                    "DisplayName": u,
                    "AttachDate": when,
                }
                for u in users
            ]
        },
        "Groups": {"Group": [{"GroupName": g, "Comments": "", "AttachDate": when} for g in groups]},
        "Roles": {"Role": []},
    }


def _list_users_for_group(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    (name,) = _required(params, "GroupName")
    if name not in cloud.account.groups:
        raise ApiError(404, "EntityNotExist.Group", f"The group does not exist: {name}.")
    members = [u.name for u in cloud.account.users.values() if name in u.groups]
    chunk, paging = _page(cloud, params, members)
    users = [{"UserName": u, "DisplayName": u, "JoinDate": "2024-01-01T00:00:00Z"} for u in chunk]
    return {**paging, "Users": {"User": users}}


def _list_policies_for_user(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    (name,) = _required(params, "UserName")
    return _policy_rows(cloud, _user(cloud, name).policies)


def _list_groups_for_user(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    (name,) = _required(params, "UserName")
    groups = [
        {"GroupName": g, "GroupId": f"g-{g}", "Comments": "", "JoinDate": "2024-01-01T00:00:00Z"}
        for g in _user(cloud, name).groups
        if g in cloud.account.groups
    ]
    return {"Groups": {"Group": groups}}


def _list_policies_for_group(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    (name,) = _required(params, "GroupName")
    if name not in cloud.account.groups:
        raise ApiError(404, "EntityNotExist.Group", f"The group does not exist: {name}.")
    return _policy_rows(cloud, cloud.account.groups[name])


def _get_policy(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    name, kind = _required(params, "PolicyName", "PolicyType")
    if kind not in {"System", "Custom"}:
        raise ApiError(
            400, "InvalidParameter.PolicyType", 'The parameter "PolicyType" must be System or Custom.'
        )
    pol = cloud.account.policies.get((kind, name))
    if pol is None:
        raise ApiError(404, "EntityNotExist.Policy", f"The policy does not exist: {name}.")
    return {
        "Policy": {
            "PolicyName": name,
            "PolicyType": kind,
            "DefaultVersion": pol.version,
            "Description": "",
            "AttachmentCount": 1,
            "CreateDate": "2024-01-01T00:00:00Z",
            "UpdateDate": "2024-01-01T00:00:00Z",
        },
        "DefaultPolicyVersion": {
            "VersionId": pol.version,
            "IsDefaultVersion": True,
            "PolicyDocument": pol.document,
            "CreateDate": "2024-01-01T00:00:00Z",
        },
    }


def _get_user_mfa_info(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    (name,) = _required(params, "UserName")
    user = _user(cloud, name)
    if user.mfa is None:
        raise ApiError(404, "EntityNotExist.User.MFADevice", f"The user has not bound an MFA device: {name}.")
    return {"MFADevice": dict(user.mfa)}


def _list_virtual_mfa_devices(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    """Every virtual device of the account at once (the API has no parameters and no paging).

    Bound devices carry their `User`; unbound ones only a serial number. Other kinds of
    devices (U2F security keys) are not virtual MFA devices and do not appear.
    """
    if params:
        raise ApiError(
            400, "InvalidParameter", f"ListVirtualMFADevices takes no parameters, got {sorted(params)}."
        )
    rows: list[dict[str, Any]] = []
    for user in cloud.account.users.values():
        if user.mfa is not None and user.mfa.get("Type") == "VMFA":
            rows.append(
                {
                    "SerialNumber": user.mfa["SerialNumber"],
                    "ActivateDate": "2024-01-01T00:00:00Z",
                    "User": {"UserName": user.name, "UserId": user.user_id, "DisplayName": user.name},
                }
            )
    rows.extend({"SerialNumber": serial} for serial in cloud.account.unbound_vmfa)
    return {"VirtualMFADevices": {"VirtualMFADevice": rows}}


def _get_login_profile(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    (name,) = _required(params, "UserName")
    user = _user(cloud, name)
    if user.login is None:
        raise ApiError(404, "EntityNotExist.User.LoginProfile", f"The login profile does not exist: {name}.")
    return {"LoginProfile": {"UserName": name, "CreateDate": "2024-01-01T00:00:00Z", **user.login}}


def _list_access_keys(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    (name,) = _required(params, "UserName")
    keys = [{**k, "CreateDate": "2024-01-01T00:00:00Z"} for k in _user(cloud, name).access_keys]
    return {"AccessKeys": {"AccessKey": keys}}


def _get_security_preference(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    """IMS GetSecurityPreference (no parameters): the account-wide settings, MFA for login among them."""
    login = {
        "EnableSaveMFATicket": False,
        "AllowUserToChangePassword": True,
        "LoginSessionDuration": 6,
        "LoginNetworkMasks": "",
        "MFAOperationForLogin": cloud.account.mfa_operation_for_login,
        "OperationForRiskLogin": "autonomous",
    }
    return {
        "SecurityPreference": {
            "LoginProfilePreference": login,
            "AccessKeyPreference": {"AllowUserToManageAccessKeys": False},
            "MFAPreference": {"AllowUserToManageMFADevices": True},
        }
    }


# IMS credential report. Documented: regenerated at most every 4 hours, not for more than 3,500
# users. Not documented (the fake's assumption, which the function does not depend on): the
# error codes for "too many users" and "no report yet", and a header row on every page.
REPORT_PERIOD_SECONDS = 4 * 3600
REPORT_MAX_USERS = 3500
REPORT_COLUMNS = (
    "user,user_creation_time,user_last_logon,password_exist,password_active,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_exist,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used,access_key_2_exist,access_key_2_active,access_key_2_last_rotated,"
    "access_key_2_last_used"
)


def _report_rows(cloud: FakeCloud) -> list[str]:
    when = "2024-01-01T00:00:00Z"
    rows = [f"<root>,{when},{when},N/A,N/A,N/A,N/A,true,false,N/A,N/A,N/A,false,N/A,N/A,N/A"]
    for user in cloud.account.users.values():
        password = "true" if user.login is not None else "false"
        keys = [*user.access_keys[:2], *([None] * (2 - len(user.access_keys[:2])))]
        cells = []
        for key in keys:
            if key is None:
                cells.extend(["false", "N/A", "N/A", "N/A"])
            else:
                cells.extend(["true", "true" if key["Status"] == "Active" else "false", when, "-"])
        logon = f"{user.name}@{cloud.account.account_id}.onaliyun.com"
        mfa = "true" if user.mfa is not None else "false"
        rows.append(",".join([logon, user.created, "-", password, password, when, "N/A", mfa, *cells]))
    return rows


def _generate_credential_report(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    account = cloud.account
    if len(account.users) > REPORT_MAX_USERS:
        raise ApiError(
            400,
            "LimitExceeded.CredentialReport",
            f"A credential report supports at most {REPORT_MAX_USERS} users.",
        )
    now = time.time()
    if account.report_pending:
        account.report_pending = False
        account.credential_report = (now, "\n".join([REPORT_COLUMNS, *_report_rows(cloud)]))
        return {"State": "COMPLETED"}
    if account.credential_report is not None and now - account.credential_report[0] < REPORT_PERIOD_SECONDS:
        return {"State": "COMPLETED"}  # too soon to regenerate: the existing report stands
    account.report_pending = True
    return {"State": "STARTED"}


def _get_credential_report(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    report = cloud.account.credential_report
    if report is None:
        raise ApiError(404, "EntityNotExist.CredentialReport", "The credential report does not exist.")
    size = params.get("MaxItems", "3501")
    if not size.isdigit() or not 1 <= int(size) <= 3501:
        raise ApiError(
            400, "InvalidParameter.MaxItems", 'The parameter "MaxItems" must be between 1 and 3501.'
        )
    generated, text = report
    header, *rows = text.split("\n")
    start = int(params.get("NextToken", "page-0").removeprefix("page-") or 0)
    chunk = rows[start : start + int(size)]
    truncated = start + int(size) < len(rows)
    body: dict[str, Any] = {
        "GeneratedTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(generated)),
        "Content": base64.b64encode("\n".join([header, *chunk]).encode()).decode(),
        "IsTruncated": "true" if truncated else "false",
    }
    if truncated:
        body["NextToken"] = f"page-{start + int(size)}"
    return body


def _get_caller_identity(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    """STS GetCallerIdentity: the account of the (STS) caller, here always the served account."""
    account = cloud.account.account_id
    return {
        "AccountId": account,
        "Arn": f"acs:ram::{account}:user/auditor",
        "IdentityType": "RAMUser",
        "PrincipalId": "200000000000099",
        "UserId": "200000000000099",
    }


def _put_evaluations(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    token, raw = _required(params, "ResultToken", "Evaluations")
    try:
        evaluations = json.loads(raw)
    except json.JSONDecodeError:
        raise ApiError(
            400, "InvalidParameter.Evaluations", 'The parameter "Evaluations" is not valid JSON.'
        ) from None
    if not isinstance(evaluations, list) or not evaluations:
        raise ApiError(
            400, "InvalidParameter.Evaluations", 'The parameter "Evaluations" must be a non-empty array.'
        )
    if len(evaluations) > MAX_EVALUATIONS_PER_CALL:
        raise ApiError(
            400, "InvalidParameter.Evaluations", f"At most {MAX_EVALUATIONS_PER_CALL} evaluations per call."
        )
    for i, item in enumerate(evaluations):
        if not isinstance(item, dict):
            raise ApiError(400, "InvalidParameter.Evaluations", f"Evaluations[{i}] must be an object.")
        for key in ("complianceResourceId", "complianceResourceType", "complianceRegionId", "complianceType"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise ApiError(400, "InvalidParameter.Evaluations", f"Evaluations[{i}].{key} is mandatory.")
        if item["complianceType"] not in COMPLIANCE_TYPES:
            raise ApiError(
                400, "InvalidParameter.Evaluations", f"Evaluations[{i}].complianceType is invalid."
            )
        if not isinstance(item.get("orderingTimestamp"), int):
            raise ApiError(
                400, "InvalidParameter.Evaluations", f"Evaluations[{i}].orderingTimestamp is mandatory."
            )
        # Optional fields, typed as in the API reference's example (accountId is a number there).
        for key, kind in (("accountId", int), ("complianceResourceName", str), ("annotation", str)):
            if key in item and (not isinstance(item[key], kind) or isinstance(item[key], bool)):
                raise ApiError(
                    400, "InvalidParameter.Evaluations", f"Evaluations[{i}].{key} has the wrong type."
                )
    # Booleans arrive as the SDK writes them ("True"); the service parses them case-insensitively.
    delete_mode = params.get("DeleteMode", "").lower() or None
    if delete_mode not in (None, "true", "false"):
        raise ApiError(
            400, "InvalidParameter.DeleteMode", 'The parameter "DeleteMode" must be true or false.'
        )
    with cloud._lock:
        cloud.evaluations.append(
            {"ResultToken": token, "Evaluations": evaluations, "DeleteMode": delete_mode == "true"}
        )
    return {"Result": True}


def _get_discovered_resource(cloud: FakeCloud, params: dict[str, str]) -> dict[str, Any]:
    resource_id, resource_type, region = _required(params, "ResourceId", "ResourceType", "Region")
    detail = cloud.account.discovered.get((resource_id, resource_type))
    if detail is None:
        raise ApiError(404, "ResourceNotExists", f"The resource does not exist: {resource_id}.")
    return {
        "DiscoveredResourceDetail": {
            "ResourceId": resource_id,
            "ResourceType": resource_type,
            "Region": region,
            **detail,
        }
    }


_RPC: dict[tuple[str, str], Callable[[FakeCloud, dict[str, str]], dict[str, Any]]] = {
    ("ram", "ListUsers"): _list_users,
    ("ram", "ListPoliciesForUser"): _list_policies_for_user,
    ("ram", "ListGroupsForUser"): _list_groups_for_user,
    ("ram", "ListPoliciesForGroup"): _list_policies_for_group,
    ("ram", "GetPolicy"): _get_policy,
    ("ram", "GetUserMFAInfo"): _get_user_mfa_info,
    ("ram", "ListVirtualMFADevices"): _list_virtual_mfa_devices,
    ("ram", "GetLoginProfile"): _get_login_profile,
    ("ram", "ListAccessKeys"): _list_access_keys,
    ("ram", "ListPolicies"): _list_policies,
    ("ram", "ListEntitiesForPolicy"): _list_entities_for_policy,
    ("ram", "ListUsersForGroup"): _list_users_for_group,
    ("ims", "GetSecurityPreference"): _get_security_preference,
    ("ims", "GenerateCredentialReport"): _generate_credential_report,
    ("ims", "GetCredentialReport"): _get_credential_report,
    ("sts", "GetCallerIdentity"): _get_caller_identity,
    ("config", "PutEvaluations"): _put_evaluations,
    ("config", "GetDiscoveredResource"): _get_discovered_resource,
}


# -- HTTP plumbing --------------------------------------------------------------------------------
_ACS3 = re.compile(r"ACS3-HMAC-SHA256\s+Credential=([^,\s]+)")
_OSS_V4 = re.compile(r"OSS4-HMAC-SHA256\s+Credential=([^/,\s]+)/")
_OSS_V1 = re.compile(r"OSS\s+([^:\s]+):")
_OSS_V2 = re.compile(r"OSS2\s+AccessKeyId:([^,\s]+),")


def _make_handler(cloud: FakeCloud) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real endpoints
        timeout = 30

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without NODELAY, Nagle plus delayed ACK adds ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            cloud._track(self.connection, True)

        def finish(self) -> None:
            cloud._track(self.connection, False)
            with contextlib.suppress(OSError):
                super().finish()

        def log_message(self, format: str, *args: Any) -> None:  # silence per-request stderr lines
            return

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            if url.path.startswith("/_fake/"):
                self._serve_control(url.path)
                return
            action = self.headers.get("x-acs-action") or query.get("Action")
            if action:
                self._serve_rpc(action, query, body)
            else:
                self._serve_oss(url.path, query)

        def _serve_control(self, path: str) -> None:
            """Inspection for a fake running in another process (the benchmark): call counts, then
            reset; `/_fake/age-reports/<seconds>` ages every credential report first."""
            if path.startswith("/_fake/age-reports/"):
                cloud.age_reports(float(path.rsplit("/", 1)[1]))
            body = json.dumps(
                {
                    "counts": cloud.counts(),
                    "throttled": cloud.throttled,
                    "reported": len(cloud.reported()),
                    "countsByAccount": cloud.counts_by_account(),
                    "throttledByAccount": dict(cloud.throttled_by_account),
                }
            ).encode()
            if path == "/_fake/reset":
                cloud.reset_calls()
            self._send(200, body, "application/json")

        def _serve_rpc(self, action: str, query: dict[str, str], body: bytes) -> None:
            version = self.headers.get("x-acs-version") or query.get("Version", "")
            service = SERVICES.get(version, "unknown")
            params = {k: v for k, v in query.items() if k not in _SIGNATURE_PARAMS}
            if body and "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            key_id, token = self._rpc_credentials(query)
            request_id = _request_id()
            account_id = cloud.account.account_id
            if not self._before(service, action, params, key_id, token, request_id):
                return
            try:
                if service == "unknown":
                    raise ApiError(
                        400, "InvalidVersion", f"Specified parameter Version is not valid: {version!r}."
                    )
                self._check_credentials(key_id, token, "InvalidSecurityToken")
                account = cloud.account_for(token)
                account_id = account.account_id
                if cloud._over_quota(service, action, account_id):
                    raise ApiError(400, "Throttling.User", "Request was denied due to user flow control.")
                payload = {"RequestId": request_id, **cloud.rpc(service, action, params, account)}
                status = 200
            except ApiError as exc:
                status, payload = exc.status, _rpc_error(exc, service, request_id)
            cloud._record(Call(service, action, params, key_id, token, status, request_id, account_id))
            self._send(status, json.dumps(payload).encode(), "application/json;charset=utf-8")

        def _serve_oss(self, path: str, query: dict[str, str]) -> None:
            bucket = path.strip("/").split("/", 1)[0]
            action = {"GET": "GetBucketAcl", "PUT": "PutBucketAcl"}.get(self.command, self.command)
            params = {
                "bucket": bucket,
                **({"acl": self.headers["x-oss-acl"]} if "x-oss-acl" in self.headers else {}),
            }
            key_id, token = self._oss_credentials()
            request_id = _request_id()
            if not self._before("oss", action, params, key_id, token, request_id):
                return
            try:
                if "acl" not in query or "/" in path.strip("/") or not bucket:
                    raise ApiError(
                        400, "InvalidRequest", f"this fake serves only bucket ACLs, not {path}?{query}"
                    )
                self._check_credentials(key_id, token, "InvalidSecurityToken")
                action, body = cloud.oss(self.command, bucket, self.headers.get("x-oss-acl"))
                status, content_type = 200, "application/xml"
            except ApiError as exc:
                status, body, content_type = (
                    exc.status,
                    _oss_error(exc, bucket, request_id),
                    "application/xml",
                )
            cloud._record(Call("oss", action, params, key_id, token, status, request_id))
            self._send(status, body, content_type, {"x-oss-request-id": request_id})

        def _before(
            self,
            service: str,
            action: str,
            params: dict[str, str],
            key_id: str | None,
            token: str | None,
            request_id: str,
        ) -> bool:
            """Apply latency and any fault; False when the fault already answered (or dropped) the call."""
            if cloud.latency:
                time.sleep(cloud.latency)
            with cloud._lock:
                issued = cloud._issued.get(token or "")
            account_id = issued.account_id if issued else cloud.account.account_id
            fault = cloud._take_fault(service, action, account_id)
            if fault is None:
                return True
            if fault.kind == "latency":
                time.sleep(fault.seconds)
                return True
            if fault.kind == "lost_reply":
                self._lose_reply = True
                return True
            cloud._record(
                Call(service, action, params, key_id, token, fault.status or -1, request_id, account_id)
            )
            if fault.kind == "hang":
                cloud._stopping.wait(fault.seconds)
                self.close_connection = True
                return False
            if fault.kind == "reset":
                # SO_LINGER 0 makes close() send RST: the client sees a connection reset, no response.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return False
            exc = ApiError(fault.status, fault.code, fault.message)
            if service == "oss":
                self._send(
                    fault.status,
                    _oss_error(exc, params.get("bucket", ""), request_id),
                    "application/xml",
                    {"x-oss-request-id": request_id},
                )
            else:
                self._send(
                    fault.status,
                    json.dumps(_rpc_error(exc, service, request_id)).encode(),
                    "application/json;charset=utf-8",
                )
            # A recorded faulted call must not be recorded again as a success.
            return False

        def _rpc_credentials(self, query: dict[str, str]) -> tuple[str | None, str | None]:
            match = _ACS3.match(self.headers.get("Authorization") or "")
            key_id = match.group(1) if match else query.get("AccessKeyId")
            token = self.headers.get("x-acs-security-token") or query.get("SecurityToken")
            return key_id, token

        def _oss_credentials(self) -> tuple[str | None, str | None]:
            auth = self.headers.get("Authorization") or ""
            match = _OSS_V4.match(auth) or _OSS_V2.match(auth) or _OSS_V1.match(auth)
            return (match.group(1) if match else None), self.headers.get("x-oss-security-token")

        def _check_credentials(self, key_id: str | None, token: str | None, code: str) -> None:
            if not key_id:
                raise ApiError(400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action.")
            if not token:
                raise ApiError(
                    400,
                    "MissingSecurityToken",
                    "SecurityToken is mandatory: only STS credentials are accepted here.",
                )
            if cloud.expected_token is not None and token != cloud.expected_token and not cloud.issued(token):
                raise ApiError(
                    403, f"{code}.Mismatch", "The security token is not the one issued to the caller."
                )

        def _send(
            self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            if getattr(self, "_lose_reply", False):
                self._lose_reply = False
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


_SIGNATURE_PARAMS = {
    "Action",
    "Version",
    "AccessKeyId",
    "SecurityToken",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "Format",
    "RegionId",
}


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


def _rpc_error(exc: ApiError, service: str, request_id: str) -> dict[str, Any]:
    return {
        "RequestId": request_id,
        "HostId": f"{service}.aliyuncs.com",
        "Code": exc.code,
        "Message": exc.message,
        "Recommend": "",
    }


def _oss_error(exc: ApiError, bucket: str, request_id: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
        f"<Code>{escape(exc.code)}</Code><Message>{escape(exc.message)}</Message>"
        f"<RequestId>{request_id}</RequestId><HostId>{escape(bucket)}.oss.example</HostId>"
        f"<BucketName>{escape(bucket)}</BucketName></Error>"
    ).encode()
