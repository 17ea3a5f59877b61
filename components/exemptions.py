"""Exemptions as the functions receive them: one compact JSON list in one environment variable.

`EXEMPT_USERS` (rule function) and `EXEMPT_BUCKETS` (remediation function) carry
`[{"name", "owner", "reason", "expires": "YYYY-MM-DD"}]` (`[]` when none). The functions re-check
`expires` against their own clock, so an entry stops applying on its date even if nobody deploys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from components.settings import Exemption


def exemptions_env(entries: Iterable[Exemption]) -> str:
    return json.dumps([entry.as_json() for entry in entries], separators=(",", ":"))
