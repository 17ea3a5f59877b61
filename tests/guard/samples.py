"""Resource inputs the guard tests share: engine (camelCase) props that pass, and ways to break them."""

from __future__ import annotations

import json

# The default floor exactly: length 14, four character classes, reuse 5, 5 login attempts.
STRICT_PASSWORD = {
    "minimumPasswordLength": 14,
    "requireLowercaseCharacters": True,
    "requireUppercaseCharacters": True,
    "requireNumbers": True,
    "requireSymbols": True,
    "passwordReusePrevention": 5,
    "maxLoginAttemps": 5,
}


def ram_doc(*statements: dict) -> str:
    return json.dumps({"Version": "1", "Statement": list(statements)})


def force_mfa_policy(operator: str, name: str = "force-mfa") -> dict:
    """An AWS force-MFA policy whose Deny tests aws:MultiFactorAuthPresent with `operator`."""
    return {
        "name": name,
        "policy": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AllowManageOwnVirtualMFADevice",
                        "Effect": "Allow",
                        "Action": ["iam:CreateVirtualMFADevice"],
                        "Resource": "arn:aws:iam::*:mfa/*",
                    },
                    {
                        "Sid": "DenyAllExceptListedIfNoMFA",
                        "Effect": "Deny",
                        "NotAction": [
                            "iam:CreateVirtualMFADevice",
                            "iam:EnableMFADevice",
                            "iam:GetUser",
                            "iam:ListMFADevices",
                            "iam:ListVirtualMFADevices",
                            "iam:ResyncMFADevice",
                            "sts:GetSessionToken",
                        ],
                        "Resource": "*",
                        "Condition": {operator: {"aws:MultiFactorAuthPresent": "false"}},
                    },
                ],
            }
        ),
    }
