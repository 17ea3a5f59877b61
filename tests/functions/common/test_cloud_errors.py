"""Classifying the real SDK exceptions: what is retried, what is final."""

from __future__ import annotations

import oss2
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext

from functions.common.cloud_errors import describe, explain, is_retryable
from functions.common.retry import DeadlineExceeded, RetriesExhausted


def test_throttling_answer_is_retryable():
    exc = ClientException(
        status_code=400, code="Throttling.User", message="code: 400, flow control request id: R1"
    )
    failure = describe(exc)
    assert (failure.kind, failure.code, failure.status) == ("throttled", "Throttling.User", 400)
    assert str(failure) == "HTTP 400 Throttling.User: flow control (request id R1)"
    assert is_retryable(exc)


def test_server_errors_are_retryable_client_errors_are_not():
    assert is_retryable(ServerException(status_code=503, code="ServiceUnavailable", message="x"))
    assert is_retryable(ServerException(status_code=500, code="InternalError", message="x"))
    assert not is_retryable(ClientException(status_code=404, code="EntityNotExist.User", message="x"))
    assert not is_retryable(ClientException(status_code=403, code="NoPermission", message="x"))


def test_transport_failures_wrapped_by_tea_are_retryable():
    wrapped = UnretryableException(
        RetryPolicyContext(retries_attempted=1, exception=RetryError("Read timed out."))
    )
    failure = describe(wrapped)
    assert (failure.kind, failure.code) == ("network", "RetryError")
    assert is_retryable(wrapped)


def test_oss2_errors_are_classified_by_status():
    network = oss2.exceptions.RequestError(ConnectionResetError("reset"))
    assert describe(network).kind == "network"
    throttled = oss2.exceptions.ServerError(503, {}, b"", {"Code": "ServiceUnavailable", "Message": "busy"})
    assert is_retryable(throttled)
    denied = oss2.exceptions.ServerError(403, {}, b"", {"Code": "AccessDenied", "Message": "no"})
    assert describe(denied).code == "AccessDenied" and not is_retryable(denied)


def test_explain_names_the_call_and_the_final_cause():
    busy = ServerException(
        status_code=503, code="ServiceUnavailable", message="code: 503, busy request id: R9"
    )
    assert explain("GetPolicy", RetriesExhausted(4, busy)) == (
        "GetPolicy failed after 4 attempts: HTTP 503 ServiceUnavailable: busy (request id R9)"
    )
    assert explain("ListUsers", DeadlineExceeded("time budget exhausted after 2 attempts")) == (
        "ListUsers: time budget exhausted after 2 attempts"
    )
    denied = ClientException(status_code=403, code="NoPermission", message="no")
    assert explain("GetUserMFAInfo", denied) == "GetUserMFAInfo failed: HTTP 403 NoPermission: no"
