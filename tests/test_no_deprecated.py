"""No deprecated provider resource or field in any stack's plan, except FC 2.0 when a stack picks it.

What is deprecated is read from the installed provider SDKs themselves, so a provider upgrade
that deprecates something we use fails here, and so does a change that brings an old field back:
- a field: its `<Resource>Args.__init__` warns when the argument is given;
- a resource: its documentation carries the provider's `**DEPRECATED:**` banner.
"""

from __future__ import annotations

import importlib
import inspect
import re
from functools import cache

import pytest

from baseline.plan import build_plan, stack_names

# FC 2.0 is deprecated by the provider; DESIGN.md lets a stack choose it (generation 2).
FC2_TYPES = {"alicloud:fc/service:Service", "alicloud:fc/function:Function", "alicloud:fc/trigger:Trigger"}
_WARNED_ARGUMENT = re.compile(r"if (\w+) is not None:\s*\n\s*warnings\.warn\(")


def _resource_class(type_token: str) -> type:
    package, module_path, name = type_token.split(":")
    if (package, module_path) == ("pulumi", "providers"):
        # An explicit provider (`pulumi:providers:alicloud`) is the package's `Provider` class.
        return importlib.import_module(f"pulumi_{name}").Provider
    module = importlib.import_module(f"pulumi_{package}.{module_path.split('/')[0]}")
    return getattr(module, name)


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


@cache
def deprecated_fields(type_token: str) -> frozenset[str]:
    cls = _resource_class(type_token)
    args = getattr(inspect.getmodule(cls), f"{cls.__name__}Args")
    return frozenset(_camel(n) for n in _WARNED_ARGUMENT.findall(inspect.getsource(args.__init__)))


@cache
def resource_is_deprecated(type_token: str) -> bool:
    return "**DEPRECATED:**" in inspect.getsource(_resource_class(type_token))


def test_the_detectors_see_what_the_provider_deprecates():
    """The readers themselves: known deprecations of the installed providers are found."""
    assert {"enforceMfaForLogin"} <= deprecated_fields("alicloud:ram/securityPreference:SecurityPreference")
    assert {"document", "name"} <= deprecated_fields("alicloud:ram/role:Role")
    assert {"sourceMaximumExecutionFrequency"} <= deprecated_fields("alicloud:cfg/rule:Rule")
    assert resource_is_deprecated("alicloud:fc/service:Service")
    assert not resource_is_deprecated("alicloud:fc/v3Function:V3Function")


@pytest.mark.parametrize("stack", stack_names())
def test_stack_plan_uses_no_deprecated_resource_or_field(stack):
    plan = build_plan(stack)
    generation = plan["outputs"]["fcGeneration"]
    findings = []
    for resource in plan["resources"]:
        token = resource["type"]
        if token.startswith("baseline:"):
            continue
        if resource_is_deprecated(token) and not (generation == 2 and token in FC2_TYPES):
            findings.append(f"{resource['name']}: resource {token} is deprecated")
        findings += [
            f"{resource['name']}: field {field} of {token} is deprecated"
            for field in sorted(deprecated_fields(token) & set(resource["inputs"]))
        ]
    assert findings == []
