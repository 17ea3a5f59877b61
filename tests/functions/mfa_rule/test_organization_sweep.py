"""The aggregate rule's sweep: every member account through STS AssumeRole into its reader role.

Real SDK clients (STS, RAM, IMS, Config) over loopback HTTP against the fake cloud serving an
organization snapshot (tests/fixtures/snapshots/organization.json: three members, two with
users and a Custom policy of the same names).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from functions.common.env import Endpoint
from functions.mfa_rule import members, org_sweep, ram_facts
from functions.mfa_rule.handler import ACCOUNT_RESOURCE_TYPE, handle
from tests.fakes import faults
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import TEST_TOKEN, context, load, synthetic_organization
from tests.functions.conftest import Sleeps, rule_runtime

EXTERNAL_ID = "baseline-org-mfa-rule-5123456789012345"
ROLE = "BaselineMfaRuleReader"
ORG = load("snapshots/organization.json")
MEMBERS = tuple(a["accountId"] for a in ORG["accounts"])
FIRST, SECOND, THIRD = MEMBERS


@pytest.fixture(autouse=True)
def _cold_member_caches() -> Iterator[None]:
    members.clear_cache()
    org_sweep.clear_member_policy_caches()
    yield
    members.clear_cache()
    org_sweep.clear_member_policy_caches()


@pytest.fixture
def org() -> Iterator[FakeCloud]:
    with FakeCloud(ORG, expected_token=TEST_TOKEN, external_id=EXTERNAL_ID, member_role=ROLE) as fake:
        yield fake


def org_runtime(cloud: FakeCloud, sleeps: Sleeps | None = None, **overrides: Any):
    values: dict[str, Any] = {
        "members": MEMBERS,
        "member_role_name": ROLE,
        "member_external_id": EXTERNAL_ID,
        "sts_endpoint": Endpoint(cloud.endpoint, "http"),
        "max_accounts_in_flight": 3,
        "account_id": "5123456789012345",
    }
    values.update(overrides)
    return rule_runtime(cloud, sleeps, **values)


def org_event(**invoking: Any) -> str:
    event = load("events/config_scheduled.json")
    event["ruleParameters"]["accountScope"] = "organization"
    event["invokingEvent"].update(invoking)
    return json.dumps(event)


def by_account(evaluations: list[dict[str, Any]]) -> dict[str, dict[str, tuple[str, str, str]]]:
    found: dict[str, dict[str, tuple[str, str, str]]] = {}
    for e in evaluations:
        key = e["complianceResourceId"]
        found.setdefault(str(e["accountId"]), {})[key] = (
            e.get("complianceResourceName", ""),
            e["complianceType"],
            e["annotation"],
        )
    return found


def alone(member: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """The member's evaluations when it is the only account, swept by the single-account rule
    (in a container of its own: the single-account policy cache is keyed without the account)."""
    ram_facts.POLICY_CACHE.clear()
    with FakeCloud(member, expected_token=TEST_TOKEN) as single:
        event = load("events/config_scheduled.json")
        event["invokingEvent"]["accountId"] = member["accountId"]
        result = handle(json.dumps(event), context(account_id=member["accountId"]), rule_runtime(single))
        assert result["status"] == "reported"
        return by_account(single.reported())[member["accountId"]]


def test_an_organization_sweep_reports_each_member_as_that_member_evaluated_alone(org):
    result = handle(org_event(), context(), org_runtime(org))
    assert result["status"] == "reported", result
    assert result["deleteMode"] is True
    reported = by_account(org.reported())
    assert set(reported) == set(MEMBERS)
    for member in ORG["accounts"]:
        assert reported[member["accountId"]] == alone(member)
    assert result["users"] == sum(len(a["users"]) for a in ORG["accounts"])
    assert {a: r["users"] for a, r in result["accounts"].items()} == {
        a["accountId"]: len(a["users"]) for a in ORG["accounts"]
    }
    # Nothing was read from the administrator's own account: its RAM is not a member's.
    assert org.count(service="ram", account="5123456789012345") == 0
    assert org.count("PutEvaluations", account="5123456789012345") >= 1


def test_members_with_the_same_user_and_policy_names_are_kept_apart(org):
    """alice and dave exist in two members; `ops-admin` v3 is a Custom policy of both, with other
    documents: each member's verdict comes from its own account (and its own policy cache)."""
    handle(org_event(), context(), org_runtime(org))
    reported = by_account(org.reported())
    names = {a: {v[0]: v[1] for v in users.values()} for a, users in reported.items()}
    assert names[FIRST]["dave"] == "NON_COMPLIANT" and names[SECOND]["dave"] == "COMPLIANT"
    assert names[FIRST]["alice"] == names[SECOND]["alice"] == "NON_COMPLIANT"
    first_alice = next(v for v in reported[FIRST].values() if v[0] == "alice")
    second_alice = next(v for v in reported[SECOND].values() if v[0] == "alice")
    assert "ops-admin" in first_alice[2] and "AdministratorAccess" in second_alice[2]


