"""`python -m baseline plan --stack NAME [--json]`: what `pulumi up --stack NAME` would provision.

Runs the Pulumi program offline against the mock engine (see baseline.plan), then the guardrail
checks of `policies/guard` with the stack's pack config (the same checks `pulumi preview
--policy-pack policies/guard` runs). Prints a tree (type, name, key inputs) and the violations, or,
with `--json`, the plan contract plus a `violations` list. Exit 1 with one `<key>: <reason>` line
per problem on stderr when the stack config is invalid, or when a mandatory check fails; exit 2
for an unknown stack.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from baseline.cli import EXIT_FINDING, EXIT_OK, UsageError

# Inputs worth a glance in the tree, per resource type (the JSON has them all).
KEY_INPUTS: dict[str, tuple[str, ...]] = {
    "alicloud:ram/role:Role": ("roleName",),
    "alicloud:ram/policy:Policy": ("policyName",),
    "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment": ("roleName", "policyName"),
    "alicloud:fc/service:Service": ("name", "role"),
    "alicloud:fc/function:Function": (
        "service",
        "name",
        "runtime",
        "handler",
        "timeout",
        "memorySize",
        "environmentVariables",
    ),
    "alicloud:fc/v3Function:V3Function": (
        "functionName",
        "runtime",
        "handler",
        "timeout",
        "memorySize",
        "role",
        "environmentVariables",
    ),
    "alicloud:fc/trigger:Trigger": ("name", "type", "sourceArn", "role", "configMns"),
    "alicloud:fc/v3Trigger:V3Trigger": (
        "triggerName",
        "triggerType",
        "sourceArn",
        "invocationRole",
        "triggerConfig",
    ),
    "alicloud:message/serviceTopic:ServiceTopic": ("topicName",),
    "alicloud:resourcemanager/serviceLinkedRole:ServiceLinkedRole": ("serviceName",),
    "alicloud:cfg/rule:Rule": (
        "ruleName",
        "sourceOwner",
        "sourceIdentifier",
        "inputParameters",
        "configRuleTriggerTypes",
        "maximumExecutionFrequency",
        "resourceTypesScopes",
    ),
    "alicloud:cfg/delivery:Delivery": (
        "deliveryChannelType",
        "deliveryChannelTargetArn",
        "nonCompliantNotification",
    ),
    "alicloud:ram/passwordPolicy:PasswordPolicy": (
        "minimumPasswordLength",
        "maxPasswordAge",
        "passwordReusePrevention",
        "maxLoginAttemps",
        "hardExpiry",
    ),
    "alicloud:ram/securityPreference:SecurityPreference": (
        "mfaOperationForLogin",
        "enableSaveMfaTicket",
        "loginSessionDuration",
        "loginNetworkMasks",
    ),
    "aws:iam/group:Group": ("name",),
    "aws:iam/policy:Policy": ("name",),
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": ("group", "policyArn"),
    "aws:iam/groupMembership:GroupMembership": ("group", "users"),
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": (
        "minimumPasswordLength",
        "maxPasswordAge",
        "passwordReusePrevention",
        "hardExpiry",
    ),
}


def register(subparsers: Any) -> None:
    from baseline.plan import STACKS_DIR

    parser = subparsers.add_parser(
        "plan",
        help="show what `pulumi up --stack NAME` would provision (offline)",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--stack", required=True, help="stack name: stacks/Pulumi.<NAME>.yaml")
    parser.add_argument("--json", action="store_true", help="print the plan contract as JSON")
    parser.add_argument("--stacks-dir", type=Path, default=STACKS_DIR, help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from baseline.plan import UnknownStackError, build_plan
    from components.packaging import PackagingError
    from components.settings import SettingsError
    from policies.guard import GuardConfigError, blocking, check_plan, format_violations, load_guard_config

    try:
        plan = build_plan(args.stack, stacks_dir=args.stacks_dir)
    except UnknownStackError as exc:
        raise UsageError(str(exc)) from exc
    except SettingsError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_FINDING
    except PackagingError as exc:
        print(f"packaging: {exc}", file=sys.stderr)
        return EXIT_FINDING
    try:
        violations = check_plan(plan, load_guard_config(args.stack))
    except GuardConfigError as exc:
        print(f"guard config: {exc}", file=sys.stderr)
        return EXIT_FINDING
    if args.json:
        document = {**plan, "violations": [violation.to_json() for violation in violations]}
        print(json.dumps(document, indent=2, sort_keys=True))
    else:
        print(render_tree(plan))
        for line in format_violations(violations):
            print(line)
    return EXIT_FINDING if blocking(violations) else EXIT_OK


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def render_tree(plan: dict[str, Any]) -> str:
    resources = plan["resources"]
    children: dict[str | None, list[dict[str, Any]]] = {}
    urns = {r["urn"] for r in resources}
    for resource in resources:
        parent = resource["parent"] if resource["parent"] in urns else None
        children.setdefault(parent, []).append(resource)
    lines = [f"stack {plan['stack']} (project {plan['project']}): {len(resources)} resources"]

    def walk(parent: str | None, indent: str) -> None:
        siblings = children.get(parent, [])
        for index, resource in enumerate(siblings):
            last = index == len(siblings) - 1
            lines.append(f"{indent}{'└─' if last else '├─'} {resource['type']}  {resource['name']}")
            detail = indent + ("   " if last else "│  ")
            for key in KEY_INPUTS.get(resource["type"], ()):
                if key in resource["inputs"]:
                    lines.append(f"{detail}    {key}: {_value(resource['inputs'][key])}")
            walk(resource["urn"], detail)

    walk(None, "")
    if plan["outputs"]:
        lines.append("outputs:")
        lines.extend(f"  {name}: {_value(value)}" for name, value in sorted(plan["outputs"].items()))
    return "\n".join(lines)
