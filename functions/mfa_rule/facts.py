"""What the rule needs to know about a RAM user, as an interface with two implementations.

`ram_facts.RamFacts` answers from the RAM API; `snapshot.SnapshotFacts` from an account
snapshot. `rule.evaluate_user` drives either one, so the deployed function and
`python -m baseline evaluate` make exactly the same decision.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from policies import Policy

POLICY_TYPES = ("System", "Custom")


@dataclass(frozen=True)
class PolicyRef:
    """A policy as attached (ListPoliciesForUser/Group): its default version is part of its identity."""

    name: str
    type: str
    version: str

    @property
    def label(self) -> str:
        return f"{self.type} policy {self.name}"


@dataclass(frozen=True)
class UserRef:
    name: str
    user_id: str
    # ListUsers' CreateDate; None when not listed or unreadable (then no report row is trusted).
    created: datetime.datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MfaDevice:
    serial_number: str
    type: str = ""


@dataclass(frozen=True)
class VirtualMfaBindings:
    """Virtual MFA devices bound to users (RAM ListVirtualMFADevices), looked up per listed user.

    Keyed by user name; a device's UserId, when the listing gives one, must also match the
    user's, so a user re-created under the name of a deleted one never inherits its device.
    Only ever used to skip work for users who certainly have a device: a user not found here
    may still have another kind of device (U2F), which GetUserMFAInfo shows.
    """

    by_name: Mapping[str, tuple[str, MfaDevice]] = field(default_factory=dict, hash=False)

    @classmethod
    def of(cls, bound: Iterable[tuple[UserRef, MfaDevice]]) -> VirtualMfaBindings:
        return cls({user.name: (user.user_id, device) for user, device in bound})

    def device_for(self, user: UserRef) -> MfaDevice | None:
        found = self.by_name.get(user.name)
        if found is None:
            return None
        user_id, device = found
        return device if not user_id or not user.user_id or user_id == user.user_id else None

    def __len__(self) -> int:
        return len(self.by_name)


@dataclass(frozen=True)
class LoginProfile:
    # None: not read, because the account's preference forces MFA at every sign-in anyway.
    mfa_bind_required: bool | None
    password_reset_required: bool = False


@dataclass(frozen=True)
class AccessKey:
    """An AccessKey as ListAccessKeys lists it (Status `Active` or `Inactive`)."""

    access_key_id: str
    status: str

    @property
    def active(self) -> bool:
        # Anything but an explicit Inactive counts as usable: an unknown status must not hide a key.
        return self.status != "Inactive"


# IMS GetSecurityPreference, LoginProfilePreference.MFAOperationForLogin: `independent` (each
# user's own setting), `adaptive` (only for unusual sign-ins) or `mandatory` (every console
# sign-in of every RAM user asks for MFA).
MFA_FOR_LOGIN_VALUES = ("independent", "adaptive", "mandatory")


@dataclass(frozen=True)
class SecurityPreference:
    mfa_operation_for_login: str = "independent"

    @property
    def login_forces_mfa(self) -> bool:
        return self.mfa_operation_for_login == "mandatory"


class UserGone(LookupError):
    """The user no longer exists (EntityNotExist.User): the evaluation is NOT_APPLICABLE."""


class LookupFailed(RuntimeError):
    """A fact could not be obtained (after retries); the evaluation is INSUFFICIENT_DATA with this reason."""


class BadPolicyDocument(ValueError):
    """A policy document that does not parse: the decision cannot be trusted, so INSUFFICIENT_DATA."""

    def __init__(self, ref: PolicyRef, reason: str) -> None:
        super().__init__(f"{ref.label} ({ref.version}) does not parse: {reason}")
        self.ref = ref


class FactsSource(Protocol):
    def user_policies(self, user: str) -> tuple[PolicyRef, ...]: ...

    def user_groups(self, user: str) -> tuple[str, ...]: ...

    def group_policies(self, group: str) -> tuple[PolicyRef, ...]:
        """Policies of a group; a group deleted meanwhile grants nothing, so it answers ()."""
        ...

    def policy(self, ref: PolicyRef) -> Policy:
        """The parsed default version; raises BadPolicyDocument or LookupFailed."""
        ...

    def mfa_device(self, user: str) -> MfaDevice | None: ...

    def login_profile(self, user: str) -> LoginProfile | None: ...

    def access_keys(self, user: str) -> tuple[AccessKey, ...]: ...

    def security_preference(self) -> SecurityPreference:
        """The account's preference (one per account); raises LookupFailed."""
        ...