def test_each_member_role_is_assumed_once_and_reused_while_its_credentials_last(org):
    runtime = org_runtime(org)
    for _ in range(2):
        assert handle(org_event(), context(), runtime)["status"] == "reported"
    assumed = [c for c in org.calls if c.action == "AssumeRole"]
    assert sorted(c.params["RoleArn"] for c in assumed) == [
        f"acs:ram::{m}:role/{ROLE.lower()}" for m in sorted(MEMBERS)
    ]
    for call in assumed:
        assert call.params["ExternalId"] == EXTERNAL_ID
        assert call.params["DurationSeconds"] == "3600"
        assert 2 <= len(call.params["RoleSessionName"]) <= 32
        assert call.security_token == TEST_TOKEN  # the function role's own token asks
    # Every RAM/IMS read of a member went out under that member's issued token.
    for call in org.calls:
        if call.service in ("ram", "ims"):
            assert call.security_token != TEST_TOKEN
            assert call.security_token.startswith(f"fake-sts-token/{call.account_id}/")


def test_a_member_whose_role_cannot_be_assumed_is_insufficient_data_and_nothing_is_deleted(org):
    org.remove_member_role(SECOND)
    result = handle(org_event(), context(), org_runtime(org))
    assert result["status"] == "partial"
    assert result["deleteMode"] is False
    assert not any(request["DeleteMode"] for request in org.evaluations)
    assert len(result["errors"]) == 1 and SECOND in result["errors"][0]
    assert "EntityNotExist.Role" in result["errors"][0]
    reported = [e for e in org.reported() if e["accountId"] == int(SECOND)]
    assert reported == [
        {
            "complianceResourceId": SECOND,
            "complianceResourceType": ACCOUNT_RESOURCE_TYPE,
            "complianceRegionId": "global",
            "complianceType": "INSUFFICIENT_DATA",
            "annotation": reported[0]["annotation"],
            "orderingTimestamp": 1600614421106,
            "accountId": int(SECOND),
        }
    ]
    assert "EntityNotExist.Role" in reported[0]["annotation"]
    assert result["accounts"][SECOND]["complete"] is False
    # The other members are reported in full, their verdicts unaffected.
    assert set(by_account(org.reported())) == set(MEMBERS)
    assert result["users"] == len(ORG["accounts"][0]["users"]) + len(ORG["accounts"][2]["users"])


def two_members_fit(cloud: FakeCloud):
    """Each member's sweep takes 100 s (the clock jumps at every AssumeRole) and the sweep has
    230 s (a 250 s budget less its 20 s reporting reserve): two members fit, one at a time."""
    base = time.monotonic()
    runtime = org_runtime(cloud, max_accounts_in_flight=1, time_budget_seconds=250.0)
    return dataclasses.replace(
        runtime, clock=lambda: time.monotonic() - base + 100 * cloud.count("AssumeRole")
    )


