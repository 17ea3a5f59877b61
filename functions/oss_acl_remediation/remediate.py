"""Reading and fixing a bucket's ACL with oss2, on the bucket's region endpoint, with STS credentials."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import oss2

from functions.common import cloud_errors
from functions.common.credentials import Credentials
from functions.common.env import Endpoint
from functions.common.retry import Deadline, RetryPolicy, call_with_retry

PRIVATE = oss2.BUCKET_ACL_PRIVATE
T = TypeVar("T")


class BucketGone(LookupError):
    """NoSuchBucket: deleted since Config evaluated it; nothing is left to remediate."""


def region_endpoint(region: str, override: Endpoint | None) -> str:
    if override is not None:
        return override.url
    return f"https://oss-{region}.aliyuncs.com"


class BucketAcl:
    def __init__(
        self,
        creds: Credentials,
        bucket: str,
        region: str,
        *,
        endpoint: Endpoint | None,
        timeout: float,
        retry: RetryPolicy,
        deadline: Deadline,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        # The FC python3.10 runtime ships oss2 2.16.0 (functions/requirements.txt pins the same for
        # the tests). Its package exports ProviderAuthV2 as the newest signer: `oss2.ProviderAuthV4`
        # does not exist there (2.16.0 only has an unexported draft in oss2.auth). The STS token
        # travels as x-oss-security-token.
        provider = oss2.StaticCredentialsProvider(
            creds.access_key_id, creds.access_key_secret, creds.security_token
        )
        self._bucket = oss2.Bucket(
            oss2.ProviderAuthV2(provider),
            region_endpoint(region, endpoint),
            bucket,
            connect_timeout=timeout,
            region=region,
        )
        self._timeout = timeout
        self._retry = retry
        self._deadline = deadline
        self._sleep = sleep
        self._rng = rng

    def read(self) -> str:
        return self._with_retry(lambda: str(self._bucket.get_bucket_acl().acl))

    def make_private(self) -> None:
        self._with_retry(lambda: self._bucket.put_bucket_acl(PRIVATE))

    def _with_retry(self, fn: Callable[[], T]) -> T:
        def attempt(time_left: float) -> T:
            # oss2 applies one timeout to connect and read; cap it by the time left.
            self._bucket.timeout = max(0.05, min(self._timeout, time_left))
            try:
                return fn()
            except oss2.exceptions.NoSuchBucket as exc:
                raise BucketGone(str(exc.message)) from None

        return call_with_retry(
            attempt,
            policy=self._retry,
            deadline=self._deadline,
            retryable=cloud_errors.is_retryable,
            sleep=self._sleep,
            rng=self._rng,
        )
