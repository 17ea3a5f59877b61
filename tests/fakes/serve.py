"""Run the fake cloud in its own process:
`python -m tests.fakes.serve --snapshot FILE [--latency S] [--external-id ID]`.

`--external-id`: the ExternalId the members' reader role trusts (organization snapshots).

Prints `127.0.0.1:<port>` on the first line of stdout, then serves until stdin closes.
The benchmark uses it so the server's CPU time does not compete with the code measured.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.fakes.cloud import FakeCloud


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--snapshot", required=True, type=Path)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--external-id", default=None)
    args = parser.parse_args()
    snapshot = json.loads(args.snapshot.read_text(encoding="utf-8"))
    with FakeCloud(snapshot, latency=args.latency, external_id=args.external_id) as cloud:
        print(cloud.endpoint, flush=True)
        sys.stdin.read()  # until the parent closes our stdin
    return 0


if __name__ == "__main__":
    sys.exit(main())
