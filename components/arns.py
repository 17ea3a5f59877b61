"""Alibaba Cloud resource names the components build from names, region and account.

Formats:
- Cloud Config custom rule source (and RAM resource) of an FC 2.0 function:
  `acs:fc:<region>:<account>:services/<service>.<qualifier>/functions/<function>`. FC 2.0
  authorises an invocation against the service *qualifier* it runs (`LATEST` when the caller
  names none), and Cloud Config's own examples (`CreateConfigRule`, the provider's rule tests)
  and `fc.Function.function_arn` use that form: an ARN without `.LATEST` matches no invocation;
- the same for FC 3.0 (no services, no qualifier): `acs:fc:<region>:<account>:functions/<function>`;
- MNS topic (Cloud Config delivery target and trigger source):
  `acs:mns:<region>:<account>:/topics/<topic>`.
"""

from __future__ import annotations


def fc_function_arn(
    region: str,
    account_id: str,
    function_name: str,
    service_name: str | None = None,
    qualifier: str = "LATEST",
) -> str:
    """`service_name` set means FC 2.0, where functions live inside a (qualified) service."""
    if service_name is None:
        return f"acs:fc:{region}:{account_id}:functions/{function_name}"
    return f"acs:fc:{region}:{account_id}:services/{service_name}.{qualifier}/functions/{function_name}"


def mns_topic_arn(region: str, account_id: str, topic_name: str) -> str:
    return f"acs:mns:{region}:{account_id}:/topics/{topic_name}"


RAM_ROLE_NAME_MAX = 64


def ram_role_name(function_name: str, suffix: str) -> str:
    """RAM role and policy names allow letters, digits, `.` and `-` (FC names may hold `_`).

    A long function name is shortened, never the suffix: the function's role and its trigger's
    invoker role must keep distinct names.
    """
    stem = function_name.replace("_", "-")[: RAM_ROLE_NAME_MAX - len(suffix) - 1]
    return f"{stem}-{suffix}"
