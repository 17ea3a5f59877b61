"""The environment contract: every variable a function reads is set by its component.

Each test builds the component under the mocks, hands the recorded `environmentVariables` to
that function's own settings reader through a mapping that records every name looked up, and
asserts that nothing the reader asked for was missing (so nothing fell back to a silent
default) and that the time budget is below the function timeout. The reader is not listed here:
a variable it starts reading tomorrow is checked the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from baseline.mocks import run_with_mocks
from components.mfa_rule import MfaComplianceRule
from components.remediation import NonComplianceRemediation
from functions.mfa_rule import settings as rule_settings
from functions.oss_acl_remediation import settings as remediation_settings
from tests.components.support import FC3, REGION, REMEDIATION, RULE

# Loopback endpoint overrides exist for the tests' fake cloud only (DESIGN.md "Function
# contracts"); FC_REGION / ALIBABA_CLOUD_REGION are set by the FC runtime itself.
NOT_THE_COMPONENTS = {"RAM_ENDPOINT", "IMS_ENDPOINT", "STS_ENDPOINT", "CONFIG_ENDPOINT", "OSS_ENDPOINT",
                      "FC_REGION", "ALIBABA_CLOUD_REGION"}


class Recording(Mapping[str, str]):
    """A read-only environment that remembers every name the reader asked for."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        return self._values[name]

    def get(self, name: str, default=None):  # type: ignore[override]
        self.asked.add(name)
        return self._values.get(name, default)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.asked.add(name)
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _environment(run, function_type: str) -> dict[str, str]:
    return run.one(function_type).inputs["environmentVariables"]


def test_rule_function_reads_only_what_its_component_sets(rule_package):
    run = run_with_mocks(
        lambda: MfaComplianceRule("mfa", region=REGION, fc=FC3, rule=RULE, package=rule_package)
    )
    function = run.one("alicloud:fc/v3Function:V3Function").inputs
    env = Recording(function["environmentVariables"])
    settings = rule_settings.from_env(env)
    assert env.asked, "the reader read nothing: the recording does not see its lookups"
    assert env.asked - NOT_THE_COMPONENTS <= set(function["environmentVariables"])
    assert settings.time_budget_seconds == RULE.time_budget_seconds < function["timeout"]


def test_rule_function_of_an_organization_reads_only_what_its_component_sets(rule_package):
    from components.settings import OrganizationSettings

    organization = OrganizationSettings(members=("1713220985230001",), external_id="org-mfa-1")
    run = run_with_mocks(
        lambda: MfaComplianceRule(
            "mfa", region=REGION, fc=FC3, rule=RULE, package=rule_package, organization=organization
        )
    )
    function = run.one("alicloud:fc/v3Function:V3Function").inputs
    env = Recording(function["environmentVariables"])
    settings = rule_settings.from_env(env)
    organization_names = {
        "MEMBER_ACCOUNTS", "MEMBER_ROLE_NAME", "MEMBER_EXTERNAL_ID", "ORG_MAX_ACCOUNTS_IN_FLIGHT"
    }
    assert organization_names <= env.asked
    assert env.asked - NOT_THE_COMPONENTS <= set(function["environmentVariables"])
    assert settings.members == organization.members
    assert settings.max_accounts_in_flight == organization.max_accounts_in_flight


def test_remediation_function_reads_only_what_its_component_sets(remediation_package):
    run = run_with_mocks(
        lambda: NonComplianceRemediation("fix", region=REGION, fc=FC3, remediation=REMEDIATION,
                                         package=remediation_package)
    )
    function = run.one("alicloud:fc/v3Function:V3Function").inputs
    env = Recording(function["environmentVariables"])
    settings = remediation_settings.from_env(env)
    assert env.asked - NOT_THE_COMPONENTS <= set(function["environmentVariables"])
    assert {"TIME_BUDGET_SECONDS", "ACCOUNT_ID", "EXEMPT_BUCKETS"} <= env.asked
    assert settings.time_budget_seconds == REMEDIATION.time_budget_seconds < function["timeout"]
    assert settings.account_id == function["environmentVariables"]["ACCOUNT_ID"]
