"""The error type every input check raises: it names the exact field at fault."""

from __future__ import annotations


class EventError(ValueError):
    """Bad input; `str(e)` is "<field>: <reason>" so logs and reports point at the culprit."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
