"""Scale of a full scheduled evaluation: our MFA rule function against the seed sample's algorithm.

A synthetic account (1,000 users, 50 groups, 200 custom policies) is served by the loopback
fake cloud, in its own process, with 5 ms of latency per call. Both algorithms use the real
RAM SDK client against it:
- baseline: the seed's algorithm, reimplemented here: sequential; per user ListPoliciesForUser,
  then GetPolicy for every policy (no groups, no cache), exact string matching of actions,
  GetUserMFAInfo when that matching says "at risk". It does not report (which only favours it).
- ours: the deployed handler on a ScheduledNotification: one ListVirtualMFADevices call
  (users bound to a virtual device are COMPLIANT without further calls), group policies
  included, policy cache, GetUserMFAInfo only for users at risk (to catch U2F keys), bounded
  concurrency under a request-rate limit, PutEvaluations in batches.

Usage: python benchmarks/rule_scale.py [--users 1000] [--concurrency 16] [--rps 2000] [--latency 0.005]
Prints calls, wall seconds and verdict counts for each; the last line is
`calls_ratio=<baseline/ours> wall_ratio=<baseline/ours>` (RAM calls, wall time).

What the wall-time goal (ours 10x faster than the seed) assumes: the measured run uses
`--rps 2000`, i.e. a request-rate limit that never binds, so it measures the algorithm
(fewer calls, bounded concurrency), not the deployment. The stacks deploy RAM_MAX_RPS=20 by
default, configurable per stack with `baseline:complianceRule.ramMaxRps` (1..2000), a default
chosen to stay well under RAM's unpublished API flow control. At that rate a sweep is
rate-bound: it cannot take less than ram_calls / rps seconds (about 2,200 / 20 = 110 s for the
account here: slower than the unthrottled sequential seed, yet within the 240 s time budget).
The script therefore also prints that floor at the deployed default and at the stacks'
maximum `ramMaxRps`, with the wall ratio each would allow. The 10x wall ratio needs a quota of
at least ~ram_calls * 10 / baseline_wall requests/second (about 750/s here), which a stack can
configure where its account allows it; the call ratio holds at any rate. Measure the default
rate itself with `--rps 20` (about two minutes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from alibabacloud_ram20150501 import models as ram  # noqa: E402
from alibabacloud_ram20150501.client import Client as RamClient  # noqa: E402
from alibabacloud_tea_openapi.utils_models import Config  # noqa: E402
from darabonba.runtime import RuntimeOptions  # noqa: E402

from components.settings import RAM_API_QUOTA_PER_SECOND, ComplianceRuleSettings  # noqa: E402
from functions.common.env import Endpoint  # noqa: E402
from functions.mfa_rule import ram_facts  # noqa: E402
from functions.mfa_rule.handler import Runtime, handle  # noqa: E402
from functions.mfa_rule.settings import Settings  # noqa: E402
from tests.fakes.fixtures import TEST_KEY_ID, TEST_SECRET, TEST_TOKEN, context, load, synthetic_account  # noqa: E402

DANGEROUS = ["ecs:*", "oss:*", "log:*"]
DEPLOYED = ComplianceRuleSettings(dangerous_actions=())  # the stacks' defaults: RAM rate, time budget
STACK_MAX_RPS = RAM_API_QUOTA_PER_SECOND  # the upper bound the settings accept for ramRequestsPerSecond


class FakeProcess:
    """The fake cloud in a child process, so its CPU time does not compete with the measured code."""

    def __init__(self, snapshot: dict[str, Any], latency: float) -> None:
        self._dir = tempfile.TemporaryDirectory()
        path = Path(self._dir.name) / "snapshot.json"
        path.write_text(json.dumps(snapshot))
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
            [sys.executable, "-m", "tests.fakes.serve", "--snapshot", str(path), "--latency", str(latency)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.endpoint = self.proc.stdout.readline().strip()

    def control(self, what: str) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://{self.endpoint}/_fake/{what}", timeout=10) as response:
            return json.loads(response.read())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self._dir.cleanup()


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
    verdicts: Counter[str] = Counter()
    marker = None
    while True:
        page = client.list_users_with_options(
            ram.ListUsersRequest(marker=marker, max_items=100), runtime
        ).body
        for user in page.users.user:
            policies = client.list_policies_for_user_with_options(
                ram.ListPoliciesForUserRequest(user_name=user.user_name), runtime
            ).body.policies.policy
            actions: set[str] = set()
            for pol in policies:
                body = client.get_policy_with_options(
                    ram.GetPolicyRequest(policy_name=pol.policy_name, policy_type=pol.policy_type), runtime
                ).body
                document = json.loads(body.default_policy_version.policy_document)
                for statement in document["Statement"]:
                    if statement["Effect"] == "Allow" and "Action" in statement:
                        action = statement["Action"]
                        actions.update(action if isinstance(action, list) else [action])
            if actions & set(DANGEROUS):  # exact string matching, as in the seed
                try:
                    client.get_user_mfainfo_with_options(
                        ram.GetUserMFAInfoRequest(user_name=user.user_name), runtime
                    )
                    verdicts["COMPLIANT"] += 1
                except Exception:
                    verdicts["NON_COMPLIANT"] += 1
            else:
                verdicts["COMPLIANT"] += 1
        if not page.is_truncated:
            return verdicts
        marker = page.marker


def ours(endpoint: str, concurrency: int, rps: float) -> dict[str, Any]:
    ram_facts.POLICY_CACHE.clear()  # a cold container: the first run of the day
    settings = Settings(
        # One INFO line per non-compliant user would bury the figures; the work measured is the same.
        log_level="WARNING",
        max_concurrency=concurrency,
        max_rps=rps,
        time_budget_seconds=240.0,
        ram_endpoint=Endpoint(endpoint, "http"),
        config_endpoint=Endpoint(endpoint, "http"),
    )
    return handle(json.dumps(load("events/config_scheduled.json")), context(), Runtime(settings))


def rate_bound_lines(rps_used: float, ram_calls: int, base_wall: float) -> list[str]:
    """The rate used, and the wall-time floor `ram_calls / rps` at the rates the stacks can deploy."""
    budget = DEPLOYED.time_budget_seconds
    # The function keeps part of its budget back for PutEvaluations; RAM calls get the rest.
    ram_budget = budget - Settings(time_budget_seconds=budget).report_reserve_seconds
    lines = [
        f"rate used: RAM_MAX_RPS={rps_used:g} (--rps); "
        f"the stacks deploy {DEPLOYED.ram_requests_per_second}/s "
        f"by default (ramRequestsPerSecond, at most {STACK_MAX_RPS})"
    ]
    rates = (("deployed default", DEPLOYED.ram_requests_per_second), ("stack maximum", STACK_MAX_RPS))
    for label, rps in rates:
        floor = ram_calls / rps
        fits = "within" if floor <= ram_budget else "OVER"
        lines.append(
            f"rate-bound floor at the {label} RAM_MAX_RPS={rps}: {ram_calls}/{rps} = {floor:.1f}s "
            f"({fits} the {budget}s time budget, {ram_budget:g}s of it for RAM calls); "
            f"wall_ratio at that rate <= {base_wall / floor:.2f}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--policies", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16, help="RAM_MAX_CONCURRENCY for our function")
    parser.add_argument("--rps", type=float, default=2000.0, help="RAM_MAX_RPS for our function")
    parser.add_argument(
        "--latency", type=float, default=0.005, help="seconds added to every call by the fake"
    )
    args = parser.parse_args()

    account = synthetic_account(args.users, args.groups, args.policies)
    fake = FakeProcess(account, args.latency)
    try:
        print(
            f"account: {args.users} users, {args.groups} groups, {args.policies} custom policies; "
            f"fake latency {args.latency * 1000:.0f} ms per call (separate process)"
        )
        fake.control("reset")
        started = time.perf_counter()
        base_verdicts = seed_baseline(fake.endpoint)
        base_wall = time.perf_counter() - started
        base_counts = fake.control("reset")["counts"]

        started = time.perf_counter()
        result = ours(fake.endpoint, args.concurrency, args.rps)
        our_wall = time.perf_counter() - started
        our_counts = fake.control("reset")["counts"]
    finally:
        fake.close()

    base_ram = sum(n for action, n in base_counts.items() if action != "PutEvaluations")
    our_ram = sum(
        n for action, n in our_counts.items() if action not in ("PutEvaluations", "GetDiscoveredResource")
    )
    print(
        f"baseline (seed, sequential): ram_calls={base_ram} wall={base_wall:.2f}s "
        f"calls_by_action={json.dumps(base_counts, sort_keys=True)} "
        f"verdicts={json.dumps(dict(sorted(base_verdicts.items())))}"
    )
    print(
        f"ours (concurrency={args.concurrency}, rps={args.rps:g}): ram_calls={our_ram} "
        f"config_calls={our_counts.get('PutEvaluations', 0)} wall={our_wall:.2f}s "
        f"calls_by_action={json.dumps(our_counts, sort_keys=True)} verdicts={json.dumps(result['counts'])} "
        f"status={result['status']} deleteMode={result['deleteMode']}"
    )
    for line in rate_bound_lines(args.rps, our_ram, base_wall):
        print(line)
    print(f"calls_ratio={base_ram / our_ram:.2f} wall_ratio={base_wall / our_wall:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
