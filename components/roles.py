"""A RAM role trusted by one principal (a cloud service, or another account's role), holding
exactly one custom policy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_alicloud as alicloud


def document_json(document: dict[str, Any]) -> str:
    # Sorted keys: the same document always renders the same text, so no spurious diffs.
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class ServiceRole:
    role: alicloud.ram.Role
    policy: alicloud.ram.Policy
    attachment: alicloud.ram.RolePolicyAttachment

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.role.arn


def service_role(
    resource_name: str,
    *,
    role_name: str,
    trust_document: dict[str, Any] | pulumi.Input[str],
    policy_document: pulumi.Input[str],
    description: str,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> ServiceRole:
    """`policy_document` (and a `trust_document` given as text) is JSON text, an Output when it
    names resources created alongside. `provider` places the role in another account."""
    opts = pulumi.ResourceOptions(parent=parent, provider=provider)
    role = alicloud.ram.Role(
        f"{resource_name}-role",
        role_name=role_name,
        assume_role_policy_document=(
            document_json(trust_document) if isinstance(trust_document, dict) else trust_document
        ),
        description=description,
        # The role is ours alone: deleting it must also detach what the stack attached.
        force=True,
        opts=opts,
    )
    policy = alicloud.ram.Policy(
        f"{resource_name}-policy",
        policy_name=f"{role_name}-policy",
        policy_document=policy_document,
        description=f"Permissions of {role_name}: {description}",
        force=True,
        opts=opts,
    )
    attachment = alicloud.ram.RolePolicyAttachment(
        f"{resource_name}-attachment",
        role_name=role.role_name,
        policy_name=policy.policy_name,
        policy_type="Custom",
        opts=opts,
    )
    return ServiceRole(role, policy, attachment)
