"""Wall time of `python -m baseline plan --stack S --json` per stack, next to `python -c "import pulumi"`.

Each figure is the median of a few fresh processes (what a user waits for), after one warm-up
run that builds the function packages. Last line: `plan_seconds=<slowest stack> import_ratio=<plan/import>`.
Goal: under 3 s per stack.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    return time.perf_counter() - start


def median_wall(argv: list[str]) -> float:
    return statistics.median(wall(argv) for _ in range(RUNS))


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from baseline.plan import stack_names

    importing = median_wall([sys.executable, "-c", "import pulumi"])
    print(f"import pulumi: {importing:.3f} s")
    slowest = 0.0
    for stack in stack_names():
        argv = [sys.executable, "-m", "baseline", "plan", "--stack", stack, "--json"]
        wall(argv)  # warm-up: builds (or confirms) the cached function packages
        seconds = median_wall(argv)
        slowest = max(slowest, seconds)
        print(f"plan {stack}: {seconds:.3f} s ({seconds / importing:.1f}x import)")
    print(f"plan_seconds={slowest:.3f} import_ratio={slowest / importing:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
