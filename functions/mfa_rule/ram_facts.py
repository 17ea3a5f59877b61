"""FactsSource over the RAM API (alibabacloud_ram20150501), with the warm-container policy cache.

Policy documents are cached per container in `POLICY_CACHE`, keyed by (type, name, default
version) as listed by ListPoliciesForUser/Group: an unchanged policy is fetched once per
container, and a changed one has a new default version, hence a new key, so it is never
served stale. Group policy lists are cached per invocation only (attachments change).
Both caches are single-flight, so concurrent workers asking for the same key make one call.

Fields, page sizes and error codes, from RAM's API reference (2015-05-01) and the SDK models:
- ListUsers, ListPolicies, ListUsersForGroup: Marker/MaxItems 1..1000 (default 100), IsTruncated
  (https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listusers,
  https://help.aliyun.com/document_detail/28708.html); ListPolicies rows carry AttachmentCount
  and DefaultVersion.
- ListEntitiesForPolicy: PolicyName and PolicyType only, no paging
  (https://www.alibabacloud.com/help/doc-detail/28731.html).
- ListAccessKeys: AccessKeys.AccessKey[] with AccessKeyId and Status Active|Inactive
  (https://help.aliyun.com/document_detail/28692.html).
- GetLoginProfile: LoginProfile.MFABindRequired; no profile is EntityNotExist.User.LoginProfile
  (404); no MFA device is EntityNotExist.User.MFADevice (404) (RAM "Error messages").
- IMS GetSecurityPreference: SecurityPreference.LoginProfilePreference.MFAOperationForLogin
  (https://help.aliyun.com/zh/ram/developer-reference/api-ims-2019-08-15-getsecuritypreference).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from alibabacloud_ram20150501 import models as ram

from functions.common import cloud_errors
from functions.common.cloud_time import utc_time
from functions.common.once import OnceMap
from functions.common.tea_api import TeaApi
from functions.mfa_rule.facts import (
    MFA_FOR_LOGIN_VALUES,
    POLICY_TYPES,
    AccessKey,
    BadPolicyDocument,
    LoginProfile,
    LookupFailed,
    MfaDevice,
    PolicyRef,
    SecurityPreference,
    UserGone,
    UserRef,
    VirtualMfaBindings,
)
from policies import Policy, PolicyError, parse_policy

# Lives as long as the container: warm invocations reuse it.
POLICY_CACHE: OnceMap[PolicyRef, Policy] = OnceMap(max_entries=4096)

USER_GONE = "EntityNotExist.User"
NO_MFA_DEVICE = "EntityNotExist.User.MFADevice"
NO_LOGIN_PROFILE = "EntityNotExist.User.LoginProfile"
GROUP_GONE = "EntityNotExist.Group"
POLICY_GONE = "EntityNotExist.Policy"


class _Absent(Exception):
    """A paged listing answered the `absent` error code: its subject no longer exists."""


class _VersionMoved(Exception):
    """GetPolicy returned another default version than listed: the policy changed in between."""

    def __init__(self, ref: PolicyRef, policy: Policy) -> None:
        super().__init__(ref)
        self.ref = ref
        self.policy = policy


class RamFacts:
    def __init__(
        self,
        api: TeaApi,
        *,
        page_size: int = 1000,
        cache: OnceMap[PolicyRef, Policy] | None = None,
        ims_api: TeaApi | None = None,
    ) -> None:
        self.api = api
        # IMS (2019-08-15) answers GetSecurityPreference with MFAOperationForLogin; RAM's older
        # GetSecurityPreference has no such field (see the two SDKs' response models).
        self.ims_api = ims_api
        self.page_size = page_size
        self.cache = POLICY_CACHE if cache is None else cache
        self._groups: OnceMap[str, tuple[PolicyRef, ...]] = OnceMap(max_entries=100_000)
        self._preference: OnceMap[str, SecurityPreference] = OnceMap(max_entries=1)

    def iter_users(self) -> Iterator[UserRef]:
        """Every user, page by page; raises LookupFailed if a page cannot be read or the listing loops."""
        for body in self._pages("list_users", ram.ListUsersRequest, "ListUsers"):
            for user in (body.users.user if body.users else None) or []:
                # CreateDate (https://www.alibabacloud.com/help/en/ram/developer-reference/
                # api-ram-2015-05-01-listusers), UTC like `2019-10-21T07:57:55Z` in the user's
                # configuration item of Config's published sample (tests/fixtures/events).
                yield UserRef(user.user_name, user.user_id, utc_time(user.create_date))

    def attached_policies(self) -> Iterator[tuple[PolicyRef, int]]:
        """ListPolicies (System and Custom): each policy with its AttachmentCount."""
        for body in self._pages("list_policies", ram.ListPoliciesRequest, "ListPolicies"):
            for row in (body.policies.policy if body.policies else None) or []:
                if not row.policy_name or row.policy_type not in POLICY_TYPES or not row.default_version:
                    raise LookupFailed(
                        "ListPolicies: a policy without PolicyName, PolicyType or DefaultVersion"
                    )
                count = row.attachment_count
                # No count cannot prove "attached nowhere": treat it as attached.
                yield (
                    PolicyRef(row.policy_name, row.policy_type, row.default_version),
                    1 if count is None else count,
                )

    def policy_entities(self, ref: PolicyRef) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(users, groups) holding the policy: ListEntitiesForPolicy, which is not paginated."""
        request = ram.ListEntitiesForPolicyRequest(policy_name=ref.name, policy_type=ref.type)
        body = self._call("list_entities_for_policy", request, "ListEntitiesForPolicy", absent=POLICY_GONE)
        if body is None:
            return (), ()  # deleted meanwhile: nobody holds it any more
        users = tuple(u.user_name for u in (body.users.user if body.users else None) or [] if u.user_name)
        groups = tuple(
            g.group_name for g in (body.groups.group if body.groups else None) or [] if g.group_name
        )
        return users, groups

    def group_members(self, group: str) -> tuple[str, ...]:
        members: list[str] = []
        request = functools.partial(ram.ListUsersForGroupRequest, group_name=group)
        try:
            for body in self._pages("list_users_for_group", request, "ListUsersForGroup", absent=GROUP_GONE):
                members.extend(
                    u.user_name for u in (body.users.user if body.users else None) or [] if u.user_name
                )
        except _Absent:
            return ()  # deleted meanwhile: it grants nothing any more
        return tuple(members)

    def _pages(
        self, operation: str, request: Callable[..., Any], action: str, *, absent: str | None = None
    ) -> Iterator[Any]:
        """Marker/IsTruncated pages at the largest MaxItems the API takes (1000), stopping with
        LookupFailed on a marker seen before: a listing that does not advance never ends."""
        marker: str | None = None
        seen: set[str] = set()
        while True:
            body = self._call(
                operation, request(marker=marker, max_items=self.page_size), action, absent=absent
            )
            if body is None:
                raise _Absent(action)
            yield body
            if not body.is_truncated:
                return
            if not body.marker:
                raise LookupFailed(f"{action}: IsTruncated without a Marker")
            if body.marker in seen or body.marker == marker:
                raise LookupFailed(f"{action}: the listing does not advance (Marker {body.marker!r} again)")
            seen.add(body.marker)
            marker = body.marker

    def virtual_mfa_devices(self) -> VirtualMfaBindings:
        """Every virtual MFA device bound to a user, in one call; raises LookupFailed.

        ListVirtualMFADevices takes no parameters (its SDK operation has no request model)
        and has no Marker/IsTruncated: it returns all the account's devices at once.
        Devices created but not bound (no User) are left out.
        """
        body = self._call("list_virtual_mfadevices", None, "ListVirtualMFADevices")
        rows = (body.virtual_mfadevices.virtual_mfadevice if body.virtual_mfadevices else None) or []
        bound = []
        for row in rows:
            user = row.user
            # A row missing a user or serial proves nothing; leaving it out only means asking GetUserMFAInfo.
            if user is None or not user.user_name or not row.serial_number:
                continue
            bound.append((UserRef(user.user_name, user.user_id or ""), MfaDevice(row.serial_number, "VMFA")))
        return VirtualMfaBindings.of(bound)

    def user_policies(self, user: str) -> tuple[PolicyRef, ...]:
        body = self._call(
            "list_policies_for_user",
            ram.ListPoliciesForUserRequest(user_name=user),
            "ListPoliciesForUser",
            user,
        )
        return _refs(body)

    def user_groups(self, user: str) -> tuple[str, ...]:
        body = self._call(
            "list_groups_for_user", ram.ListGroupsForUserRequest(user_name=user), "ListGroupsForUser", user
        )
        return tuple(g.group_name for g in (body.groups.group if body.groups else None) or [])

    def group_policies(self, group: str) -> tuple[PolicyRef, ...]:
        return self._groups.get(group, lambda: self._fetch_group(group))

    def _fetch_group(self, group: str) -> tuple[PolicyRef, ...]:
        request = ram.ListPoliciesForGroupRequest(group_name=group)
        body = self._call("list_policies_for_group", request, "ListPoliciesForGroup", absent=GROUP_GONE)
        return _refs(body) if body is not None else ()  # deleted meanwhile: it grants nothing any more

    def policy(self, ref: PolicyRef) -> Policy:
        try:
            return self.cache.get(ref, lambda: self._fetch_policy(ref))
        except _VersionMoved as moved:
            # Use the current document now; cache it under its real version, never under the old key.
            self.cache.put(moved.ref, moved.policy)
            return moved.policy

    def _fetch_policy(self, ref: PolicyRef) -> Policy:
        request = ram.GetPolicyRequest(policy_name=ref.name, policy_type=ref.type)
        body = self._call("get_policy", request, "GetPolicy")
        version = body.default_policy_version
        if version is None or not version.policy_document:
            raise LookupFailed(
                f"GetPolicy {ref.type}/{ref.name}: response has no DefaultPolicyVersion.PolicyDocument"
            )
        actual = PolicyRef(ref.name, ref.type, version.version_id or ref.version)
        try:
            parsed = parse_policy(version.policy_document, "ram", name=ref.label)
        except PolicyError as exc:
            raise BadPolicyDocument(actual, str(exc)) from None
        if actual != ref:
            raise _VersionMoved(actual, parsed)
        return parsed

    def mfa_device(self, user: str) -> MfaDevice | None:
        request = ram.GetUserMFAInfoRequest(user_name=user)
        body = self._call("get_user_mfainfo", request, "GetUserMFAInfo", user, absent=NO_MFA_DEVICE)
        if body is None:
            return None
        device = body.mfadevice
        if device is None or not device.serial_number:
            # A 200 without a device would be odd; "no device" can only make the verdict stricter.
            return None
        return MfaDevice(device.serial_number, device.type or "")

    def login_profile(self, user: str) -> LoginProfile | None:
        request = ram.GetLoginProfileRequest(user_name=user)
        body = self._call("get_login_profile", request, "GetLoginProfile", user, absent=NO_LOGIN_PROFILE)
        profile = body.login_profile if body is not None else None
        if profile is None:
            return None
        return LoginProfile(bool(profile.mfabind_required), bool(profile.password_reset_required))

    def access_keys(self, user: str) -> tuple[AccessKey, ...]:
        """ListAccessKeys: every key of the user (at most two exist), with Status Active|Inactive."""
        request = ram.ListAccessKeysRequest(user_name=user)
        body = self._call("list_access_keys", request, "ListAccessKeys", user)
        rows = (body.access_keys.access_key if body.access_keys else None) or []
        keys = []
        for row in rows:
            if not row.access_key_id or not row.status:
                raise LookupFailed(f"ListAccessKeys {user}: a key without AccessKeyId or Status")
            keys.append(AccessKey(row.access_key_id, row.status))
        return tuple(keys)

    def security_preference(self) -> SecurityPreference:
        return self._preference.get("account", self._fetch_preference)

    def _fetch_preference(self) -> SecurityPreference:
        if self.ims_api is None:
            raise LookupFailed("GetSecurityPreference: no IMS client configured")
        try:
            body = self.ims_api.call("get_security_preference")
        except Exception as exc:
            raise self._failed("GetSecurityPreference", exc) from exc
        login = body.security_preference.login_profile_preference if body.security_preference else None
        value = login.mfaoperation_for_login if login is not None else None
        if value not in MFA_FOR_LOGIN_VALUES:
            # An unknown value could be weaker than it looks; the fact is missing, not "independent".
            raise LookupFailed(f"GetSecurityPreference: MFAOperationForLogin is {value!r}")
        return SecurityPreference(value)

    def _call(
        self, operation: str, request: Any, action: str, user: str | None = None, *, absent: str | None = None
    ) -> Any:
        """The response body; None when the error code is `absent` (the fact does not exist).

        EntityNotExist.User on a per-user call raises UserGone; anything else, LookupFailed.
        """
        try:
            return self.api.call(operation, request)
        except Exception as exc:
            code = cloud_errors.error_code(exc)
            if absent is not None and code == absent:
                return None
            if user is not None and code == USER_GONE:
                raise UserGone(user) from None
            raise self._failed(action, exc) from exc

    @staticmethod
    def _failed(action: str, exc: BaseException) -> LookupFailed:
        return LookupFailed(cloud_errors.explain(action, exc))


def _refs(body: Any) -> tuple[PolicyRef, ...]:
    rows = (body.policies.policy if body.policies else None) or []
    return tuple(PolicyRef(p.policy_name, p.policy_type, p.default_version) for p in rows)

