"""STS credentials come from the invocation context or the runtime environment, never from code."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from functions.common.credentials import Credentials, CredentialsError, resolve

CREDS = SimpleNamespace(access_key_id="STS.id", access_key_secret="not-a-secret", security_token="STS.tok")


def test_python310_runtime_context_credentials_are_used():
    assert resolve(SimpleNamespace(credentials=CREDS), {}) == Credentials("STS.id", "not-a-secret", "STS.tok")


def test_python312_runtime_environment_credentials_are_used_without_context_credentials():
    environ = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.env-id",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-not-a-secret",
        "ALIBABA_CLOUD_SECURITY_TOKEN": "STS.env-tok",
    }
    assert resolve(SimpleNamespace(), environ) == Credentials("STS.env-id", "env-not-a-secret", "STS.env-tok")


def test_a_pair_without_security_token_is_refused_naming_what_is_missing():
    partial = SimpleNamespace(access_key_id="STS.id", access_key_secret="x", security_token="")
    with pytest.raises(CredentialsError, match=r"^context\.credentials\.security_token: missing$"):
        resolve(SimpleNamespace(credentials=partial), {})
    with pytest.raises(CredentialsError, match=r"^ALIBABA_CLOUD_SECURITY_TOKEN: missing"):
        resolve(None, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.a", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "b"})


def test_secret_and_token_never_appear_in_repr():
    text = repr(Credentials("STS.id", "hidden-secret", "hidden-token"))
    assert "hidden" not in text and "STS.id" in text
