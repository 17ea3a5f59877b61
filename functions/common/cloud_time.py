"""Times as Alibaba Cloud APIs write them: ISO 8601, in UTC (`2019-10-21T07:57:55Z`)."""

from __future__ import annotations

import datetime


def utc_time(value: object) -> datetime.datetime | None:
    """The moment `value` names, timezone-aware (UTC when it gives no offset); None if unreadable."""
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.timezone.utc)
