"""`ConfigPrerequisites`: what Cloud Config needs in the account before any rule can run.

- The service-linked role `AliyunServiceRoleForConfig` (`config.aliyuncs.com`): Cloud Config
  invokes rule functions and delivers to MNS through it. The provider's create is a bare
  CreateServiceLinkedRole with no "already exists" handling
  (terraform-provider-alicloud `resource_alicloud_resource_manager_service_linked_role.go`), and
  RAM refuses a second one with `EntityAlreadyExists.Role` (the Alibaba Cloud Terraform team's
  service-linked-role module, "Avoid Error EntityAlreadyExists.Role"). So it is a stack setting:
  `createServiceLinkedRole: true` creates it; `false` (the account already has one) looks it up
  with `ram.get_roles` and stops the program if it is not there.
- Recording (`cfg.ConfigurationRecorder`): the provider's create is StartConfigurationRecorder
  without resource types (they are sent only on a later update, so an account's recorded types
  are left as they are), and its delete does nothing
  (`resource_alicloud_config_configuration_recorder.go`). No source read says Start refuses an
  account that already records (its documented errors are permissions), and the provider's
  acceptance test starts it on the shared test account its other Config tests run in. A Resource
  Directory member whose Config the management account runs gets `RDMemberNoPermission`
  (StartConfigurationRecorder, https://www.alibabacloud.com/help/doc-detail/169624.htm):
  `startRecorder: false` then only checks, with `cfg.get_configuration_recorders`, that the
  recorder is `REGISTERED`; it is also the way out should a first deployment find Start refused.

Both are account-wide and shared with anything else Cloud Config runs, so `pulumi destroy` leaves
them (`retain_on_delete`). Rules and deliveries take this component as a dependency: Pulumi
expands a dependency on a component into its children, so they wait for the role and recorder.
"""

from __future__ import annotations

import pulumi
import pulumi_alicloud as alicloud

from components.settings import ConfigPrerequisiteSettings

TYPE = "baseline:alicloud:ConfigPrerequisites"
CONFIG_SERVICE = "config.aliyuncs.com"
CONFIG_ROLE = "AliyunServiceRoleForConfig"
RECORDER_REGISTERED = "REGISTERED"
SETTINGS_KEY = "baseline:configPrerequisites"


class PrerequisiteMissing(pulumi.RunError):
    """The account lacks what a stack said it already has (RunError: Pulumi prints it alone)."""


def require_service_linked_role(parent: pulumi.Resource) -> str:
    """The existing role's ARN; stops the program when the account has none."""
    found = alicloud.ram.get_roles(
        name_regex=f"^{CONFIG_ROLE}$", opts=pulumi.InvokeOptions(parent=parent)
    )
    roles = [role for role in found.roles if role.name == CONFIG_ROLE]
    if not roles:
        raise PrerequisiteMissing(
            f"{SETTINGS_KEY}.createServiceLinkedRole is false but the account has no {CONFIG_ROLE}: "
            f"set it to true, or create it (aliyun resourcemanager CreateServiceLinkedRole "
            f"--ServiceName {CONFIG_SERVICE})"
        )
    return roles[0].arn


def require_recording(parent: pulumi.Resource) -> str:
    """The recorder's status when it is `REGISTERED`; stops the program otherwise."""
    found = alicloud.cfg.get_configuration_recorders(opts=pulumi.InvokeOptions(parent=parent))
    statuses = [recorder.status for recorder in found.recorders]
    if RECORDER_REGISTERED not in statuses:
        seen = ", ".join(statuses) or "no recorder"
        raise PrerequisiteMissing(
            f"{SETTINGS_KEY}.startRecorder is false but Cloud Config is not recording in this account "
            f"({seen}): set it to true, or start it (aliyun config StartConfigurationRecorder)"
        )
    return RECORDER_REGISTERED


class ConfigPrerequisites(pulumi.ComponentResource):
    service_linked_role: alicloud.resourcemanager.ServiceLinkedRole | None = None
    recorder: alicloud.cfg.ConfigurationRecorder | None = None

    def __init__(
        self,
        name: str,
        *,
        settings: ConfigPrerequisiteSettings,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        # Shared by everything Cloud Config does in the account: never deleted with the stack.
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        outputs: dict[str, pulumi.Input[object]] = {}
        if settings.create_service_linked_role:
            self.service_linked_role = alicloud.resourcemanager.ServiceLinkedRole(
                f"{name}-service-linked-role", service_name=CONFIG_SERVICE, opts=kept
            )
            outputs["serviceLinkedRoleArn"] = self.service_linked_role.arn
        else:
            outputs["serviceLinkedRoleArn"] = require_service_linked_role(self)
        if settings.start_recorder:
            # Cloud Config cannot be activated before its service-linked role exists.
            after_role = [self.service_linked_role] if self.service_linked_role else []
            self.recorder = alicloud.cfg.ConfigurationRecorder(
                f"{name}-recorder", opts=kept.merge(pulumi.ResourceOptions(depends_on=after_role))
            )
            outputs["recorderStatus"] = self.recorder.status
        else:
            outputs["recorderStatus"] = require_recording(self)
        self.register_outputs(outputs)
