"""The one error type of the policy language."""

from __future__ import annotations


class PolicyError(ValueError):
    """A policy document (or a value in it) is invalid.

    `str(error)` is `"<path>: <reason>"` where path names the offending element the way a
    reader finds it in the document, e.g. `Statement[2].Effect: expected Allow or Deny`.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
