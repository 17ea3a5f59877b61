"""`python -m baseline evaluate --live`: the rule over an account reached through real SDKs, read-only.

The default credential chain is fed obviously fake STS values through its environment variables;
every endpoint points at the loopback fake cloud serving a snapshot, so the live evaluation can
be compared with `evaluate --snapshot` over the very same snapshot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_credentials.models import Config as CredentialConfig

from baseline import live as live_module
from baseline.cli import main
from functions.mfa_rule import ram_facts
from tests.fakes import faults
from tests.fakes.cloud import FakeCloud
from tests.fakes.fixtures import FIXTURES, TEST_KEY_ID, TEST_SECRET, TEST_TOKEN, load

ACCOUNT = str(FIXTURES / "snapshots" / "account.json")


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch):
    ram_facts.POLICY_CACHE.clear()
    with FakeCloud(load("snapshots/account.json"), expected_token=TEST_TOKEN) as cloud:
        for name in ("RAM_ENDPOINT", "IMS_ENDPOINT", "STS_ENDPOINT"):
            monkeypatch.setenv(name, cloud.endpoint)
        # What the chain would find in ALIBABA_CLOUD_* (the SDK reads those once, at import, so a
        # test cannot set them in-process; the child-process test below covers the chain itself).
        sts = CredentialConfig(
            type="sts", access_key_id=TEST_KEY_ID, access_key_secret=TEST_SECRET, security_token=TEST_TOKEN
        )
        monkeypatch.setattr(live_module, "default_credential", lambda: CredentialClient(sts))
        cloud.account.report_pending = True  # a report being generated completes at the next call: no wait
        yield cloud


def run(capsys, *args: str) -> tuple[int, list, str]:
    code = main(["evaluate", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else [], err


def test_live_gives_the_same_evaluations_as_the_snapshot_it_reads(live, capsys):
    code, over_live, err = run(capsys, "--live")
    assert (code, err) == (0, "")
    _, over_snapshot, _ = run(capsys, "--snapshot", ACCOUNT)
    assert [(e["complianceResourceName"], e["complianceType"], e["annotation"]) for e in over_live] == [
        (e["complianceResourceName"], e["complianceType"], e["annotation"]) for e in over_snapshot
    ]
    assert {e["accountId"] for e in over_live} == {"5123456789012345"}  # from STS GetCallerIdentity


def test_live_never_writes_to_config(live, capsys):
    run(capsys, "--live")
    assert live.count(service="config") == 0 and live.evaluations == []
    assert "PutEvaluations" not in live.counts()


def test_live_one_user_uses_the_change_notification_order(live, capsys):
    code, evaluations, _ = run(capsys, "--live", "--user", "alice")
    assert code == 0
    assert [(e["complianceResourceName"], e["complianceType"]) for e in evaluations] == [
        ("alice", "NON_COMPLIANT")
    ]
    assert live.count("ListPoliciesForUser") == 1


def test_live_with_a_user_listing_that_fails_prints_what_it_knows_and_exits_2(live, capsys):
    live.break_("ListUsers", faults.error(403, "NoPermission", "You are not authorized to do this action."))
    code, evaluations, err = run(capsys, "--live")
    assert code == 2 and evaluations == []
    assert "warning: user listing incomplete: ListUsers failed: HTTP 403 NoPermission" in err


def test_live_without_credentials_is_a_clear_usage_error(tmp_path):
    """In a child process: the credentials SDK reads its environment variables once, at import."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
    environ.update(HOME=str(tmp_path), ALIBABA_CLOUD_ECS_METADATA_DISABLED="true", STS_ENDPOINT="127.0.0.1:9")
    done = subprocess.run(
        [sys.executable, "-m", "baseline", "evaluate", "--live"],
        cwd=FIXTURES.parents[1],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("error: --live: no Alibaba Cloud credentials found by the default chain: ")


def test_report_live_renders_what_report_snapshot_renders_over_the_same_account(live, capsys):
    assert main(["report", "--live", "--format", "csv"]) == 0
    over_live = capsys.readouterr().out
    assert main(["report", "--snapshot", ACCOUNT, "--format", "csv"]) == 0
    assert over_live == capsys.readouterr().out
    assert over_live.count("\n") == 9  # a header and the 8 users


def test_report_live_refuses_a_partial_audit(live, capsys):
    live.break_("ListUsers", faults.error(403, "NoPermission", "You are not authorized to do this action."))
    assert main(["report", "--live", "--format", "md"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "no report made" in err
