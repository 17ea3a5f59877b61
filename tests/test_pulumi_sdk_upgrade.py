"""Run this first after upgrading `pulumi`: the SDK internals components/pulumi_sdk.py adapts.

Each piece is checked where it lives, with the parameters the adapter passes, then once for real:
a program run through the adapter registers a resource the monitor sees, exports an output,
and reads the config (and its secret keys) it was given. A failure names the piece that moved;
fix components/pulumi_sdk.py, nothing else.
"""

from __future__ import annotations

import contextvars
import importlib
import inspect
from typing import Any

import pulumi
import pytest

from components import pulumi_sdk

# module, attribute, parameters the adapter passes by name
INTERNALS = [
    ("pulumi.runtime.sync_await", "_sync_await", ()),
    ("pulumi.runtime.stack", "run_pulumi_func", ()),
    ("pulumi.runtime.settings", "reset_options", ("project", "stack", "preview")),
    ("pulumi.runtime.settings", "get_root_resource", ()),
    ("pulumi.runtime.rpc", "deserialize_properties", ()),
    ("pulumi.runtime.mocks", "MockMonitor", ()),
    ("pulumi.runtime.config", "CONFIG", ()),
    ("pulumi.runtime.config", "get_config_env", ()),
    ("pulumi.runtime.config", "get_config_secret_keys_env", ()),
    ("pulumi.runtime.config", "is_config_secret", ()),
    ("pulumi.runtime", "set_mocks", ("project", "stack", "preview", "monitor")),
    ("pulumi.runtime", "set_all_config", ()),
]


@pytest.mark.parametrize(("module", "name", "keywords"), INTERNALS, ids=[f"{m}.{n}" for m, n, _ in INTERNALS])
def test_sdk_upgrade_internal_still_exists_with_the_parameters_the_adapter_passes(module, name, keywords):
    thing = getattr(importlib.import_module(module), name)
    if keywords:
        assert set(keywords) <= set(inspect.signature(thing).parameters)


def test_sdk_upgrade_mock_monitor_still_has_the_methods_the_recorder_overrides():
    for method in ("Invoke", "RegisterResource"):
        assert callable(getattr(pulumi_sdk.MockMonitor, method))
    assert callable(pulumi_sdk.MockMonitor(_Mocks()).RegisterResource)


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


class _Recorder(pulumi_sdk.MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.seen.append((request.type, pulumi_sdk.deserialize_properties(request.object)))
        return response


def test_sdk_upgrade_a_program_runs_through_the_adapter_registering_exporting_and_reading_config(
    monkeypatch,
):
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", '["proj:token"]')
    mocks = _Mocks()
    monitor = _Recorder(mocks)
    seen: dict[str, Any] = {}

    async def body() -> None:
        pulumi.CustomResource("test:index:Thing", "thing", {"size": 3})
        pulumi.export("answer", 42)
        seen["config"] = pulumi_sdk.config_values()
        seen["secret"] = pulumi_sdk.secret_config_keys(seen["config"])
        seen["outputs"] = await pulumi.Output.from_input(pulumi_sdk.root_outputs()).future()

    contextvars.copy_context().run(
        pulumi_sdk.run_mocked,
        body,
        mocks=mocks,
        monitor=monitor,
        project="proj",
        stack="dev",
        preview=True,
        config={"proj:name": "x", "proj:token": "t"},
    )
    assert monitor.seen == [("test:index:Thing", {"size": 3})]
    assert seen["outputs"] == {"answer": 42}
    given = {"proj:name": "x", "proj:token": "t"}
    assert {k: seen["config"][k] for k in given} == given
    assert "proj:token" in seen["secret"] and "proj:name" not in seen["secret"]
