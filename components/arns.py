"""Alibaba Cloud resource names the components build from names, region and account.

Function ARNs are not built here: both generations take the provider's `function_arn` output
(FC 2.0 `acs:fc:<region>:<uid>:services/<service>.LATEST/functions/<function>`, the form Cloud
Config's CreateConfigRule examples and the provider's rule tests show; FC 3.0
`acs:fc:<region>:<uid>:functions/<function>`). No source read (Config's custom-rule docs, the
provider's acceptance tests) shows Cloud Config invoking an FC 3.0 function for a custom rule;
a stack choosing generation 3 gets the plan advisory `fc3-custom-rule-unconfirmed`.

Formats built here, where the provider has no output:
- MNS topic (Cloud Config delivery target and trigger source):
  `acs:mns:<region>:<account>:/topics/<topic>`.
"""

from __future__ import annotations


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
