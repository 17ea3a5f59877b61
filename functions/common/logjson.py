"""One JSON object per log line, so FC's log search can filter on fields."""

from __future__ import annotations

import json
import logging
from typing import Any

LOGGER_NAME = "baseline"


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.{name}")


def configure(level_name: str) -> None:
    """Set our loggers' level at invocation time (never at import), leaving the runtime's handlers alone."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level_name)
    if not logging.getLogger().handlers and not logger.handlers:
        # Outside FC (local runs) nothing prints otherwise.
        logger.addHandler(logging.StreamHandler())


def line(event: str, **fields: Any) -> str:
    return json.dumps({"event": event, **fields}, sort_keys=True, default=str, ensure_ascii=False)


def log(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, line(event, **fields))
