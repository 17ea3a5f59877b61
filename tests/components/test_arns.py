"""Resource names the components build where the provider has no output: MNS topic ARNs, RAM role names."""

from __future__ import annotations

from components.arns import mns_topic_arn, ram_role_name


def test_mns_topic_arn_is_the_cloud_config_delivery_form():
    assert mns_topic_arn("ap-southeast-1", "5123456789012345", "MNSTestConfig") == (
        "acs:mns:ap-southeast-1:5123456789012345:/topics/MNSTestConfig"
    )


def test_role_names_replace_underscores_and_keep_their_suffix_when_shortened():
    assert ram_role_name("oss_repair_acl_trigger", "invoker") == "oss-repair-acl-trigger-invoker"
    longest = "f" * 64  # the longest FC function name the settings accept
    role, invoker = ram_role_name(longest, "role"), ram_role_name(longest, "invoker")
    assert role == "f" * 59 + "-role"
    assert invoker == "f" * 56 + "-invoker"
    assert len(role) == len(invoker) == 64
