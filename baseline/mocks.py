"""The mock engine for `plan` and the tests: run a program in-process, record every registration.

`run_with_mocks` runs a program under `BaselineMocks` (baseline/mock_outputs.py: what each
resource and invoke answers) through the SDK adapter (components/pulumi_sdk.py);
`RecordingMonitor` keeps each registration as the engine saw it: type, name, parent URN and
inputs (camelCase names), and gives them back in a deterministic order.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import heapq
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from baseline.mock_outputs import BaselineMocks
from components import pulumi_sdk


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


class RecordingMonitor(pulumi_sdk.MockMonitor):
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
                    inputs=pulumi_sdk.deserialize_properties(request.object),
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
    monitor = RecordingMonitor(mocks)
    outputs: dict[str, Any] = {}
    holder: list[Any] = []

    async def body() -> None:
        holder.append(program())
        exported = pulumi_sdk.root_outputs()
        outputs.update(await pulumi.Output.from_input(exported).future() or {})

    pulumi_sdk.run_mocked(
        body, mocks=mocks, monitor=monitor, project=project, stack=stack, preview=preview, config=config
    )
    return MockRun(monitor, mocks, outputs, holder[0] if holder else None)
