"""The Pulumi program (`__main__.py` -> components.program.main) as `pulumi up` runs it: config
arrives through pulumi.Config as the engine passes it (objects as JSON text)."""

from __future__ import annotations

import ast
import json

import pulumi
import pytest
import yaml

from baseline.mocks import run_with_mocks
from baseline.plan import PROJECT_ROOT, STACKS_DIR
from components.program import main
from components.settings import flatten_for_pulumi, load_settings


def engine_config(stack: str) -> dict[str, str]:
    raw = yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]
    return flatten_for_pulumi(raw)


def test_pulumi_yaml_points_at_the_stacks_directory():
    project = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "baseline" and project["stackConfigDir"] == "stacks"


def test_main_reads_pulumi_config_and_exports_outputs():
    run = run_with_mocks(main, stack="prod", config=engine_config("prod"))
    assert run.outputs["fcGeneration"] == 3
    assert run.outputs["mfaRuleName"] == "ram-user-mfa-for-dangerous-actions"
    assert run.outputs["mfaRuleFunctionArn"] == (
        "acs:fc:ap-southeast-1:5123456789012345:functions/ram-user-mfa-rule"
    )


def test_settings_from_pulumi_config_equal_settings_from_the_file():
    from components.settings import load_stack_file

    run = run_with_mocks(load_settings, config=engine_config("dev"))
    assert run.result == load_stack_file(STACKS_DIR / "Pulumi.dev.yaml")


def test_invalid_config_stops_the_program_with_a_run_error_naming_the_key():
    config = engine_config("dev")
    config["baseline:functionCompute"] = '{"generation": 4}'
    with pytest.raises(pulumi.RunError) as caught:
        run_with_mocks(main, config=config)
    assert str(caught.value) == (
        "invalid stack configuration:\nbaseline:functionCompute.generation: 4 is not one of 2, 3"
    )


def test_the_entry_point_is_only_the_program_call():
    """__main__.py, read as code: a docstring, `from components.program import main`, `main()`."""
    tree = ast.parse((PROJECT_ROOT / "__main__.py").read_text(encoding="utf-8"))
    body = list(tree.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body.pop(0)  # the docstring
    assert [ast.dump(node, annotate_fields=False) for node in body] == [
        ast.dump(node, annotate_fields=False)
        for node in ast.parse("from components.program import main\nmain()").body
    ]


def test_a_notifications_section_pulumi_holds_as_secret_is_planned_as_secret_endpoints(monkeypatch):
    hook = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"
    config = {**engine_config("dev"), "baseline:notifications": json.dumps({"httpEndpoints": [hook]})}
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", '["baseline:notifications"]')
    settings = run_with_mocks(load_settings, config=config).result
    assert [str(url) for url in settings.notifications.http_endpoints] == [hook]
    assert type(settings.notifications.http_endpoints[0]).__name__ == "SecretUrl"
    monkeypatch.delenv("PULUMI_CONFIG_SECRET_KEYS")
    with pytest.raises(pulumi.RunError, match=r"httpEndpoints\[0\]: carries a token"):
        run_with_mocks(main, config=config)
