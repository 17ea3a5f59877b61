"""Alibaba Cloud resource names the components build from names, region and account.

Formats:
- Cloud Config custom rule source (and RAM resource) of an FC 2.0 function:
  `acs:fc:<region>:<account>:services/<service>/functions/<function>`;
- the same for FC 3.0 (no services): `acs:fc:<region>:<account>:functions/<function>`;
- MNS topic (Cloud Config delivery target and trigger source):
  `acs:mns:<region>:<account>:/topics/<topic>`.
"""

from __future__ import annotations


def fc_function_arn(region: str, account_id: str, function_name: str, service_name: str | None = None) -> str:
    """`service_name` set means FC 2.0, where functions live inside a service."""
    if service_name is None:
        return f"acs:fc:{region}:{account_id}:functions/{function_name}"
    return f"acs:fc:{region}:{account_id}:services/{service_name}/functions/{function_name}"


def mns_topic_arn(region: str, account_id: str, topic_name: str) -> str:
    return f"acs:mns:{region}:{account_id}:/topics/{topic_name}"


def ram_role_name(function_name: str, suffix: str) -> str:
    """RAM role and policy names allow letters, digits, `.` and `-` (FC names may hold `_`)."""
    return f"{function_name.replace('_', '-')}-{suffix}"[:64]
