"""What the rule needs to know about a RAM user, as an interface with two implementations.

`ram_facts.RamFacts` answers from the RAM API; `snapshot.SnapshotFacts` from an account
snapshot. `rule.evaluate_user` drives either one, so the deployed function and
`python -m baseline evaluate` make exactly the same decision.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class MfaDevice:
    serial_number: str
    type: str = ""


@dataclass(frozen=True)
class LoginProfile:
    mfa_bind_required: bool
    password_reset_required: bool = False


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
