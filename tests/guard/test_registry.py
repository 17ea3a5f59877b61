"""The guard's check registry: one entry per check, in definition order, no silent duplicates."""

from __future__ import annotations

import pytest

from policies.guard import checks
from policies.guard.config import MANDATORY
from policies.guard.registry import register


def test_every_registered_check_is_found_for_each_of_its_resource_types():
    for check in checks.CHECKS:
        for resource_type in check.resource_types:
            assert check in checks.checks_for(resource_type)


def test_checks_run_in_the_order_they_are_defined():
    assert checks.CHECK_NAMES[0] == "function-env-no-credentials"
    assert checks.CHECK_NAMES[-1] == "remediation-dry-run-outside-dev"
    assert len(set(checks.CHECK_NAMES)) == len(checks.CHECK_NAMES)


def test_registering_a_name_twice_is_refused_naming_the_check():
    with pytest.raises(ValueError, match="'oss-bucket-not-public' is registered twice"):
        register("oss-bucket-not-public", "again", MANDATORY, checks.OSS_BUCKET)(lambda t, p, c: [])


def test_a_check_without_resource_types_is_refused():
    with pytest.raises(ValueError, match="'orphan' names no resource type"):
        register("orphan", "applies to nothing", MANDATORY)
