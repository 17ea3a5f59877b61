"""Scale of a full scheduled evaluation: our MFA rule function against the seed sample's algorithm.

Synthetic accounts with the same 50 groups and 200 custom policies and 1,000 / 5,000 users (and a
10,000-user sweep) are served by the loopback fake cloud, in its own process, with 5 ms of latency
per call and RAM's quota on (100 requests/s per API; over it, Throttling.User). Both algorithms
use the real SDK clients against it:
- baseline: the seed's algorithm, reimplemented here: sequential; per user ListPoliciesForUser,
  then GetPolicy for every policy (no groups, no cache), exact string matching of actions,
  GetUserMFAInfo when that matching says "at risk". It does not report (which only favours it).
- ours: the deployed handler on a ScheduledNotification, at the deployed defaults: the function
  environment the prod stack's MfaComplianceRule sets (`rule_environment`, read back by the
  function's own settings reader: per-API rate, concurrency, time budget), only the endpoints
  pointed at the fake. No limit is overridden.
The accounts carry the RAM security preference the prod stack itself applies (`mfaForLogin:
mandatory`), as an account it manages does. One more run, printed before the last line, measures
ours at 1,000 users in an account whose login MFA is per user (`independent`, RAM's default): there
every password user without a device needs GetLoginProfile, whose MFABindRequired no bulk source
holds (neither the credential report's columns nor Config's ACS::RAM::User search properties).
At 1,000 users ours runs once more at the first hourly sweep whose report is older than the
deployed freshness limit (at the default 60 min: an hour later; Alibaba regenerates a report only
every four hours, so three hourly sweeps in four read credentials per user); that line is printed
too, and the last line averages the four.

Usage: python benchmarks/rule_scale.py [--users 1000 5000] [--sweep-users 10000] [--latency 0.005]
The last line is `calls_ratio=<seed calls / ours, first size> wall_ratio=<seed wall / ours, first
size> growth=<our calls at the second size / at the first> throttled=<calls the fake throttled>
hourly_calls_ratio=<seed calls / ours averaged over four hourly sweeps> hourly_wall_ratio=<same, wall>`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from alibabacloud_ram20150501 import models as ram  # noqa: E402
from alibabacloud_ram20150501.client import Client as RamClient  # noqa: E402
from alibabacloud_tea_openapi.exceptions import ClientException  # noqa: E402
from alibabacloud_tea_openapi.utils_models import Config  # noqa: E402
from darabonba.runtime import RuntimeOptions  # noqa: E402

from components.mfa_rule import rule_environment  # noqa: E402
from components.settings.loader import load_stack_file  # noqa: E402
from functions.mfa_rule import ram_facts  # noqa: E402
from functions.mfa_rule import settings as rule_settings  # noqa: E402
from functions.mfa_rule.handler import Runtime, handle  # noqa: E402
from tests.fakes.fixtures import TEST_KEY_ID, TEST_SECRET, TEST_TOKEN, context, load, synthetic_account  # noqa: E402
from tests.fakes.process import FakeProcess  # noqa: E402

DANGEROUS = ["ecs:*", "oss:*", "log:*"]
PROD_STACK = ROOT / "stacks" / "Pulumi.prod.yaml"


def seed_baseline(endpoint: str) -> Counter[str]:
    """The seed sample's algorithm (fixed only enough to run): sequential, no groups, no cache."""
    client = RamClient(
        Config(
            access_key_id=TEST_KEY_ID,
            access_key_secret=TEST_SECRET,
            security_token=TEST_TOKEN,
            endpoint=endpoint,
            protocol="http",
        )
    )
    runtime = RuntimeOptions(autoretry=False)

    def call(method: Callable[..., Any], request: Any) -> Any:
        # The seed has no retry; without one it dies at RAM's quota, which a sequential loop at
        # 5 ms a call exceeds on GetPolicy. Its throttled calls are counted apart from ours.
        while True:
            try:
                return method(request, runtime).body
            except ClientException as exc:
                if exc.code != "Throttling.User":
                    raise
                time.sleep(0.05)

    verdicts: Counter[str] = Counter()
    marker = None
    while True:
        page = call(client.list_users_with_options, ram.ListUsersRequest(marker=marker, max_items=100))
        for user in page.users.user:
            policies = call(
                client.list_policies_for_user_with_options,
                ram.ListPoliciesForUserRequest(user_name=user.user_name),
            ).policies.policy
            actions: set[str] = set()
            for pol in policies:
                body = call(
                    client.get_policy_with_options,
                    ram.GetPolicyRequest(policy_name=pol.policy_name, policy_type=pol.policy_type),
                )
                document = json.loads(body.default_policy_version.policy_document)
                for statement in document["Statement"]:
                    if statement["Effect"] == "Allow" and "Action" in statement:
                        action = statement["Action"]
                        actions.update(action if isinstance(action, list) else [action])
            if actions & set(DANGEROUS):  # exact string matching, as in the seed
                try:
                    request = ram.GetUserMFAInfoRequest(user_name=user.user_name)
                    call(client.get_user_mfainfo_with_options, request)
                    verdicts["COMPLIANT"] += 1
                except Exception:  # as in the seed: any error (no device bound) means NON_COMPLIANT
                    verdicts["NON_COMPLIANT"] += 1
            else:
                verdicts["COMPLIANT"] += 1
        if not page.is_truncated:
            return verdicts
        marker = page.marker


