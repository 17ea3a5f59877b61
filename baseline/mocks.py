"""Pulumi mock engine for `plan` and the tests: realistic ids and ARNs, every registration recorded.

`BaselineMocks` answers resource registrations with the outputs the real providers would
compute (role ARNs, function ARNs, rule ids...) derived deterministically from the inputs, and
answers invokes (`getCallerIdentity` of both clouds, ...). `RecordingMonitor` keeps each
registration as the engine saw it: type, name, parent URN and inputs (camelCase names).
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import hashlib
import heapq
import json
import re
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

ALICLOUD_ACCOUNT = "5123456789012345"
AWS_ACCOUNT = "123456789012"
DEFAULT_REGION = "ap-southeast-1"
DEFAULT_AWS_REGION = "ap-southeast-1"


@dataclass(frozen=True)
class Registration:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    dependencies: frozenset[str]  # URNs this resource waits for (parent included)
    provider: str | None = None  # explicit provider reference `<urn>::<id>`, None for the default
    retain_on_delete: bool = False  # `pulumi destroy` leaves the cloud resource in place


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


class RecordingMonitor(MockMonitor):
    """A mock monitor that also keeps every registration, in the order the engine received them."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def Invoke(self, request: Any) -> Any:
        try:
            return super().Invoke(request)
        finally:
            _remember_worker_loop()

    def RegisterResource(self, request: Any) -> Any:
        try:
            response = super().RegisterResource(request)
        finally:
            _remember_worker_loop()
        if request.type != "pulumi:pulumi:Stack":
            from pulumi.runtime import rpc

            dependencies = set(request.dependencies)
            for property_dependencies in request.propertyDependencies.values():
                dependencies.update(property_dependencies.urns)
            if request.parent:
                dependencies.add(request.parent)
            self.registrations.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    custom=bool(request.custom),
                    inputs=rpc.deserialize_properties(request.object),
                    dependencies=frozenset(dependencies),
                    provider=request.provider or None,
                    retain_on_delete=bool(request.retainOnDelete),
                )
            )
        return response

    def ordered(self) -> list[Registration]:
        """Registrations in a deterministic dependency order.

        The SDK registers resources from a thread pool, so arrival order varies from run to
        run; this is the order a serial engine would see: parents and dependencies first,
        ties broken by name and type.
        """
        by_urn = {r.urn: r for r in self.registrations}
        waiting = {r.urn: {d for d in r.dependencies if d in by_urn} for r in self.registrations}
        ready = [(r.name, r.type, r.urn) for r in self.registrations if not waiting[r.urn]]
        heapq.heapify(ready)
        result: list[Registration] = []
        while ready:
            urn = heapq.heappop(ready)[2]
            result.append(by_urn[urn])
            for other, deps in waiting.items():
                if urn in deps:
                    deps.discard(urn)
                    if not deps:
                        heapq.heappush(ready, (by_urn[other].name, by_urn[other].type, other))
        # A cycle cannot come from the engine; keep anything left rather than lose it.
        result.extend(r for r in self.registrations if r not in result)
        return result


# The SDK calls the monitor from its executor's threads, and the mock monitor gives each thread an
# event loop that nobody closes. Left to the interpreter's teardown, such a loop may be collected
# after its self-pipe socket and print "Exception ignored ... Invalid file descriptor" on stderr
# (a traceback after a clean `plan`). Closing them at exit, while their sockets are still open,
# avoids that; they cannot be closed earlier because the same threads serve the next run.
_WORKER_LOOPS: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
_CLOSE_AT_EXIT = threading.Lock()
_close_registered = False


def _remember_worker_loop() -> None:
    if threading.current_thread() is threading.main_thread():
        return  # the main loop is the program's own
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return
    _WORKER_LOOPS.add(loop)


def _close_worker_loops() -> None:
    for loop in list(_WORKER_LOOPS):
        if not loop.is_running() and not loop.is_closed():
            loop.close()


def _close_worker_loops_at_exit() -> None:
    global _close_registered
    with _CLOSE_AT_EXIT:
        if not _close_registered:
            atexit.register(_close_worker_loops)
            _close_registered = True


@dataclass(frozen=True)
class MockRun:
    monitor: RecordingMonitor
    mocks: BaselineMocks
    outputs: dict[str, Any]
    result: Any

    def registrations(self) -> list[Registration]:
        return self.monitor.ordered()

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.monitor.ordered() if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.by_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {type_} {name or ''}, found {[r.name for r in found]}")
        return found[0]


def run_with_mocks(
    program: Callable[[], Any],
    *,
    stack: str = "test",
    project: str = "baseline",
    preview: bool = True,
    config: Mapping[str, str] | None = None,
    mocks: BaselineMocks | None = None,
) -> MockRun:
    """Run `program` (creating resources, possibly exporting) under the mock engine.

    Runs in a copy of the current context: Pulumi keeps its globals (root stack, config,
    settings) in context variables, so nothing leaks from one run into the next.
    """
    _close_worker_loops_at_exit()
    return contextvars.copy_context().run(
        _run, program, stack, project, preview, config or {}, mocks or BaselineMocks()
    )


def _run(
    program: Callable[[], Any],
    stack: str,
    project: str,
    preview: bool,
    config: Mapping[str, str],
    mocks: BaselineMocks,
) -> MockRun:
    from pulumi.runtime.settings import get_root_resource, reset_options
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    monitor = RecordingMonitor(mocks)
    reset_options(project=project, stack=stack, preview=preview)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(dict(config))
    outputs: dict[str, Any] = {}
    holder: list[Any] = []

    async def body() -> None:
        holder.append(program())
        exported = dict(getattr(get_root_resource(), "outputs", {}))
        outputs.update(await pulumi.Output.from_input(exported).future() or {})

    _sync_await(run_pulumi_func(body))
    return MockRun(monitor, mocks, outputs, holder[0] if holder else None)
