"""`AwsMfaEnforcedGroup`: an IAM group whose members can do nothing but set up MFA until they
sign in with it, plus the chosen managed policies and the account password policy.

The force-MFA policy is `policies/documents/aws/force-mfa.json` (via `documents.force_mfa`).
Members, when listed, are managed exclusively (`iam.GroupMembership`): users added to the
group outside the stack are removed on the next `pulumi up`.
"""

from __future__ import annotations

import hashlib
import json

import pulumi
import pulumi_aws as aws

from components.password_rules import password_rule_args
from components.settings import AwsSettings
from policies import documents

TYPE = "baseline:aws:AwsMfaEnforcedGroup"


def _attachment_suffix(arn: str, seen: set[str]) -> str:
    suffix = arn.rsplit("/", 1)[-1]
    if suffix in seen:  # same policy name under another path or account: keep names unique
        suffix = f"{suffix}-{hashlib.sha256(arn.encode()).hexdigest()[:8]}"
    seen.add(suffix)
    return suffix


class AwsMfaEnforcedGroup(pulumi.ComponentResource):
    group: aws.iam.Group
    policy: aws.iam.Policy
    attachments: tuple[aws.iam.GroupPolicyAttachment, ...]
    membership: aws.iam.GroupMembership | None
    password_policy: aws.iam.AccountPasswordPolicy

    def __init__(
        self, name: str, *, settings: AwsSettings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.group = aws.iam.Group(f"{name}-group", name=settings.group_name, opts=child)
        force_mfa = documents.force_mfa(settings.allow_initial_password_change_without_mfa)
        self.policy = aws.iam.Policy(
            f"{name}-force-mfa",
            name=settings.policy_name,
            description="Deny everything but MFA self-service until the user signs in with MFA",
            policy=json.dumps(force_mfa, sort_keys=True),
            opts=child,
        )
        attachments = [
            aws.iam.GroupPolicyAttachment(
                f"{name}-force-mfa-attachment", group=self.group.name, policy_arn=self.policy.arn, opts=child
            )
        ]
        seen: set[str] = {"force-mfa"}
        for arn in settings.managed_policy_arns:
            attachments.append(
                aws.iam.GroupPolicyAttachment(
                    f"{name}-{_attachment_suffix(arn, seen)}",
                    group=self.group.name,
                    policy_arn=arn,
                    opts=child,
                )
            )
        self.attachments = tuple(attachments)
        self.membership = (
            aws.iam.GroupMembership(
                f"{name}-members",
                name=f"{settings.group_name}-members",
                group=self.group.name,
                users=list(settings.members),
                opts=child,
            )
            if settings.members
            else None
        )
        p = settings.password_policy
        self.password_policy = aws.iam.AccountPasswordPolicy(
            f"{name}-password-policy",
            **password_rule_args(p),
            allow_users_to_change_password=p.allow_users_to_change_password,
            opts=child,
        )
        self.register_outputs(
            {
                "groupName": self.group.name,
                "policyArn": self.policy.arn,
            }
        )
