"""Provider arguments of the password rules RAM's and IAM's password policies share.

`alicloud.ram.PasswordPolicy` and `aws.iam.AccountPasswordPolicy` spell these eight arguments
alike, so one mapping serves both and the two clouds cannot drift apart in what a rule means.
"""

from __future__ import annotations

from typing import Any

from components.settings import PasswordRules


def password_rule_args(rules: PasswordRules) -> dict[str, Any]:
    return {
        "minimum_password_length": rules.minimum_length,
        "require_lowercase_characters": rules.require_lowercase,
        "require_uppercase_characters": rules.require_uppercase,
        "require_numbers": rules.require_numbers,
        "require_symbols": rules.require_symbols,
        "max_password_age": rules.max_password_age_days,
        "password_reuse_prevention": rules.reuse_prevention,
        "hard_expiry": rules.hard_expiry,
    }
