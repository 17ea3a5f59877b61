"""What the mock engine answers: the outputs the real providers would compute.

`BaselineMocks` answers resource registrations with realistic ids and ARNs (role ARNs, function
ARNs, rule ids...) derived deterministically from the inputs, one method per resource type in the
table at the end, and answers invokes (`getCallerIdentity` of both clouds, role and recorder
lookups, ...), keeping each invoke it was asked. The recorder and runner are `baseline.mocks`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

ALICLOUD_ACCOUNT = "5123456789012345"
AWS_ACCOUNT = "123456789012"
DEFAULT_REGION = "ap-southeast-1"
DEFAULT_AWS_REGION = "ap-southeast-1"


@dataclass(frozen=True)
class InvokeRecord:
    token: str
    args: dict[str, Any]


def _digits(seed: str, length: int) -> str:
    number = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return str(number)[:length]


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


class BaselineMocks(pulumi.runtime.Mocks):
    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        aws_region: str = DEFAULT_AWS_REGION,
        account_id: str = ALICLOUD_ACCOUNT,
        aws_account_id: str = AWS_ACCOUNT,
        config_service_role: bool = True,
        recorder_status: str | None = "REGISTERED",
    ) -> None:
        self.region = region
        # The account as the Config prerequisites' lookups see it: its service-linked role, and
        # its recorder's status (None: no recorder).
        self.config_service_role = config_service_role
        self.recorder_status = recorder_status
        self.aws_region = aws_region
        self.account_id = account_id
        self.aws_account_id = aws_account_id
        self.invokes: list[InvokeRecord] = []
        # Explicit alicloud providers that assume a role in another account: provider id -> account.
        self.provider_accounts: dict[str, str] = {}

    # -- invokes ---------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        self.invokes.append(InvokeRecord(args.token, dict(args.args)))
        invoked = args.token
        if invoked == "alicloud:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"acs:ram::{self.account_id}:root",
                "identityType": "Account",
                "id": self.account_id,
            }
        if invoked == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.aws_account_id,
                "arn": f"arn:aws:iam::{self.aws_account_id}:root",
                "userId": self.aws_account_id,
                "id": self.aws_account_id,
            }
        if invoked == "aws:index/getRegion:getRegion":
            return {"name": self.aws_region, "region": self.aws_region, "id": self.aws_region}
        if invoked == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if invoked == "alicloud:ram/getRoles:getRoles":
            return self._ram_roles(args.args)
        if invoked == "alicloud:cfg/getConfigurationRecorders:getConfigurationRecorders":
            return self._recorders()
        if invoked == "alicloud:index/getRegions:getRegions":
            return {"regions": [{"id": self.region, "regionId": self.region}], "ids": [self.region]}
        # Anything else answers empty (recorded in `invokes`, so tests can see what was asked).
        return {}

    def _ram_roles(self, args: Mapping[str, Any]) -> dict[str, Any]:
        names = ["AliyunServiceRoleForConfig"] if self.config_service_role else []
        pattern = args.get("nameRegex")
        if isinstance(pattern, str):
            names = [n for n in names if re.search(pattern, n)]
        roles = [
            {
                "arn": f"acs:ram::{self.account_id}:role/{n.lower()}",
                "assumeRolePolicyDocument": "",
                "createDate": "2024-01-01T00:00:00Z",
                "description": "",
                "document": "",
                "id": _digits(f"role/{n}", 19),
                "name": n,
                "tags": {},
                "updateDate": "2024-01-01T00:00:00Z",
            }
            for n in names
        ]
        return {"id": "roles", "ids": [r["id"] for r in roles], "names": names, "roles": roles}

    def _recorders(self) -> dict[str, Any]:
        recorders = [] if self.recorder_status is None else [{
            "accountId": self.account_id,
            "id": self.account_id,
            "organizationEnableStatus": "REGISTRABLE",
            "organizationMasterId": 0,
            "resourceTypes": ["ACS::RAM::User", "ACS::OSS::Bucket"],
            "status": self.recorder_status,
        }]
        return {"id": self.account_id, "recorders": recorders}

    # -- resources -------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ == "pulumi:providers:alicloud":
            return self._alicloud_provider(args.name, inputs), inputs
        handler = _RESOURCES.get(args.typ)
        if handler is None:
            return f"{args.name}-id", inputs
        resource_id, outputs = handler(self, args.name, inputs)
        # A resource placed in a member account through its provider gets that account's ARN.
        account = self.provider_accounts.get(str(args.provider or "").rsplit("::", 1)[-1])
        if account and isinstance(outputs.get("arn"), str):
            outputs["arn"] = outputs["arn"].replace(f"::{self.account_id}:", f"::{account}:", 1)
        return resource_id, {**inputs, **outputs}

    def _alicloud_provider(self, name: str, i: dict[str, Any]) -> str:
        provider_id = f"{name}-id"
        assume = i.get("assumeRole")
        # Provider inputs arrive JSON-encoded (the engine's provider config convention).
        role_arn = (json.loads(assume) if isinstance(assume, str) else assume or {}).get("roleArn", "")
        match = re.match(r"^acs:ram::([0-9]+):role/", role_arn)
        if match:
            self.provider_accounts[provider_id] = match.group(1)
        return provider_id

    def _ram_role(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        role = i.get("roleName", name)
        # RAM writes role names lower-case in ARNs.
        return role, {
            "arn": f"acs:ram::{self.account_id}:role/{role.lower()}",
            "roleId": _digits(f"role/{role}", 19),
        }

    def _ram_policy(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return i.get("policyName", name), {"type": "Custom", "defaultVersion": "v1"}

    def _ram_attachment(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"role:{i.get('policyName')}:{i.get('policyType')}:{i.get('roleName')}", {}

    def _fc_service(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        service = i.get("name", name)
        return service, {"serviceId": _hex(f"service/{service}", 32)}

    def _fc_function(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        service, function = i.get("service"), i.get("name", name)
        return f"{service}:{function}", {
            "functionId": _hex(f"function/{service}/{function}", 32),
            "functionArn": (
                f"acs:fc:{self.region}:{self.account_id}:services/{service}.LATEST/functions/{function}"
            ),
        }

    def _fc3_function(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        function = i.get("functionName", name)
        return function, {
            "functionArn": f"acs:fc:{self.region}:{self.account_id}:functions/{function}",
            "functionId": _hex(f"function/{function}", 32),
        }

    def _fc_trigger(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        trigger = i.get("name", name)
        return f"{i.get('service')}:{i.get('function')}:{trigger}", {
            "triggerId": _hex(f"trigger/{trigger}", 32)
        }

    def _fc3_trigger(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        trigger = i.get("triggerName", name)
        return f"{i.get('functionName')}:{trigger}", {
            "triggerId": _hex(f"trigger/{trigger}", 32),
            "status": "Succeeded",
        }

    def _topic(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return i.get("topicName", name), {"topicType": "normal", "maxMessageSize": 65536}

    def _cfg_rule(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        rule_id = f"cr-{_hex('rule/' + str(i.get('ruleName', name)), 20)}"
        return rule_id, {
            "configRuleId": rule_id,
            "accountId": self.account_id,
            "status": "ACTIVE",
            "configRuleArn": f"acs:config::{self.account_id}:rule/{rule_id}",
        }

    def _cfg_aggregator(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        aggregator_id = f"ca-{_hex('aggregator/' + str(i.get('aggregatorName', name)), 20)}"
        return aggregator_id, {"status": "1"}

    def _cfg_aggregate_rule(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        rule_id = f"cr-{_hex('aggregate-rule/' + str(i.get('aggregateConfigRuleName', name)), 20)}"
        # The provider's id is `<aggregator_id>:<config_rule_id>`.
        return f"{i.get('aggregatorId')}:{rule_id}", {"configRuleId": rule_id, "status": "ACTIVE"}

    def _cfg_delivery(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        channel_id = f"cdc-{_hex('delivery/' + str(i.get('deliveryChannelTargetArn')), 20)}"
        return channel_id, {"deliveryChannelId": channel_id, "status": 1}

    def _service_linked_role(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        service = str(i.get("serviceName", name))
        # RAM names a service-linked role after its service (AliyunServiceRoleFor<Service>).
        role = SERVICE_LINKED_ROLES.get(service, f"AliyunServiceRoleFor{service.split('.')[0].title()}")
        return f"{service}:{role}", {
            "roleName": role,
            "roleId": _digits(f"role/{role}", 19),
            "arn": f"acs:ram::{self.account_id}:role/{role.lower()}",
        }

    def _recorder(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self.account_id, {
            "status": "REGISTERED",
            "organizationEnableStatus": "REGISTRABLE",
            "organizationMasterId": 0,
            "enterpriseEdition": False,
        }

    def _account_singleton(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self.account_id, {}

    def _iam_group(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        group = i.get("name", name)
        return group, {
            "arn": f"arn:aws:iam::{self.aws_account_id}:group{i.get('path', '/')}{group}",
            "uniqueId": "AGPA" + _hex(f"group/{group}", 17).upper(),
        }

    def _iam_policy(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        policy = i.get("name", name)
        arn = f"arn:aws:iam::{self.aws_account_id}:policy{i.get('path', '/')}{policy}"
        return arn, {"arn": arn, "policyId": "ANPA" + _hex(f"policy/{policy}", 17).upper()}

    def _iam_attachment(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"{i.get('group')}-{_hex(str(i.get('policyArn')), 8)}", {}

    def _iam_membership(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return str(i.get("name", name)), {}

    def _iam_password_policy(self, name: str, i: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "iam-account-password-policy", {"expirePasswords": bool(i.get("maxPasswordAge"))}


SERVICE_LINKED_ROLES = {"config.aliyuncs.com": "AliyunServiceRoleForConfig"}

_RESOURCES = {
    "alicloud:resourcemanager/serviceLinkedRole:ServiceLinkedRole": BaselineMocks._service_linked_role,
    "alicloud:cfg/configurationRecorder:ConfigurationRecorder": BaselineMocks._recorder,
    "alicloud:ram/role:Role": BaselineMocks._ram_role,
    "alicloud:ram/policy:Policy": BaselineMocks._ram_policy,
    "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment": BaselineMocks._ram_attachment,
    "alicloud:fc/service:Service": BaselineMocks._fc_service,
    "alicloud:fc/function:Function": BaselineMocks._fc_function,
    "alicloud:fc/v3Function:V3Function": BaselineMocks._fc3_function,
    "alicloud:fc/trigger:Trigger": BaselineMocks._fc_trigger,
    "alicloud:fc/v3Trigger:V3Trigger": BaselineMocks._fc3_trigger,
    "alicloud:message/serviceTopic:ServiceTopic": BaselineMocks._topic,
    "alicloud:cfg/rule:Rule": BaselineMocks._cfg_rule,
    "alicloud:cfg/delivery:Delivery": BaselineMocks._cfg_delivery,
    "alicloud:cfg/aggregator:Aggregator": BaselineMocks._cfg_aggregator,
    "alicloud:cfg/aggregateConfigRule:AggregateConfigRule": BaselineMocks._cfg_aggregate_rule,
    "alicloud:ram/passwordPolicy:PasswordPolicy": BaselineMocks._account_singleton,
    "alicloud:ram/securityPreference:SecurityPreference": BaselineMocks._account_singleton,
    "aws:iam/group:Group": BaselineMocks._iam_group,
    "aws:iam/policy:Policy": BaselineMocks._iam_policy,
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": BaselineMocks._iam_attachment,
    "aws:iam/groupMembership:GroupMembership": BaselineMocks._iam_membership,
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": BaselineMocks._iam_password_policy,
}