def deployed_environment(endpoint: str) -> dict[str, str]:
    """What the prod stack's component sets, with only the endpoints pointed at the fake."""
    rule = load_stack_file(PROD_STACK).compliance_rule
    environment = {k: str(v) for k, v in rule_environment(rule, "5123456789012345").items()}
    # One INFO line per non-compliant user would bury the figures; the work measured is the same.
    environment["LOG_LEVEL"] = "WARNING"
    environment.update(RAM_ENDPOINT=endpoint, IMS_ENDPOINT=endpoint, CONFIG_ENDPOINT=endpoint)
    return environment


def ours(endpoint: str) -> dict[str, Any]:
    ram_facts.POLICY_CACHE.clear()  # a cold container: the first run of the day
    settings = rule_settings.from_env(deployed_environment(endpoint))
    return handle(json.dumps(load("events/config_scheduled.json")), context(), Runtime(settings))


def measure(
    users: int,
    groups: int,
    policies: int,
    latency: float,
    *,
    seed: bool,
    mfa_for_login: str,
    later_seconds: float | None = None,
) -> dict[str, Any]:
    """Seed (optional) and ours on a fresh fake; `later_seconds`: ours once more that much later,
    on the same report (Alibaba regenerates one only every four hours)."""
    account = synthetic_account(users, groups, policies, mfa_for_login=mfa_for_login)
    fake = FakeProcess(account, latency)
    try:
        figures: dict[str, Any] = {"users": users}
        if seed:
            fake.control("reset")
            started = time.perf_counter()
            figures["seed_verdicts"] = seed_baseline(fake.endpoint)
            figures["seed_wall"] = time.perf_counter() - started
            control = fake.control("reset")
            figures["seed_throttled"] = control["throttled"]
            figures["seed_calls"] = _answered(control)
        figures.update(_ours_on(fake))
        if later_seconds is not None:
            fake.control(f"age-reports/{later_seconds:g}")
            figures["later"] = _ours_on(fake)
        return figures
    finally:
        fake.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs=2, default=[1000, 5000])
    parser.add_argument("--sweep-users", type=int, default=10000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--policies", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.005, help="seconds added to every call")
    args = parser.parse_args()
    env = rule_settings.from_env(deployed_environment("127.0.0.1:1"))
    preference = load_stack_file(PROD_STACK).ram_security_preference.mfa_for_login
    print(
        f"deployed defaults (prod stack): RAM_RPS_PER_API={env.rps_per_api:g} "
        f"RAM_MAX_CONCURRENCY={env.max_concurrency} TIME_BUDGET_SECONDS={env.time_budget_seconds:g} "
        f"mfaForLogin={preference}; {args.groups} groups, {args.policies} custom policies; "
        f"fake latency {args.latency * 1000:.0f} ms, RAM quota 100/s per API",
        flush=True,
    )
    # Of the four hourly sweeps a report serves (one every four hours), those where it is still
    # within the freshness limit; the first one after is measured, when there is one.
    max_age = env.credential_report_max_age_seconds
    fresh = sum(1 for hour in range(4) if hour * 3600 < max_age)
    later_seconds = fresh * 3600 + 60 if fresh < 4 else None
    runs = []
    for users, seed in ((args.users[0], True), (args.users[1], True), (args.sweep_users, False)):
        later = users == args.users[0] and later_seconds is not None
        run = measure(
            users,
            args.groups,
            args.policies,
            args.latency,
            seed=seed,
            mfa_for_login=preference,
            later_seconds=later_seconds if later else None,
        )
        runs.append(run)
        if seed:
            verdicts = json.dumps(dict(sorted(run["seed_verdicts"].items())))
            print(
                f"{users} users, seed: ram_calls={run['seed_calls']} wall={run['seed_wall']:.1f}s "
                f"throttled={run['seed_throttled']} {verdicts}"
            )
        print(f"{users} users, ours: {_figures(run)}", flush=True)
        if later:
            print(
                f"{users} users, ours {later_seconds / 60:.0f} min later (report too old at "
                f"CREDENTIAL_REPORT_MAX_AGE_SECONDS={max_age:g}, as in {4 - fresh} hourly sweeps of 4): "
                f"{_figures(run['later'])}",
                flush=True,
            )
    first, second = runs[0], runs[1]
    per_user = measure(
        args.users[0], args.groups, args.policies, args.latency, seed=False, mfa_for_login="independent"
    )
    print(
        f"{args.users[0]} users, ours, login MFA per user (independent): {_figures(per_user)} "
        f"calls_ratio={first['seed_calls'] / per_user['calls']:.2f} "
        f"wall_ratio={first['seed_wall'] / per_user['wall']:.2f}",
        flush=True,
    )
    stale = first.get("later", first)  # no stale sweep when every hourly sweep has a fresh report
    hourly_calls = (fresh * first["calls"] + (4 - fresh) * stale["calls"]) / 4
    hourly_wall = (fresh * first["wall"] + (4 - fresh) * stale["wall"]) / 4
    measured = [*runs, per_user, *([stale] if stale is not first else [])]
    print(
        f"calls_ratio={first['seed_calls'] / first['calls']:.2f} "
        f"wall_ratio={first['seed_wall'] / first['wall']:.2f} "
        f"growth={second['calls'] / first['calls']:.2f} "
        f"throttled={sum(r['throttled'] for r in measured)} "
        f"hourly_calls_ratio={first['seed_calls'] / hourly_calls:.2f} "
        f"hourly_wall_ratio={first['seed_wall'] / hourly_wall:.2f}"
    )
    return 0


def _ours_on(fake: FakeProcess) -> dict[str, Any]:
    """One run of ours on `fake`: its result, wall, calls by API and the RAM calls answered."""
    started = time.perf_counter()
    result = ours(fake.endpoint)
    wall = time.perf_counter() - started
    control = fake.control("reset")
    return {
        "result": result,
        "wall": wall,
        "counts": control["counts"],
        "throttled": control["throttled"],
        "calls": _answered(control),
    }


def _answered(control: dict[str, Any]) -> int:
    """RAM/IMS reads the fake answered: not Config's calls, and not throttled ones (recorded too,
    then retried)."""
    recorded = sum(
        n for a, n in control["counts"].items() if a not in ("PutEvaluations", "GetDiscoveredResource")
    )
    return recorded - control["throttled"]


def _figures(run: dict[str, Any]) -> str:
    result = run["result"]
    return (
        f"ram_calls={run['calls']} wall={run['wall']:.1f}s status={result['status']} "
        f"deleteMode={result['deleteMode']} throttled={run['throttled']} "
        f"verdicts={json.dumps(result['counts'])} calls_by_action={json.dumps(run['counts'], sort_keys=True)}"
    )


if __name__ == "__main__":
    sys.exit(main())
