"""The entry shell both functions share: settings from the environment, one result contract,
and a handler that never raises.

FC entry points call `run(event, context, load, handle)`: `load` reads the function's settings
from the environment (a bad variable is a `SettingsError` naming it), `handle` does the work
with a `Runtime` (clients, limiters and clock are wired inside it, kept apart from the decision
code). Whatever happens, the result is a JSON object with `status`; a failure is
`{"status": "failed", "reason": ...}` in both functions (DESIGN.md "Function contracts"), a
rejected event `{"status": "rejected", "field": ..., "reason": ...}`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from functions.common import logjson
from functions.common.env import SettingsError
from functions.common.runtime import Runtime

S = TypeVar("S")
Handle = Callable[[object, object, Runtime[S]], dict[str, Any]]


def failed(reason: str) -> dict[str, Any]:
    return {"status": "failed", "reason": reason}


def rejected(field: str, reason: str) -> dict[str, Any]:
    return {"status": "rejected", "field": field, "reason": reason}


def run(
    event: object,
    context: object,
    load: Callable[[Mapping[str, str]], S],
    handle: Handle[S],
    log: logging.Logger | None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`log`: where to log a failure; None when the caller writes its own audit line of the result."""
    environ = os.environ if environ is None else environ
    try:
        runtime = Runtime(load(environ), environ=environ)
    except SettingsError as exc:
        if log is not None:
            logjson.log(log, logging.ERROR, "bad_settings", error=str(exc))
        return failed(str(exc))
    return guarded(handle, event, context, runtime, log)


def guarded(
    handle: Handle[S], event: object, context: object, runtime: Runtime[S], log: logging.Logger | None
) -> dict[str, Any]:
    """`handle`, turning anything it raises into a failed result (never an exception to FC,
    which would retry the event and hide the reason)."""
    try:
        return handle(event, context, runtime)
    except Exception as exc:
        reason = f"unexpected {type(exc).__name__}: {exc}"
        if log is not None:
            logjson.log(log, logging.CRITICAL, "unhandled_error", error=reason)
        return failed(reason)