def at_hour(hour: int) -> str:
    event = json.loads(org_event())
    event["orderingTimestamp"] = hour * 3_600_000 + 1_234
    return json.dumps(event)


def test_a_member_the_time_budget_no_longer_holds_is_not_started_and_is_reported_insufficient(org):
    """The first two members fit; the third would be cut off mid-sweep, so it is not started and
    Config hears why (hour 0: the list's own order)."""
    result = handle(at_hour(0), context(), two_members_fit(org))
    assert result["status"] == "partial" and result["deleteMode"] is False
    assert [c.params["RoleArn"] for c in org.calls if c.action == "AssumeRole"] == [
        f"acs:ram::{m}:role/{ROLE.lower()}" for m in (FIRST, SECOND)
    ]
    assert org.count(account=THIRD) == 0  # not one call spent on it
    assert result["accounts"][FIRST]["complete"] and result["accounts"][SECOND]["complete"]
    [error] = result["errors"]
    assert error.startswith(f"account {THIRD}: not swept: 30 s of the invocation's time budget left")
    assert "longest member sweep so far (100 s)" in error
    [third] = [e for e in org.reported() if e["accountId"] == int(THIRD)]
    assert (third["complianceResourceType"], third["complianceType"]) == (
        ACCOUNT_RESOURCE_TYPE,
        "INSUFFICIENT_DATA",
    )
    assert "not swept" in third["annotation"]
    assert set(by_account(org.reported())) == set(MEMBERS)


def test_each_hour_starts_one_wave_further_so_no_member_is_always_the_one_left_unswept():
    """Three members, one in flight, two fitting per invocation: over three hourly sweeps each
    member is left out once and swept twice (W=2 of every T=3)."""
    unswept = []
    for hour in (6, 7, 8):
        with FakeCloud(ORG, expected_token=TEST_TOKEN, external_id=EXTERNAL_ID, member_role=ROLE) as fake:
            members.clear_cache()
            result = handle(at_hour(hour), context(), two_members_fit(fake))
            assert result["status"] == "partial"
            unswept.append([a for a, r in result["accounts"].items() if "not swept" in r.get("error", "")])
            swept = [c.params["RoleArn"].split(":")[3] for c in fake.calls if c.action == "AssumeRole"]
            assert len(swept) == 2 and unswept[-1][0] not in swept
    assert unswept == [[THIRD], [FIRST], [SECOND]]


def test_a_wrong_external_id_is_refused_by_the_roles_trust(org):
    result = handle(org_event(), context(), org_runtime(org, member_external_id="another-deployment"))
    assert result["status"] == "failed" or result["status"] == "partial"
    assert result["users"] == 0 and result["deleteMode"] is False
    assert all("NoPermission" in error for error in result["errors"])
    assert {e["complianceType"] for e in org.reported()} == {"INSUFFICIENT_DATA"}
    assert {str(e["accountId"]) for e in org.reported()} == set(MEMBERS)


def test_an_event_naming_one_member_sweeps_only_that_member(org):
    """Config may invoke the aggregate rule once per member, naming it in invokingEvent.accountId."""
    result = handle(org_event(accountId=int(THIRD)), context(), org_runtime(org))
    assert result["status"] == "reported"
    assert set(by_account(org.reported())) == {THIRD}
    assert [c.params["RoleArn"] for c in org.calls if c.action == "AssumeRole"] == [
        f"acs:ram::{THIRD}:role/{ROLE.lower()}"
    ]


