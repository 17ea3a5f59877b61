"""The pack program as `pulumi preview --policy-pack` runs it: an analyzer gRPC server on loopback.

The Pulumi CLI runs `python -m pulumi.policy <engine> policies/guard`, which `runpy`s the
pack directory; this test does the same from another working directory and speaks the
analyzer protocol to it, as the CLI would.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tests.guard.samples import STRICT_PASSWORD

PACK_DIR = Path(__file__).resolve().parents[2] / "policies" / "guard"
PASSWORD_POLICY = "alicloud:ram/passwordPolicy:PasswordPolicy"


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    program = f"import runpy; runpy.run_path({str(PACK_DIR)!r}, run_name='__main__')"
    process = subprocess.Popen(  # noqa: S603 - our own pack, this interpreter
        [sys.executable, "-c", program],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path_factory.mktemp("elsewhere"),
    )
    try:
        line = process.stdout.readline()  # the pack prints the port it listens on (127.0.0.1:0)
        if not line.strip().isdigit():
            process.kill()
            pytest.fail(f"pack did not start: {process.stderr.read().decode()}")
        with grpc.insecure_channel(f"127.0.0.1:{int(line)}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()


def analyze(stub, resource_type: str, props: dict) -> list[tuple[str, str, int]]:
    properties = struct_pb2.Struct()
    properties.update(props)
    request = analyzer_pb2.AnalyzeRequest(type=resource_type, properties=properties, urn="urn:test", name="r")
    return [(d.policyName, d.message, d.enforcementLevel) for d in stub.Analyze(request).diagnostics]


def test_pack_registers_every_policy_with_its_level(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "mfa-baseline-guard"
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert levels["oss-bucket-not-public"] == analyzer_pb2.MANDATORY
    assert levels["ram-login-network-masks-set"] == analyzer_pb2.ADVISORY
    assert levels["ram-login-network-masks-public"] == analyzer_pb2.MANDATORY
    assert levels["exemptions-expiring-soon"] == analyzer_pb2.ADVISORY
    assert levels["cross-account-trust-narrow"] == analyzer_pb2.MANDATORY
    assert levels["role-policies-name-the-account"] == analyzer_pb2.MANDATORY
    assert levels["fc3-custom-rule-unconfirmed"] == analyzer_pb2.ADVISORY
    assert len(levels) == 15


def test_pack_reports_a_violation_and_honours_pack_config(analyzer):
    assert analyze(analyzer, PASSWORD_POLICY, STRICT_PASSWORD) == []
    properties = struct_pb2.Struct()
    properties.update({"minimumLength": 16})
    analyzer.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                "ram-password-policy-floor": analyzer_pb2.PolicyConfig(
                    enforcementLevel=analyzer_pb2.ADVISORY, properties=properties
                )
            }
        )
    )
    assert analyze(analyzer, PASSWORD_POLICY, STRICT_PASSWORD) == [
        (
            "ram-password-policy-floor",
            "The RAM password policy is at least as strict as the configured floor.\n"
            "RAM password policy minimumPasswordLength is 14, below the floor of 16",
            analyzer_pb2.ADVISORY,
        )
    ]
