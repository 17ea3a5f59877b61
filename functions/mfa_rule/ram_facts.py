"""FactsSource over the RAM API (alibabacloud_ram20150501), with the warm-container policy cache.

Policy documents are cached per container in `POLICY_CACHE`, keyed by (type, name, default
version) as listed by ListPoliciesForUser/Group: an unchanged policy is fetched once per
container, and a changed one has a new default version, hence a new key, so it is never
served stale. Group policy lists are cached per invocation only (attachments change).
Both caches are single-flight, so concurrent workers asking for the same key make one call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alibabacloud_ram20150501 import models as ram

from functions.common import cloud_errors
from functions.common.once import OnceMap
from functions.common.tea_api import TeaApi
from functions.mfa_rule.facts import (
    BadPolicyDocument,
    LoginProfile,
    LookupFailed,
    MfaDevice,
    PolicyRef,
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
        page_size: int = 100,
        cache: OnceMap[PolicyRef, Policy] | None = None,
        login_profiles: bool = True,
    ) -> None:
        self.api = api
        self.page_size = page_size
        # Login profiles only enrich annotations; sweeps skip them to save a call per non-compliant user.
        self.login_profiles = login_profiles
        self.cache = POLICY_CACHE if cache is None else cache
        self._groups: OnceMap[str, tuple[PolicyRef, ...]] = OnceMap(max_entries=100_000)

    def iter_users(self) -> Iterator[UserRef]:
        """Every user, page by page (Marker/IsTruncated); raises LookupFailed if a page cannot be read."""
        marker: str | None = None
        while True:
            body = self._call(
                "list_users", ram.ListUsersRequest(marker=marker, max_items=self.page_size), "ListUsers"
            )
            for user in (body.users.user if body.users else None) or []:
                yield UserRef(user.user_name, user.user_id)
            if not body.is_truncated:
                return
            if not body.marker:
                raise LookupFailed("ListUsers: IsTruncated without a Marker")
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
        if not self.login_profiles:
            return None
        request = ram.GetLoginProfileRequest(user_name=user)
        body = self._call("get_login_profile", request, "GetLoginProfile", user, absent=NO_LOGIN_PROFILE)
        profile = body.login_profile if body is not None else None
        if profile is None:
            return None
        return LoginProfile(bool(profile.mfabind_required), bool(profile.password_reset_required))

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