def test_a_change_notification_of_a_members_user_is_read_through_that_members_role(org):
    user = ORG["accounts"][1]["users"][3]  # dave of the second member: COMPLIANT there only
    event = load("events/config_change.json")
    event["ruleParameters"]["accountScope"] = "organization"
    item = event["invokingEvent"]["configurationItem"]
    item.update(accountId=int(SECOND), resourceId=user["userId"], resourceName="dave")
    item["configuration"] = json.dumps({"UserName": "dave", "UserId": user["userId"]})
    result = handle(json.dumps(event), context(), org_runtime(org))
    assert result["status"] == "reported"
    [evaluation] = org.reported()
    assert evaluation["complianceType"] == "COMPLIANT" and evaluation["accountId"] == int(SECOND)
    assert org.count(service="ram", account=SECOND) > 0
    assert org.count(service="ram", account=FIRST) == 0


def test_the_aggregate_rule_without_member_accounts_is_rejected_not_run_on_the_own_account(org):
    result = handle(org_event(), context(), org_runtime(org, members=()))
    assert result["status"] == "rejected" and result["field"] == "ruleParameters.accountScope"
    assert org.calls == []


def test_a_throttled_member_is_reported_incomplete_without_holding_back_the_others(org):
    org.break_("ram", faults.THROTTLE, account=THIRD)
    result = handle(org_event(), context(), org_runtime(org, sleeps=None))
    assert result["status"] == "partial" and result["deleteMode"] is False
    assert [e for e in result["errors"] if THIRD in e] and not [e for e in result["errors"] if THIRD not in e]
    assert result["accounts"][FIRST]["complete"] and result["accounts"][SECOND]["complete"]
    assert set(by_account(org.reported())) == {FIRST, SECOND}


def test_each_member_has_its_own_limiters_so_the_organization_outpaces_one_accounts_quota():
    """RAM's quota is per API and per account. With 3 members of 12 Custom policies each, the fake
    allowing 10 calls/s per API per account and the function pacing at 8/s (burst 2) per member,
    no call is throttled, and the members together exceed what one account's limiter would let
    through: a limiter shared across accounts would need (36 - 2) / 8 s for GetPolicy alone."""
    snapshot = synthetic_organization(3, users=6, policies=12)
    ids = tuple(a["accountId"] for a in snapshot["accounts"])
    with FakeCloud(
        snapshot, expected_token=TEST_TOKEN, external_id=EXTERNAL_ID, quota_per_second=10
    ) as fake:
        runtime = org_runtime(
            fake, members=ids, rps_per_api=8.0, max_concurrency=2, sleeps=None
        )
        # Real sleeps, so the limiters really pace (their waits are 1/8 s); the credential report's
        # 1 s poll is shortened, as it only waits for the fake.
        runtime = type(runtime)(runtime.settings, sleep=lambda s: time.sleep(min(s, 0.15)))
        started = time.perf_counter()
        result = handle(org_event(), context(), runtime)
        wall = time.perf_counter() - started
        assert result["status"] == "reported", result
        assert fake.throttled == 0
        per_account = [fake.count("GetPolicy", account=a) for a in ids]
        assert min(per_account) >= 10
        assert wall < (sum(per_account) - 2) / 8.0


@pytest.mark.parametrize(
    ("accounts", "wave", "period_hours"),
    [(7, 2, 1), (6, 2, 3), (9, 3, 3), (24, 8, 24), (5, 8, 1), (1, 1, 6)],
)
def test_every_member_reaches_the_first_wave_within_as_many_sweeps_as_the_list_has_waves(
    accounts, wave, period_hours
):
    """Consecutive scheduled sweeps, `period_hours` apart, start one wave further each time,
    whatever the period (an hourly count would stand still at Three_Hours over three waves)."""
    ids = [f"m{i}" for i in range(accounts)]
    waves = -(-accounts // wave)
    first_waves = set()
    for sweep in range(waves):
        ordered = org_sweep.rotation(ids, (100 + sweep * period_hours) * 3_600_000 + 5, wave, period_hours)
        assert sorted(ordered) == sorted(ids)  # every member, once
        first_waves.update(ordered[:wave])
    assert first_waves == set(ids)
    assert org_sweep.rotation([], 0, 8) == ()
