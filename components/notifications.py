"""`ComplianceNotifications`: NON_COMPLIANT findings of this stack's rules -> MNS topic -> people.

Resources (children of the component): a `message.ServiceTopic`; a `cfg.Delivery` of
non-compliant notifications only, filtered to the resource types of the rules the stack deploys
(the remediation topic carries only OSS findings for its function, so people get their own
topic); one `message.ServiceSubscription` per email address (push type `email`, format
SIMPLIFIED, the only one MNS mail endpoints support) and per HTTP endpoint (push type `http`, the
stack's format). Formats and push types: see `components.settings.model` (MNS NotifyContentFormat
docs, the provider's Subscribe call).

Subscription names carry the kind and position, never the address or URL: a name is visible to
anyone who can list the topic's subscriptions, and an endpoint may be a secret.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_alicloud as alicloud

from components.arns import mns_topic_arn
from components.remediation import deliver_findings
from components.settings import NotificationSettings, SecretUrl
from components.settings.model import EMAIL_CONTENT_FORMAT

TYPE = "baseline:alicloud:ComplianceNotifications"


class ComplianceNotifications(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]
    subscriptions: list[alicloud.message.ServiceSubscription]

    def __init__(
        self,
        name: str,
        *,
        region: str,
        notifications: NotificationSettings,
        resource_types: list[str],
        prerequisites: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account_id = alicloud.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id
        topic = alicloud.message.ServiceTopic(
            f"{name}-topic", topic_name=notifications.topic_name, opts=child
        )
        self.topic_arn = pulumi.Output.all(account_id, topic.topic_name).apply(
            lambda v: mns_topic_arn(region, v[0], v[1])
        )
        deliver_findings(
            f"{name}-delivery",
            channel_name=notifications.topic_name,
            topic_arn=self.topic_arn,
            resource_types=resource_types,
            description="NON_COMPLIANT findings of the baseline's rules, for the people subscribed",
            # Config delivers through its service-linked role.
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(prerequisites)),
        )
        endpoints: list[tuple[str, str, pulumi.Input[str], str]] = [
            ("email", f"email-{i}", address, EMAIL_CONTENT_FORMAT)
            for i, address in enumerate(notifications.emails)
        ]
        for i, url in enumerate(notifications.http_endpoints):
            secret = isinstance(url, SecretUrl)
            endpoints.append(
                (
                    "http",
                    f"http-{i}",
                    pulumi.Output.secret(str(url)) if secret else url,
                    notifications.http_format,
                )
            )
        self.subscriptions = [
            alicloud.message.ServiceSubscription(
                f"{name}-{suffix}",
                topic_name=topic.topic_name,
                subscription_name=f"{notifications.topic_name}-{suffix}",
                push_type=push_type,
                endpoint=endpoint,
                notify_content_format=content_format,
                notify_strategy=notifications.retry_strategy,
                opts=child,
            )
            for push_type, suffix, endpoint, content_format in endpoints
        ]
        self.register_outputs({"topicArn": self.topic_arn, "subscriptions": len(self.subscriptions)})
