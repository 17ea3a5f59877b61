"""The mutable state behind the fake cloud: a RAM account loaded from a snapshot, buckets, Config items."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from functions.mfa_rule.snapshot import Snapshot, parse_snapshot


@dataclass
class FakeUser:
    name: str
    user_id: str
    mfa: dict[str, str] | None
    login: dict[str, bool] | None
    policies: list[tuple[str, str]]  # (type, name)
    groups: list[str]
    access_keys: list[dict[str, str]] = field(default_factory=list)  # {"AccessKeyId", "Status"}
    created: str = "2024-01-01T00:00:00Z"  # CreateDate, as ListUsers and the report give it


@dataclass
class FakePolicy:
    name: str
    type: str
    version: str
    document: str  # JSON text, as GetPolicy returns it


@dataclass
class FakeAccount:
    account_id: str
    users: dict[str, FakeUser] = field(default_factory=dict)
    groups: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    policies: dict[tuple[str, str], FakePolicy] = field(default_factory=dict)
    buckets: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {"acl", "region"}
    discovered: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    unbound_vmfa: list[str] = field(default_factory=list)  # serials created but bound to nobody
    mfa_operation_for_login: str = "independent"
    # The IMS credential report: (generated at, epoch seconds; CSV) once generated; a pending
    # generation completes at the next GenerateCredentialReport call.
    credential_report: tuple[float, str] | None = None
    report_pending: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any] | Snapshot) -> FakeAccount:
        snap = data if isinstance(data, Snapshot) else parse_snapshot(data)
        account = cls(snap.account_id, mfa_operation_for_login=snap.preference.mfa_operation_for_login)
        for pol in snap.policies:
            doc = pol.document if isinstance(pol.document, str) else json.dumps(pol.document)
            account.policies[(pol.ref.type, pol.ref.name)] = FakePolicy(
                pol.ref.name, pol.ref.type, pol.ref.version, doc
            )
        for grp in snap.groups:
            account.groups[grp.name] = [(r.type, r.name) for r in grp.policies]
        for user in snap.users:
            account.users[user.name] = FakeUser(
                user.name,
                user.user_id,
                None
                if user.mfa_device is None
                else {"SerialNumber": user.mfa_device.serial_number, "Type": user.mfa_device.type},
                None
                if user.login_profile is None
                else {
                    "MFABindRequired": user.login_profile.mfa_bind_required,
                    "PasswordResetRequired": user.login_profile.password_reset_required,
                },
                [(r.type, r.name) for r in user.policies],
                list(user.groups),
                [{"AccessKeyId": k.access_key_id, "Status": k.status} for k in user.access_keys],
            )
        return account

    # Mutations tests use to model changes between or during invocations.
    def delete_user(self, name: str) -> None:
        with self.lock:
            del self.users[name]

    def bind_mfa(self, name: str, serial: str, kind: str = "VMFA") -> None:
        with self.lock:
            self.users[name].mfa = {"SerialNumber": serial, "Type": kind}

    def unbind_mfa(self, name: str) -> None:
        with self.lock:
            self.users[name].mfa = None

    def set_access_key(self, name: str, key_id: str, status: str = "Active") -> None:
        with self.lock:
            keys = [k for k in self.users[name].access_keys if k["AccessKeyId"] != key_id]
            self.users[name].access_keys = [*keys, {"AccessKeyId": key_id, "Status": status}]

    def create_unbound_vmfa(self, serial: str) -> None:
        """A virtual MFA device created (CreateVirtualMFADevice) but never bound to a user."""
        with self.lock:
            self.unbound_vmfa.append(serial)

    def set_policy(self, kind: str, name: str, version: str, document: dict[str, Any] | str) -> None:
        with self.lock:
            text = document if isinstance(document, str) else json.dumps(document)
            self.policies[(kind, name)] = FakePolicy(name, kind, version, text)

    def add_bucket(self, name: str, acl: str, region: str = "ap-southeast-1") -> None:
        with self.lock:
            self.buckets[name] = {"acl": acl, "region": region}

    def add_discovered(self, resource_id: str, resource_type: str, detail: dict[str, Any]) -> None:
        with self.lock:
            self.discovered[(resource_id, resource_type)] = detail
