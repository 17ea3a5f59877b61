"""Faults the fake cloud can inject, per action, in the shapes the real services produce."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    kind: str  # "error" | "latency" | "hang" | "reset" | "lost_reply"
    status: int = 0
    code: str = ""
    message: str = ""
    seconds: float = 0.0


# What RAM/Config answer when the caller exceeds its flow control: HTTP 400 with this code.
THROTTLE = Fault("error", 400, "Throttling.User", "Request was denied due to user flow control.")
UNAVAILABLE = Fault(
    "error", 503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."
)
INTERNAL = Fault(
    "error", 500, "InternalError", "The request processing has failed due to some unknown error."
)
# The TCP connection is reset without any HTTP response.
RESET = Fault("reset")


def error(status: int, code: str, message: str = "injected") -> Fault:
    return Fault("error", status, code, message)


def latency(seconds: float) -> Fault:
    """Answer normally after `seconds`."""
    return Fault("latency", seconds=seconds)


def hang(seconds: float) -> Fault:
    """Say nothing for `seconds` (longer than the client's read timeout), then drop the connection."""
    return Fault("hang", seconds=seconds)


def lost_reply() -> Fault:
    """Handle the call (its effect happens, e.g. evaluations are stored), then reset the
    connection instead of answering: the caller cannot know it succeeded."""
    return Fault("lost_reply")
