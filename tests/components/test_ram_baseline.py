"""RamSecurityBaseline: the password policy and security preference inputs, exactly."""

from __future__ import annotations

from baseline.mocks import run_with_mocks
from components.ram_baseline import TYPE, RamSecurityBaseline
from components.settings import RamPasswordPolicySettings, RamSecurityPreferenceSettings

POLICY = RamPasswordPolicySettings(
    minimum_length=16,
    max_password_age_days=60,
    reuse_prevention=24,
    max_login_attempts=3,
    hard_expiry=True,
    require_symbols=False,
)


def build(preference):
    return run_with_mocks(
        lambda: RamSecurityBaseline("ram", password_policy=POLICY, security_preference=preference)
    )


def test_password_policy_inputs():
    run = build(RamSecurityPreferenceSettings())
    assert run.one("alicloud:ram/passwordPolicy:PasswordPolicy").inputs == {
        "minimumPasswordLength": 16,
        "requireLowercaseCharacters": True,
        "requireUppercaseCharacters": True,
        "requireNumbers": True,
        "requireSymbols": False,
        "maxPasswordAge": 60,
        "passwordReusePrevention": 24,
        "maxLoginAttemps": 3,
        "hardExpiry": True,
    }


def test_security_preference_uses_the_current_mfa_field_and_joins_masks():
    preference = RamSecurityPreferenceSettings(
        mfa_for_login="mandatory",
        save_mfa_for_7_days=False,
        allow_user_to_manage_access_keys=False,
        login_session_hours=4,
        login_network_masks=("10.0.0.0/8", "192.168.0.0/16"),
    )
    inputs = build(preference).one("alicloud:ram/securityPreference:SecurityPreference").inputs
    assert inputs == {
        "mfaOperationForLogin": "mandatory",
        "enableSaveMfaTicket": False,
        "allowUserToChangePassword": True,
        "allowUserToManageAccessKeys": False,
        "allowUserToManageMfaDevices": True,
        "loginSessionDuration": 4,
        "loginNetworkMasks": "10.0.0.0/8;192.168.0.0/16",
    }
    assert "enforceMfaForLogin" not in inputs  # deprecated by the provider


def test_no_masks_leaves_the_account_masks_untouched():
    inputs = (
        build(RamSecurityPreferenceSettings())
        .one("alicloud:ram/securityPreference:SecurityPreference")
        .inputs
    )
    assert "loginNetworkMasks" not in inputs


def test_children_are_parented_by_the_component():
    run = build(RamSecurityPreferenceSettings())
    component = run.one(TYPE)
    assert [r.parent for r in run.registrations() if r.type != TYPE] == [component.urn, component.urn]


def test_two_instances_do_not_collide():
    def program():
        for name in ("a", "b"):
            RamSecurityBaseline(
                name, password_policy=POLICY, security_preference=RamSecurityPreferenceSettings()
            )

    run = run_with_mocks(program)
    urns = [r.urn for r in run.registrations()]
    assert len(urns) == len(set(urns)) == 6
    assert sorted(r.name for r in run.registrations() if r.type != TYPE) == [
        "a-password-policy",
        "a-security-preference",
        "b-password-policy",
        "b-security-preference",
    ]
