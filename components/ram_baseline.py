"""`RamSecurityBaseline`: the account-wide RAM password policy and security preference.

Both resources are account singletons: `pulumi destroy` removes them from the stack but
cannot restore what the account had before. Deleting the stack in particular does NOT undo
a security preference (MFA for login, session duration, login masks stay as last set);
change them back explicitly before destroying if that matters.

`login_network_masks` is only sent when masks are configured: an omitted field leaves the
account's current masks untouched rather than clearing them.
"""

from __future__ import annotations

import pulumi
import pulumi_alicloud as alicloud

from components.password_rules import password_rule_args
from components.settings import RamPasswordPolicySettings, RamSecurityPreferenceSettings

TYPE = "baseline:alicloud:RamSecurityBaseline"


class RamSecurityBaseline(pulumi.ComponentResource):
    password_policy: alicloud.ram.PasswordPolicy
    security_preference: alicloud.ram.SecurityPreference

    def __init__(
        self,
        name: str,
        *,
        password_policy: RamPasswordPolicySettings,
        security_preference: RamSecurityPreferenceSettings,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        p = password_policy
        self.password_policy = alicloud.ram.PasswordPolicy(
            f"{name}-password-policy",
            **password_rule_args(p),
            max_login_attemps=p.max_login_attempts,  # the provider's spelling
            opts=child,
        )
        s = security_preference
        self.security_preference = alicloud.ram.SecurityPreference(
            f"{name}-security-preference",
            # mfa_operation_for_login replaces the deprecated enforce_mfa_for_login.
            mfa_operation_for_login=s.mfa_for_login,
            enable_save_mfa_ticket=s.save_mfa_for_7_days,
            allow_user_to_change_password=s.allow_user_to_change_password,
            allow_user_to_manage_access_keys=s.allow_user_to_manage_access_keys,
            allow_user_to_manage_mfa_devices=s.allow_user_to_manage_mfa_devices,
            login_session_duration=s.login_session_hours,
            login_network_masks=";".join(s.login_network_masks) if s.login_network_masks else None,
            opts=child,
        )
        self.register_outputs(
            {
                "minimumPasswordLength": p.minimum_length,
                "mfaForLogin": s.mfa_for_login,
            }
        )
