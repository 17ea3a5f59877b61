"""Policy engine throughput over a 200-statement RAM policy set.

    python benchmarks/engine.py [--seconds 1.0] [--seed 7]

Prints evaluations per second (`evaluate` on one request) and `holds` calls per second (one
pattern, the compliance rule's context), after one warm-up pass so pattern caches are filled.
The last line is `evaluations_per_s=<n> holds_per_s=<n>`.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

SERVICES = ("ecs", "oss", "ram", "rds", "vpc", "slb", "kms", "log", "cms", "fc", "mns", "config", "sts", "cs")
VERBS = ("Describe", "List", "Get", "Create", "Delete", "Modify", "Put", "Start", "Stop", "Attach", "Run")
NOUNS = ("Instance", "Instances", "Bucket", "Object", "User", "Policy", "Group", "Key", "Disk", "Vpc", "Rule")
PATTERNS = ("ecs:*", "oss:*", "ram:Create*", "ram:Attach*", "*:Delete*", "ecs:*Instances", "log:*", "kms:*")


def _action(rng: random.Random) -> str:
    service = rng.choice(SERVICES)
    shape = rng.random()
    if shape < 0.15:
        return f"{service}:*"
    if shape < 0.55:
        return f"{service}:{rng.choice(VERBS)}*"
    if shape < 0.65:
        return f"{service}:*{rng.choice(NOUNS)}"
    return f"{service}:{rng.choice(VERBS)}{rng.choice(NOUNS)}"


def _statement(rng: random.Random, index: int) -> dict:
    statement: dict = {"Sid": f"S{index}", "Effect": "Deny" if rng.random() < 0.15 else "Allow"}
    actions = [_action(rng) for _ in range(rng.randint(1, 6))]
    # NotAction only on Allows: an unconditioned Deny-NotAction would deny nearly everything.
    not_action = statement["Effect"] == "Allow" and rng.random() < 0.05
    statement["NotAction" if not_action else "Action"] = actions
    shape = rng.random()
    if shape < 0.6:
        statement["Resource"] = "*"
    elif shape < 0.9:
        statement["Resource"] = [f"acs:{rng.choice(SERVICES)}:*:*:{rng.choice(NOUNS).lower()}/*"]
    else:
        statement["Resource"] = "acs:ram:*:*:user/${acs:username}"
    shape = rng.random()
    if shape < 0.15:
        statement["Condition"] = {
            "Bool": {"acs:MFAPresent": "true" if statement["Effect"] == "Allow" else "false"}
        }
    elif shape < 0.25:
        statement["Condition"] = {"IpAddress": {"acs:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}
    elif shape < 0.3:
        statement["Condition"] = {"StringLike": {"acs:CurrentTime": "2024-*"}}
    return statement


def build_policies(seed: int, statements: int = 200, per_policy: int = 10) -> list:
    from policies import parse_policy

    rng = random.Random(seed)
    out = []
    for start in range(0, statements, per_policy):
        body = [_statement(rng, i) for i in range(start, min(start + per_policy, statements))]
        out.append(parse_policy({"Version": "1", "Statement": body}, "ram", f"policy-{start // per_policy}"))
    return out


def _rate(seconds: float, calls: list[Callable[[], object]]) -> tuple[float, int]:
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for call in calls:
            call()
        done += len(calls)
    return done / (time.perf_counter() - start), done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    # Run as a script from anywhere: the repository root holds the `policies` package.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from policies import OTHER_KEYS_UNKNOWN, Request, evaluate, holds

    policies = build_policies(args.seed)
    count = sum(len(p.statements) for p in policies)
    rng = random.Random(args.seed + 1)
    requests = [
        Request(
            f"{rng.choice(SERVICES)}:{rng.choice(VERBS)}{rng.choice(NOUNS)}",
            f"acs:{rng.choice(SERVICES)}:cn-hangzhou:5123456789012345:{rng.choice(NOUNS).lower()}/x",
            {
                "acs:MFAPresent": rng.choice(("true", "false")),
                "acs:SourceIp": "10.1.2.3",
                "acs:username": "alice",
            },
        )
        for _ in range(64)
    ]
    context = {"acs:MFAPresent": "false"}

    cold = time.perf_counter()
    answers = {p: holds(policies, p, context, OTHER_KEYS_UNKNOWN) for p in PATTERNS}
    cold = time.perf_counter() - cold
    decisions = [evaluate(policies, r).decision.value for r in requests]

    eval_rate, evals = _rate(args.seconds, [lambda r=r: evaluate(policies, r) for r in requests])
    holds_rate, held = _rate(
        args.seconds, [lambda p=p: holds(policies, p, context, OTHER_KEYS_UNKNOWN) for p in PATTERNS]
    )

    print(f"policy set: {len(policies)} policies, {count} statements (seed {args.seed})")
    print(
        f"decisions over {len(requests)} requests: "
        + ", ".join(f"{d}={decisions.count(d)}" for d in sorted(set(decisions)))
    )
    for pattern, answer in answers.items():
        print(f"holds {pattern:<16} {answer.holds!s:<5} witness={answer.witness}")
    print(f"first holds pass (cold caches): {cold * 1000:.1f} ms for {len(PATTERNS)} patterns")
    print(f"evaluate: {evals} calls in {args.seconds:.1f}s")
    print(f"holds:    {held} calls in {args.seconds:.1f}s")
    print(f"evaluations_per_s={eval_rate:.0f} holds_per_s={holds_rate:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
