"""The function role's STS credentials, from the invocation context or the runtime's environment.

FC's python3.10 runtime passes them as `context.credentials` (access_key_id,
access_key_secret, security_token); the python3.12 runtime sets
ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN instead. Only temporary
credentials are accepted: a pair without a security token would be a long-lived
key, which the baseline forbids, so it is refused rather than used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ENV_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"  # noqa: S105 - a variable name, not a secret
ENV_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"  # noqa: S105 - a variable name, not a secret


class CredentialsError(RuntimeError):
    """No usable STS credentials; the message names the missing attribute or variable."""


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    # Kept out of repr so a logged settings object or exception never carries them.
    access_key_secret: str = field(repr=False)
    security_token: str = field(repr=False)


def resolve(context: object | None, environ: Mapping[str, str]) -> Credentials:
    """STS credentials from `context.credentials`, else from the runtime's environment variables."""
    creds = getattr(context, "credentials", None) if context is not None else None
    if creds is not None:
        names = ("access_key_id", "access_key_secret", "security_token")
        values = [_attr(creds, name) for name in names]
        for name, value in zip(names, values, strict=True):
            if not value:
                raise CredentialsError(f"context.credentials.{name}: missing")
        return Credentials(*values)
    values = [environ.get(name, "") for name in (ENV_ID, ENV_SECRET, ENV_TOKEN)]
    for name, value in zip((ENV_ID, ENV_SECRET, ENV_TOKEN), values, strict=True):
        if not value:
            raise CredentialsError(
                f"{name}: missing (and no context.credentials): the role's STS credentials"
            )
    return Credentials(*values)


def _attr(creds: object, name: str) -> str:
    # Some runtimes hand a dict, others an object with attributes (camelCase in older ones).
    if isinstance(creds, Mapping):
        value = creds.get(name) or creds.get(_camel(name))
    else:
        value = getattr(creds, name, None) or getattr(creds, _camel(name), None)
    return value if isinstance(value, str) else ""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
