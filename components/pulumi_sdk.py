"""The Pulumi SDK internals this project relies on, in one place.

`pulumi` has no public API for running a program in-process under mocks and reading back what it
registered, nor for listing every config value a program was given; `plan`, the tests and the
settings loader need both. These are the private or undocumented pieces used (written against
pulumi 3.272; requirements.txt allows ~=3.200), each behind one function here so that an SDK
upgrade has one module to fix, and `tests/test_pulumi_sdk_upgrade.py` fails first, naming the
piece that moved:

- `pulumi.runtime.sync_await._sync_await`, `pulumi.runtime.stack.run_pulumi_func`: run a program
  body to completion (what `pulumi.runtime.test` wraps, without its decorator);
- `pulumi.runtime.settings.reset_options`, `get_root_resource`: a fresh project/stack per run, and
  the stack's exported outputs;
- `pulumi.runtime.mocks.MockMonitor`: the mock engine, subclassed to record each `Invoke` and
  `RegisterResource` request; `pulumi.runtime.rpc.deserialize_properties` reads their inputs;
- `pulumi.runtime.config`: `CONFIG` (config set in-process), `get_config_env` and
  `get_config_secret_keys_env` (what the engine passes), `is_config_secret`.

Imports are lazy where the caller may run without the engine (the loader, under `plan`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

__all__ = [
    "MockMonitor",
    "config_values",
    "deserialize_properties",
    "root_outputs",
    "run_mocked",
    "secret_config_keys",
]


def config_values() -> dict[str, Any]:
    """Every config value the running program was given: the engine's (PULUMI_CONFIG) and any
    set in-process (`set_all_config`, which the mocks use), the latter winning."""
    from pulumi.runtime import config as runtime_config

    values: dict[str, Any] = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    return values


def secret_config_keys(keys: Mapping[str, Any] | set[str]) -> set[str]:
    """Which config keys Pulumi holds as secrets (of `keys`, plus those the engine names)."""
    from pulumi.runtime import config as runtime_config

    secret = {k for k in keys if runtime_config.is_config_secret(k)}
    secret.update(runtime_config.get_config_secret_keys_env())
    return secret


def deserialize_properties(struct: Any) -> dict[str, Any]:
    """The inputs of a `RegisterResource` / `Invoke` request as plain Python values."""
    from pulumi.runtime import rpc

    return dict(rpc.deserialize_properties(struct))


def root_outputs() -> dict[str, Any]:
    """What the running program exported (`pulumi.export`), as Inputs."""
    from pulumi.runtime.settings import get_root_resource

    return dict(getattr(get_root_resource(), "outputs", {}))


def run_mocked(
    body: Callable[[], Awaitable[None]],
    *,
    mocks: pulumi.runtime.Mocks,
    monitor: MockMonitor,
    project: str,
    stack: str,
    preview: bool,
    config: Mapping[str, str],
) -> None:
    """Run `body` as a Pulumi program under `mocks`, answered through `monitor`, with `config`.
    Options and config are reset first: call it in a fresh `contextvars` context."""
    from pulumi.runtime.settings import reset_options
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    reset_options(project=project, stack=stack, preview=preview)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(dict(config))
    _sync_await(run_pulumi_func(body))
