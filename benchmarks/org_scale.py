"""Organization scale-out: the aggregate rule's sweep over N member accounts, in parallel vs in turn.

Synthetic members (default 50 accounts of 200 users, 10 groups and 40 Custom policies each, every
member its own seed) are served by the loopback fake cloud in its own process, with 5 ms of latency
per call, RAM's quota per API *per account* (100/s) and STS AssumeRole into each member's reader
role with the deployment's ExternalId. Both runs are the deployed handler on a
ScheduledNotification of the aggregate rule (`accountScope: organization`) at the deployed
defaults: the function environment the org stack's MfaComplianceRule sets (`rule_environment`
with its organization settings, read back by the function's own settings reader), only the
member list (the synthetic ids) and the endpoints changed:
- sequential: the same code with ORG_MAX_ACCOUNTS_IN_FLIGHT=1 (account after account);
- ours: ORG_MAX_ACCOUNTS_IN_FLIGHT as deployed.
Each run gets a fresh fake (no credential report yet: each member's first GenerateCredentialReport
starts one, as in a real account) and a cold container (no cached STS credentials or policies).

The handler runs in this process, on one core: the org stack gives the function one vCPU
(`vcpus: 1`), and past a few members in flight the sweep is CPU-bound (cpu close to wall).
So ours also prints its rate (users/s) and what one invocation's budget holds at that rate, the
capacity README "Organization capacity" quotes; `--ours-only` measures it at sizes where the
sequential run would take too long to wait for (the group's 200-member cap, large members).

Usage: python benchmarks/org_scale.py [--accounts 50] [--users 200] [--latency 0.005] [--ours-only]
    [--repeat 1]
The last line is `accounts=<n> users=<n per account> seconds=<ours> parallel_ratio=<sequential
seconds / ours>`, medians over --repeat pairs (the lower middle for an even count); no
parallel_ratio under --ours-only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.mfa_rule import rule_environment  # noqa: E402
from components.settings.loader import load_stack_file  # noqa: E402
from functions.mfa_rule import members, org_sweep, ram_facts  # noqa: E402
from functions.mfa_rule import settings as rule_settings  # noqa: E402
from functions.mfa_rule.handler import Runtime, handle  # noqa: E402
from tests.fakes.fixtures import ACCOUNT_ID, context, load, synthetic_organization  # noqa: E402
from tests.fakes.process import FakeProcess  # noqa: E402

ORG_STACK = ROOT / "stacks" / "Pulumi.org.yaml"


def deployed_environment(endpoint: str, member_ids: list[str]) -> dict[str, str]:
    """What the org stack's component sets, with the synthetic members and the fake's endpoints."""
    stack = load_stack_file(ORG_STACK)
    if stack.organization is None:
        raise SystemExit(f"{ORG_STACK} has no baseline:organization")
    environment = {
        k: str(v) for k, v in rule_environment(stack.compliance_rule, ACCOUNT_ID, stack.organization).items()
    }
    environment["MEMBER_ACCOUNTS"] = ",".join(member_ids)
    # One INFO line per non-compliant user would bury the figures; the work measured is the same.
    environment["LOG_LEVEL"] = "WARNING"
    environment.update(
        RAM_ENDPOINT=endpoint, IMS_ENDPOINT=endpoint, CONFIG_ENDPOINT=endpoint, STS_ENDPOINT=endpoint
    )
    return environment


def run(snapshot: dict[str, Any], latency: float, in_flight: int | None) -> dict[str, Any]:
    ids = [a["accountId"] for a in snapshot["accounts"]]
    probe = rule_settings.from_env(deployed_environment("127.0.0.1:1", ids))
    fake = FakeProcess(snapshot, latency, ("--external-id", probe.member_external_id))
    try:
        environment = deployed_environment(fake.endpoint, ids)
        if in_flight is not None:
            environment["ORG_MAX_ACCOUNTS_IN_FLIGHT"] = str(in_flight)
        settings = rule_settings.from_env(environment)
        # A cold container: no STS credentials, no policy documents cached.
        members.clear_cache()
        org_sweep.clear_member_policy_caches()
        ram_facts.POLICY_CACHE.clear()
        event = load("events/config_scheduled.json")
        event["ruleParameters"]["accountScope"] = "organization"
        started, cpu = time.perf_counter(), time.process_time()
        result = handle(json.dumps(event), context(), Runtime(settings))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        control = fake.control("reset")
        return {
            "settings": settings,
            "result": result,
            "wall": wall,
            "cpu": cpu,  # this process only (the fake runs in its own): the GIL caps the fan-out here
            "throttled": control["throttled"],
            "assume_role": control["counts"].get("AssumeRole", 0),
            "calls": sum(n for a, n in control["counts"].items() if a != "PutEvaluations"),
            "reported": control["reported"],
        }
    finally:
        fake.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--users", type=int, default=200, help="users per member account")
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--policies", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.005, help="seconds added to every call")
    parser.add_argument("--ours-only", action="store_true", help="skip the sequential run")
    parser.add_argument(
        "--repeat", type=int, default=1,
        help="pairs of runs; the summary takes the medians (ours is CPU-bound, so a shared machine's "
        "speed swings move it while the latency-bound sequential run stays put)",
    )
    args = parser.parse_args()
    snapshot = synthetic_organization(args.accounts, args.users, args.groups, args.policies)
    plan = (("ours", None),) if args.ours_only else (("sequential", 1), ("ours", None))
    pairs = []
    for _ in range(max(1, args.repeat)):
        runs = {}
        for name, in_flight in plan:
            runs[name] = figures = run(snapshot, args.latency, in_flight)
            print(_line(name, figures), flush=True)
        pairs.append(runs)
        if "sequential" in runs:
            print(f"pair: parallel_ratio={runs['sequential']['wall'] / runs['ours']['wall']:.2f}", flush=True)
    # The median run (the lower of the two middle ones for an even --repeat), for every figure below.
    ours = sorted((runs["ours"] for runs in pairs), key=lambda f: f["wall"])[(len(pairs) - 1) // 2]
    budget = ours["settings"].time_budget_seconds
    within = "within" if ours["wall"] <= budget else "OVER"
    print(f"ours reported the whole organization in {ours['wall']:.1f}s, {within} the {budget:g}s budget")
    total = args.accounts * args.users
    rate = total / ours["wall"]
    # Linear in users while CPU-bound; a member's own sweep is bounded by its RAM quota instead.
    print(
        f"ours: {rate:.0f} users/s ({ours['cpu'] / total * 1000:.2f} ms CPU per user); at that rate the "
        f"{budget:g}s budget holds about {rate * budget:,.0f} users "
        f"({rate * budget / args.users:,.0f} members of {args.users})"
    )
    summary = f"accounts={args.accounts} users={args.users} seconds={ours['wall']:.2f}"
    if not args.ours_only:
        ratio = statistics.median_low(r["sequential"]["wall"] / r["ours"]["wall"] for r in pairs)
        summary += f" parallel_ratio={ratio:.2f}"
    print(summary)
    return 0


def _line(name: str, figures: dict[str, Any]) -> str:
    result, conf = figures["result"], figures["settings"]
    return (
        f"{name}: ORG_MAX_ACCOUNTS_IN_FLIGHT={conf.max_accounts_in_flight} "
        f"RAM_MAX_CONCURRENCY={conf.max_concurrency} RAM_RPS_PER_API={conf.rps_per_api:g} "
        f"TIME_BUDGET_SECONDS={conf.time_budget_seconds:g}: wall={figures['wall']:.1f}s "
        f"cpu={figures['cpu']:.1f}s "
        f"status={result['status']} users={result['users']} deleteMode={result['deleteMode']} "
        f"calls={figures['calls']} AssumeRole={figures['assume_role']} "
        f"throttled={figures['throttled']} reported={figures['reported']} "
        f"verdicts={json.dumps(result['counts'], sort_keys=True)}"
    )


if __name__ == "__main__":
    sys.exit(main())
