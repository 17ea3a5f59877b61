"""Values and helpers shared by the component tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from components.settings import ComplianceRuleSettings, FunctionComputeSettings, RemediationSettings
from policies import parse_policy

RULE = ComplianceRuleSettings(
    dangerous_actions=("ecs:*", "oss:*", "log:*"), timeout_seconds=300, memory_mb=512
)
REMEDIATION = RemediationSettings(dry_run=True)
FC2 = FunctionComputeSettings(generation=2)
FC3 = FunctionComputeSettings(generation=3)
REGION = "ap-southeast-1"
ACCOUNT = "5123456789012345"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ram_policy(text: str, name: str = "policy") -> Any:
    """A deployed RAM policy document (JSON text) as the engine's parsed Policy."""
    return parse_policy(json.loads(text), "ram", name)
