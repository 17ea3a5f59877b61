"""Account snapshots (DESIGN.md format): validated loading and a FactsSource over them.

An organization snapshot, `{"managementAccountId", "accounts": [<account snapshot>, ...]}`, is
loaded member by member with the same checks; its errors name the member, e.g.
`accounts[2].users[0].userName: missing`.

The same snapshot feeds `python -m baseline evaluate` and the loopback fake RAM server in
the tests, so both answer from one validated model. Errors name the exact document path,
e.g. `users[3].policies[0].policyName: missing`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from functions.common.errors import EventError
from functions.mfa_rule.facts import (
    MFA_FOR_LOGIN_VALUES,
    POLICY_TYPES,
    AccessKey,
    BadPolicyDocument,
    LoginProfile,
    MfaDevice,
    PolicyRef,
    SecurityPreference,
    UserGone,
    UserRef,
)
from policies import Policy, PolicyError, parse_policy


class SnapshotError(EventError):
    """A snapshot that does not follow the format; `field` is the document path at fault."""


@dataclass(frozen=True)
class SnapshotUser:
    name: str
    user_id: str
    mfa_device: MfaDevice | None
    login_profile: LoginProfile | None
    policies: tuple[PolicyRef, ...]
    groups: tuple[str, ...]
    access_keys: tuple[AccessKey, ...] = ()

    @property
    def ref(self) -> UserRef:
        return UserRef(self.name, self.user_id)


@dataclass(frozen=True)
class SnapshotGroup:
    name: str
    policies: tuple[PolicyRef, ...]


@dataclass(frozen=True)
class SnapshotPolicy:
    ref: PolicyRef
    # The document as found: an object, or the JSON string RAM returns. Not compared or hashed.
    document: Any = field(compare=False, hash=False)


@dataclass(frozen=True)
class Snapshot:
    account_id: str
    users: tuple[SnapshotUser, ...]
    groups: tuple[SnapshotGroup, ...]
    policies: tuple[SnapshotPolicy, ...]
    preference: SecurityPreference = field(default_factory=SecurityPreference)

    def user(self, name: str) -> SnapshotUser | None:
        return next((u for u in self.users if u.name == name), None)


@dataclass(frozen=True)
class OrganizationSnapshot:
    management_account_id: str
    accounts: tuple[Snapshot, ...]


def _json(text: str, source: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            source, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None


def load_snapshot(text: str, source: str = "snapshot") -> Snapshot:
    return parse_snapshot(_json(text, source))


def load_any(text: str, source: str = "snapshot") -> Snapshot | OrganizationSnapshot:
    """An account snapshot, or an organization snapshot (an object with `accounts`)."""
    data = _json(text, source)
    if isinstance(data, Mapping) and "accounts" in data:
        return parse_organization(data)
    return parse_snapshot(data)


def parse_organization(data: object) -> OrganizationSnapshot:
    root = _obj(data, "(root)")
    management = _str(root, "managementAccountId", "managementAccountId")
    raw = _list(root, "accounts", "accounts")
    if not raw:
        raise SnapshotError("accounts", "expected at least one account")
    accounts: list[Snapshot] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        try:
            account = parse_snapshot(item)
        except SnapshotError as exc:
            where = f"accounts[{i}]" if exc.field == "(root)" else f"accounts[{i}].{exc.field}"
            raise SnapshotError(where, exc.reason) from None
        if account.account_id in seen:
            raise SnapshotError(f"accounts[{i}].accountId", f"duplicate account {account.account_id!r}")
        seen.add(account.account_id)
        accounts.append(account)
    return OrganizationSnapshot(management, tuple(accounts))


def parse_snapshot(data: object) -> Snapshot:
    root = _obj(data, "(root)")
    account_id = _str(root, "accountId", "accountId")
    policies = tuple(_policy(p, f"policies[{i}]") for i, p in enumerate(_list(root, "policies", "policies")))
    by_key: dict[tuple[str, str], SnapshotPolicy] = {}
    for i, pol in enumerate(policies):
        key = (pol.ref.type, pol.ref.name)
        if key in by_key:
            raise SnapshotError(f"policies[{i}].policyName", f"duplicate {pol.ref.label}")
        by_key[key] = pol
    groups = tuple(_group(g, f"groups[{i}]", by_key) for i, g in enumerate(_list(root, "groups", "groups")))
    group_names: set[str] = set()
    for i, grp in enumerate(groups):
        if grp.name in group_names:
            raise SnapshotError(f"groups[{i}].groupName", f"duplicate group {grp.name!r}")
        group_names.add(grp.name)
    users = tuple(
        _user(u, f"users[{i}]", by_key, group_names) for i, u in enumerate(_list(root, "users", "users"))
    )
    seen: set[str] = set()
    for i, user in enumerate(users):
        if user.name in seen:
            raise SnapshotError(f"users[{i}].userName", f"duplicate user {user.name!r}")
        seen.add(user.name)
    return Snapshot(account_id, users, groups, policies, _preference(root.get("securityPreference")))


def _preference(data: object) -> SecurityPreference:
    if data is None:
        return SecurityPreference()
    obj = _obj(data, "securityPreference")
    value = obj.get("mfaOperationForLogin", "independent")
    if value not in MFA_FOR_LOGIN_VALUES:
        raise SnapshotError(
            "securityPreference.mfaOperationForLogin",
            f"expected one of {', '.join(MFA_FOR_LOGIN_VALUES)}, got {value!r}",
        )
    return SecurityPreference(value)


def _access_key(data: object, path: str) -> AccessKey:
    obj = _obj(data, path)
    status = _str(obj, "status", f"{path}.status")
    if status not in ("Active", "Inactive"):
        raise SnapshotError(f"{path}.status", f"expected Active or Inactive, got {status!r}")
    return AccessKey(_str(obj, "accessKeyId", f"{path}.accessKeyId"), status)


def _user(
    data: object, path: str, policies: Mapping[tuple[str, str], SnapshotPolicy], groups: set[str]
) -> SnapshotUser:
    obj = _obj(data, path)
    mfa = obj.get("mfaDevice")
    device = None
    if mfa is not None:
        mfa_obj = _obj(mfa, f"{path}.mfaDevice")
        device = MfaDevice(
            _str(mfa_obj, "serialNumber", f"{path}.mfaDevice.serialNumber"),
            _opt_str(mfa_obj, "type", f"{path}.mfaDevice.type"),
        )
    login = obj.get("loginProfile")
    profile = None
    if login is not None:
        login_obj = _obj(login, f"{path}.loginProfile")
        profile = LoginProfile(
            _bool(login_obj, "mfaBindRequired", f"{path}.loginProfile.mfaBindRequired"),
            _bool(login_obj, "passwordResetRequired", f"{path}.loginProfile.passwordResetRequired", False),
        )
    attached = tuple(
        _attachment(p, f"{path}.policies[{i}]", policies)
        for i, p in enumerate(_list(obj, "policies", f"{path}.policies", default=[]))
    )
    member_of = []
    for i, name in enumerate(_list(obj, "groups", f"{path}.groups", default=[])):
        where = f"{path}.groups[{i}]"
        if not isinstance(name, str) or not name:
            raise SnapshotError(where, "expected a group name")
        if name not in groups:
            raise SnapshotError(where, f"unknown group {name!r} (not in groups)")
        member_of.append(name)
    keys = tuple(
        _access_key(k, f"{path}.accessKeys[{i}]")
        for i, k in enumerate(_list(obj, "accessKeys", f"{path}.accessKeys", default=[]))
    )
    return SnapshotUser(
        _str(obj, "userName", f"{path}.userName"),
        _str(obj, "userId", f"{path}.userId"),
        device,
        profile,
        attached,
        tuple(member_of),
        keys,
    )


def _group(data: object, path: str, policies: Mapping[tuple[str, str], SnapshotPolicy]) -> SnapshotGroup:
    obj = _obj(data, path)
    name = _str(obj, "groupName", f"{path}.groupName")
    attached = tuple(
        _attachment(p, f"{path}.policies[{i}]", policies)
        for i, p in enumerate(_list(obj, "policies", f"{path}.policies", default=[]))
    )
    return SnapshotGroup(name, attached)


def _attachment(data: object, path: str, policies: Mapping[tuple[str, str], SnapshotPolicy]) -> PolicyRef:
    ref = _ref(data, path)
    known = policies.get((ref.type, ref.name))
    if known is None:
        raise SnapshotError(path, f"no document for {ref.label} in policies")
    # The policies table holds the current default version; an attachment only names it.
    return known.ref


def _policy(data: object, path: str) -> SnapshotPolicy:
    obj = _obj(data, path)
    ref = _ref(obj, path)
    document = obj.get("document")
    if document is None:
        raise SnapshotError(f"{path}.document", "missing")
    if not isinstance(document, (Mapping, str)):
        raise SnapshotError(f"{path}.document", "expected an object or a JSON string")
    return SnapshotPolicy(ref, document)


def _ref(data: object, path: str) -> PolicyRef:
    obj = _obj(data, path)
    name = _str(obj, "policyName", f"{path}.policyName")
    kind = _str(obj, "policyType", f"{path}.policyType")
    if kind not in POLICY_TYPES:
        raise SnapshotError(f"{path}.policyType", f"expected System or Custom, got {kind!r}")
    return PolicyRef(name, kind, _str(obj, "defaultVersion", f"{path}.defaultVersion"))


def _obj(data: object, path: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise SnapshotError(path, "expected an object")
    return data


def _list(obj: Mapping[str, Any], key: str, path: str, default: list[Any] | None = None) -> list[Any]:
    value = obj.get(key)
    if value is None:
        if default is not None:
            return default
        raise SnapshotError(path, "missing")
    if not isinstance(value, list):
        raise SnapshotError(path, "expected an array")
    return value


def _str(obj: Mapping[str, Any], key: str, path: str) -> str:
    value = obj.get(key)
    if value is None:
        raise SnapshotError(path, "missing")
    if not isinstance(value, str) or not value:
        raise SnapshotError(path, "expected a non-empty string")
    return value


def _opt_str(obj: Mapping[str, Any], key: str, path: str) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str):
        raise SnapshotError(path, "expected a string")
    return value


def _bool(obj: Mapping[str, Any], key: str, path: str, default: bool | None = None) -> bool:
    value = obj.get(key, default)
    if value is None:
        raise SnapshotError(path, "missing")
    if not isinstance(value, bool):
        raise SnapshotError(path, "expected true or false")
    return value


class SnapshotFacts:
    """FactsSource answering from a snapshot; documents are parsed once, lazily."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._users = {u.name: u for u in snapshot.users}
        self._groups = {g.name: g for g in snapshot.groups}
        self._policies = {(p.ref.type, p.ref.name): p for p in snapshot.policies}
        self._parsed: dict[PolicyRef, Policy] = {}

    def users(self) -> tuple[UserRef, ...]:
        return tuple(u.ref for u in self.snapshot.users)

    def _user(self, name: str) -> SnapshotUser:
        user = self._users.get(name)
        if user is None:
            raise UserGone(name)
        return user

    def user_policies(self, user: str) -> tuple[PolicyRef, ...]:
        return self._user(user).policies

    def user_groups(self, user: str) -> tuple[str, ...]:
        return self._user(user).groups

    def group_policies(self, group: str) -> tuple[PolicyRef, ...]:
        found = self._groups.get(group)
        return found.policies if found else ()

    def policy(self, ref: PolicyRef) -> Policy:
        if ref not in self._parsed:
            document = self._policies[(ref.type, ref.name)].document
            try:
                self._parsed[ref] = parse_policy(document, "ram", name=ref.label)
            except PolicyError as exc:
                raise BadPolicyDocument(ref, str(exc)) from None
        return self._parsed[ref]

    def mfa_device(self, user: str) -> MfaDevice | None:
        return self._user(user).mfa_device

    def login_profile(self, user: str) -> LoginProfile | None:
        return self._user(user).login_profile

    def access_keys(self, user: str) -> tuple[AccessKey, ...]:
        return self._user(user).access_keys

    def security_preference(self) -> SecurityPreference:
        return self.snapshot.preference
