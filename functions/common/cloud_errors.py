"""What went wrong in a cloud SDK call, by duck typing so this module imports no SDK.

tea-openapi raises `ClientException`/`ServerException`/`ThrottlingException` (attributes
`status_code`, `code`) for HTTP errors and `UnretryableException` wrapping a `RetryError`
for connection failures and timeouts; oss2 raises `ServerError` (`status`, `code`) and
`RequestError` (status -2) for network failures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from functions.common.retry import DeadlineExceeded, RetriesExhausted

# Codes Alibaba Cloud returns for transient conditions (throttling answers HTTP 400 `Throttling.User`).
_TEA_MESSAGE = re.compile(r"^code: \d+, (.*) request id: (\S+)$")
_TRANSIENT_CODES = frozenset({"ServiceUnavailable", "InternalError", "ServiceTimeout", "RequestTimeout"})


@dataclass(frozen=True)
class CloudFailure:
    kind: str  # throttled | server | network | client
    code: str
    status: int | None
    message: str

    @property
    def retryable(self) -> bool:
        return self.kind in {"throttled", "server", "network"}

    def __str__(self) -> str:
        status = f"HTTP {self.status} " if self.status else ""
        return f"{status}{self.code}: {self.message}".strip()


def describe(exc: BaseException) -> CloudFailure:
    inner = getattr(exc, "inner_exception", None)
    if inner is not None and type(exc).__name__ == "UnretryableException":
        # tea wraps transport errors (refused, reset, timed out) this way.
        return CloudFailure("network", type(inner).__name__, None, _short(str(inner)))
    status = _status(exc)
    code = str(getattr(exc, "code", "") or type(exc).__name__)
    message = _message(exc)
    if status == -2 or type(exc).__name__ in {"RequestError", "RetryError"}:
        return CloudFailure("network", code, None, message)
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return CloudFailure("network", type(exc).__name__, None, message)
    if code.startswith("Throttling") or status == 429 or type(exc).__name__ == "ThrottlingException":
        return CloudFailure("throttled", code, status, message)
    if code in _TRANSIENT_CODES or (status is not None and status >= 500):
        return CloudFailure("server", code, status, message)
    return CloudFailure("client", code, status, message)


def explain(action: str, exc: BaseException) -> str:
    """One line naming the call and why it finally failed, e.g. for an INSUFFICIENT_DATA annotation."""
    if isinstance(exc, DeadlineExceeded):
        return f"{action}: {exc}"
    if isinstance(exc, RetriesExhausted):
        return f"{action} failed after {exc.attempts} attempts: {describe(exc.last)}"
    return f"{action} failed: {describe(exc)}"


def is_retryable(exc: BaseException) -> bool:
    return describe(exc).retryable


def error_code(exc: BaseException) -> str:
    return describe(exc).code


def _message(exc: BaseException) -> str:
    text = str(getattr(exc, "message", "") or exc)
    # tea formats messages as "code: <status>, <message> request id: <id>"; keep message and id only.
    match = _TEA_MESSAGE.match(" ".join(text.split()))
    if match:
        text = f"{match.group(1)} (request id {match.group(2)})"
    return _short(text)


def _status(exc: BaseException) -> int | None:
    for name in ("status_code", "status"):
        value = getattr(exc, name, None)
        if isinstance(value, int):
            return value
    return None


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
