"""Recognise access keys and secrets in environment variables, without ever echoing them.

Functions must run on their role's STS credentials; a long-term key in an environment
variable (the seed walk-throughs' `AK`/`SK`) is readable by anyone who can read the
function configuration and never rotates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ALIBABA_KEY_ID = re.compile(r"LTAI[0-9A-Za-z]{12,}")
_AWS_KEY_ID = re.compile(r"(?:AKIA|ASIA)[0-9A-Z]{16}")
# Alibaba Cloud AccessKey secrets: 30 base62 characters.
_ALIBABA_SECRET = re.compile(r"[0-9A-Za-z]{30}")
# AWS secret access keys: 40 characters of base64 alphabet.
_AWS_SECRET = re.compile(r"[0-9A-Za-z/+]{40}")
# `CREDENTIAL_REPORT_*` names settings of RAM's credential report (a report about credentials,
# GenerateCredentialReport/GetCredentialReport), not a credential.
_CREDENTIAL_NAME = re.compile(
    r"access.?key|secret|password|passwd|token|credential(?!.?report)|private.?key|^ak$|^sk$", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """Why an environment variable looks like a credential; `reason` holds no secret text."""

    name: str
    reason: str


def _looks_random(value: str) -> bool:
    # A real secret mixes classes; a 30-letter lowercase word is far more likely a name.
    classes = sum((any(c.isdigit() for c in value), any(c.islower() for c in value),
                   any(c.isupper() for c in value)))
    return classes >= 2


def mask(value: str) -> str:
    """The first four characters (the public key-type prefix) and stars."""
    return value[:4] + "****"


def classify(name: str, value: object) -> Finding | None:
    """The first reason `name=value` looks like a credential, or None."""
    if isinstance(value, str):
        for pattern, label in ((_ALIBABA_KEY_ID, "an Alibaba Cloud access key id"),
                               (_AWS_KEY_ID, "an AWS access key id")):
            found = pattern.search(value)
            if found:
                return Finding(name, f"looks like {label} ({mask(found.group(0))})")
        if _ALIBABA_SECRET.fullmatch(value) and _looks_random(value):
            return Finding(name, "looks like an access key secret (30 characters, masked)")
        if _AWS_SECRET.fullmatch(value) and _looks_random(value):
            return Finding(name, "looks like an AWS secret access key (40 characters, masked)")
    if _CREDENTIAL_NAME.search(name):
        return Finding(name, "is named like a credential")
    return None
