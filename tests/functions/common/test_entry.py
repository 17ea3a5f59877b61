"""The shared entry shell: one result contract for both functions, and nothing ever raised to FC."""

from __future__ import annotations

import importlib
import logging

import pytest

from functions.common import entry
from functions.common.env import SettingsError

LOG = logging.getLogger("baseline.test_entry")


def test_a_bad_setting_fails_both_functions_with_the_same_key(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    monkeypatch.delenv("RULE_NAME", raising=False)
    results = [
        importlib.import_module(f"functions.{name}.index").handler(b"{}", None)
        for name in ("mfa_rule", "oss_acl_remediation")
    ]
    assert [set(r) for r in results] == [{"status", "reason"}, {"status", "reason"}]
    assert {r["status"] for r in results} == {"failed"}
    # Each names the first variable at fault (the remediation needs RULE_NAME before anything else).
    assert results[0]["reason"].startswith("LOG_LEVEL: expected one of")
    assert results[1]["reason"].startswith("RULE_NAME: missing")


def test_anything_raised_by_the_work_becomes_a_failed_result_naming_it():
    def explode(event, context, runtime):
        raise KeyError("configurationItem")

    result = entry.run({}, None, lambda environ: object(), explode, LOG, environ={})
    assert result == {"status": "failed", "reason": "unexpected KeyError: 'configurationItem'"}


@pytest.mark.parametrize("error", [SettingsError("TIME_BUDGET_SECONDS: expected a number, got 'soon'")])
def test_settings_are_read_before_any_work_and_their_error_is_the_reason(error):
    def load(environ):
        raise error

    def never(event, context, runtime):
        raise AssertionError("the work must not start without settings")

    assert entry.run({}, None, load, never, LOG, environ={}) == {"status": "failed", "reason": str(error)}
