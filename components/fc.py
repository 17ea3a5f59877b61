"""One Function Compute function with its own role (and its MNS topic trigger), for either FC generation.

The function's role is trusted by Function Compute (`policies/documents/ram/fc-trust.json`) and
holds exactly the one policy document its caller names.
Generation 2: `fc.Service` (role, logs) + `fc.Function` (code from the zip's path, with its
CRC-64 as `code_checksum` so a new zip triggers an update) + `fc.Trigger`. These FC 2.0
resources are deprecated by the provider; they are used only when a stack chooses generation 2,
the layout Cloud Config documents for custom rules.
Generation 3: `fc.V3Function` (role, logs, code inline as base64 with its checksum) + `fc.V3Trigger`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_alicloud as alicloud

from components.arns import ram_role_name
from components.packaging import FunctionPackage, PackagingError, require_deployable
from components.roles import ServiceRole, document_json, service_role
from components.settings import FunctionComputeSettings
from policies import documents

HANDLER = "index.handler"
# Triggers invoke the published code; the functions are not versioned, so that is LATEST (FC 2.0
# triggers take no qualifier and invoke LATEST too, hence its place in the FC 2.0 ARN).
QUALIFIER = "LATEST"


@dataclass(frozen=True)
class FunctionSpec:
    function_name: str
    service_name: str  # FC 2.0 only
    description: str
    timeout_seconds: int
    memory_mb: int
    environment: Mapping[str, pulumi.Input[str]]
    vcpus: int | None = None  # FC 3.0 only (None: FC's default for the memory)


@dataclass(frozen=True)
class DeployedFunction:
    generation: int
    function_name: pulumi.Output[str]
    service_name: pulumi.Output[str] | None
    arn: pulumi.Output[str]  # the provider's function_arn: what Cloud Config and the trigger invoke
    role: ServiceRole
    resources: tuple[pulumi.CustomResource, ...]


def check_package(package: FunctionPackage) -> None:
    """Previews may show an unvendored package; a real deployment must not ship one."""
    if pulumi.runtime.is_dry_run():
        if not package.deployable:
            pulumi.log.warn(
                f"function {package.name}: third-party libraries not vendored; "
                "`pulumi up` will refuse to deploy until `make vendor` is run"
            )
        return
    try:
        require_deployable(package)
    except PackagingError as exc:
        # RunError: `pulumi up` prints the instruction alone, not a stack trace of the program.
        raise pulumi.RunError(str(exc)) from exc


def deploy_function(
    resource_name: str,
    *,
    fc: FunctionComputeSettings,
    spec: FunctionSpec,
    package: FunctionPackage,
    policy_document: pulumi.Input[dict[str, Any]],
    role_description: str,
    parent: pulumi.Resource,
) -> DeployedFunction:
    """The function `spec` running `package` under a new role holding `policy_document`."""
    check_package(package)
    role = service_role(
        resource_name,
        role_name=ram_role_name(spec.function_name, "role"),
        trust_document=documents.load("ram/fc-trust.json"),
        policy_document=pulumi.Output.from_input(policy_document).apply(document_json),
        description=role_description,
        parent=parent,
    )
    role_arn = role.arn
    opts = pulumi.ResourceOptions(parent=parent)
    environment = dict(spec.environment)
    if fc.generation == 2:
        if spec.vcpus is not None:
            raise ValueError(f"{resource_name}: FC 2.0 sizes CPU by memory alone, vcpus cannot apply")
        service = alicloud.fc.Service(
            f"{resource_name}-service",
            name=spec.service_name,
            description=spec.description,
            role=role_arn,
            internet_access=True,  # the functions call public RAM, Config and OSS endpoints
            log_config=alicloud.fc.ServiceLogConfigArgs(
                project=fc.log_project, logstore=fc.log_store, enable_request_metrics=True
            )
            if fc.log_project
            else None,
            opts=opts,
        )
        function = alicloud.fc.Function(
            f"{resource_name}-function",
            service=service.name,
            name=spec.function_name,
            description=spec.description,
            handler=HANDLER,
            runtime=fc.runtime,
            filename=str(package.path),
            code_checksum=package.crc64,
            environment_variables=environment,
            timeout=spec.timeout_seconds,
            memory_size=spec.memory_mb,
            opts=opts,
        )
        # The provider's own output: `acs:fc:<region>:<uid>:services/<service>.LATEST/functions/<fn>`
        # (pulumi_alicloud fc.Function.function_arn), the form Cloud Config documents for custom rules.
        resources = (service, function)
        return DeployedFunction(2, function.name, service.name, function.function_arn, role, resources)
    function3 = alicloud.fc.V3Function(
        f"{resource_name}-function",
        function_name=spec.function_name,
        description=spec.description,
        handler=HANDLER,
        runtime=fc.runtime,
        role=role_arn,
        internet_access=True,
        code=alicloud.fc.V3FunctionCodeArgs(
            zip_file=base64.b64encode(package.path.read_bytes()).decode("ascii"),
            checksum=package.crc64,
        ),
        environment_variables=environment,
        timeout=spec.timeout_seconds,
        memory_size=spec.memory_mb,
        cpu=float(spec.vcpus) if spec.vcpus is not None else None,
        log_config=alicloud.fc.V3FunctionLogConfigArgs(
            project=fc.log_project, logstore=fc.log_store, enable_request_metrics=True
        )
        if fc.log_project
        else None,
        opts=opts,
    )
    # The provider's own output (fc.V3Function.function_arn); see components/arns.py for why no source
    # confirms that Cloud Config accepts an FC 3.0 function ARN for a custom rule.
    return DeployedFunction(3, function3.function_name, None, function3.function_arn, role, (function3,))


def mns_trigger_config(retry_strategy: str) -> str:
    # JSON: the handler receives the notification as a JSON document, not a base64 stream.
    return json.dumps({"notifyContentFormat": "JSON", "notifyStrategy": retry_strategy}, sort_keys=True)


def deploy_mns_trigger(
    resource_name: str,
    *,
    function: DeployedFunction,
    trigger_name: str,
    topic_arn: pulumi.Input[str],
    invocation_role_arn: pulumi.Input[str],
    retry_strategy: str,
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource] | None = None,
) -> pulumi.CustomResource:
    opts = pulumi.ResourceOptions(parent=parent, depends_on=depends_on or [])
    if function.generation == 2:
        if function.service_name is None:  # a generation-2 function always has a service
            raise ValueError(f"{resource_name}: FC 2.0 trigger needs the function's service name")
        return alicloud.fc.Trigger(
            resource_name,
            service=function.service_name,
            function=function.function_name,
            name=trigger_name,
            type="mns_topic",
            source_arn=topic_arn,
            role=invocation_role_arn,
            config_mns=mns_trigger_config(retry_strategy),
            opts=opts,
        )
    return alicloud.fc.V3Trigger(
        resource_name,
        function_name=function.function_name,
        qualifier=QUALIFIER,
        trigger_name=trigger_name,
        trigger_type="mns_topic",
        source_arn=topic_arn,
        invocation_role=invocation_role_arn,
        trigger_config=mns_trigger_config(retry_strategy),
        opts=opts,
    )
