"""CrossGuard program: `pulumi preview --policy-pack policies/guard`.

Pulumi runs this file with the pack directory on `sys.path`; the checks live in the
repository's `policies` package, so the repository root goes on the path first.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from policies.guard.pack import serve

    serve()
