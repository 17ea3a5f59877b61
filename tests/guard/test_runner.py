"""check_plan over hand-written plans: which violations, at which level, blocking or not."""

from __future__ import annotations

from types import MappingProxyType

from policies.guard import GuardConfig, Violation, blocking, check_plan, format_violations

PUBLIC_BUCKET = {
    "urn": "urn:pulumi:dev::baseline::alicloud:oss/bucketAcl:BucketAcl::logs",
    "type": "alicloud:oss/bucketAcl:BucketAcl",
    "name": "logs",
    "parent": None,
    "inputs": {"bucket": "logs", "acl": "public-read"},
}
LONG_SESSION = {
    "urn": "urn:pulumi:dev::baseline::alicloud:ram/securityPreference:SecurityPreference::pref",
    "type": "alicloud:ram/securityPreference:SecurityPreference",
    "name": "pref",
    "parent": None,
    "inputs": {
        "mfaOperationForLogin": "mandatory",
        "loginNetworkMasks": "47.88.0.0/16",
        "loginSessionDuration": 24,
    },
}
UNCHECKED = {
    "urn": "urn:pulumi:dev::baseline::alicloud:ram/role:Role::r",
    "type": "alicloud:ram/role:Role",
    "name": "r",
    "parent": None,
    "inputs": {},
}


def plan(*resources: dict) -> dict:
    return {"stack": "dev", "project": "baseline", "resources": list(resources), "outputs": {}}


def test_violations_carry_policy_level_urn_and_message_in_plan_order():
    violations = check_plan(plan(UNCHECKED, PUBLIC_BUCKET, LONG_SESSION), GuardConfig(stack="dev"))
    assert violations == [
        Violation(
            "oss-bucket-not-public",
            "mandatory",
            PUBLIC_BUCKET["urn"],
            "OSS bucket 'logs' has public ACL 'public-read'",
        ),
        Violation(
            "ram-console-session-duration",
            "advisory",
            LONG_SESSION["urn"],
            "RAM security preference loginSessionDuration is 24 hours, above the limit of 12",
        ),
    ]
    assert [v.policy for v in blocking(violations)] == ["oss-bucket-not-public"]


def test_configured_levels_disable_or_promote_checks():
    config = GuardConfig(
        stack="prod", levels=MappingProxyType({"all": "mandatory", "oss-bucket-not-public": "disabled"})
    )
    violations = check_plan(plan(PUBLIC_BUCKET, LONG_SESSION), config)
    assert [(v.policy, v.level, v.blocking) for v in violations] == [
        ("ram-console-session-duration", "mandatory", True)
    ]


def test_remediate_level_blocks_like_mandatory():
    config = GuardConfig(levels=MappingProxyType({"oss-bucket-not-public": "remediate"}))
    assert [v.blocking for v in check_plan(plan(PUBLIC_BUCKET), config)] == [True]


def test_violation_json_and_text_forms():
    violation = check_plan(plan(PUBLIC_BUCKET), GuardConfig())[0]
    assert violation.to_json() == {
        "policy": "oss-bucket-not-public",
        "level": "mandatory",
        "urn": PUBLIC_BUCKET["urn"],
        "message": "OSS bucket 'logs' has public ACL 'public-read'",
    }
    assert format_violations([violation]) == [
        "[mandatory] oss-bucket-not-public: OSS bucket 'logs' has public ACL 'public-read' "
        f"({PUBLIC_BUCKET['urn']})"
    ]


def test_empty_plan_has_no_violations():
    assert check_plan(plan(), GuardConfig()) == []
