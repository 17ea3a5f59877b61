"""`make vendor`'s lock: closed under the FC python3.10 runtime's dependency markers."""

from __future__ import annotations

import zipfile
from pathlib import Path

from components.vendor import FC_PYTHON310, missing_requirements, wheel_requirements


def make_wheel(folder: Path, project: str, version: str, requires: list[str]) -> Path:
    path = folder / f"{project}-{version}-py3-none-any.whl"
    metadata = [f"Name: {project}", f"Version: {version}", *(f"Requires-Dist: {r}" for r in requires)]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{project}-{version}.dist-info/METADATA", "\n".join(metadata) + "\n")
    return path


AIOHTTP_REQUIRES = [
    "aiosignal>=1.4.0",
    'async-timeout<6.0,>=4.0; python_version < "3.11"',
    'typing_extensions>=4.4; python_version < "3.13"',
    'aiodns>=3.3.0; (sys_platform != "android") and extra == "speedups"',
]


def test_reads_requires_dist_lines_from_the_wheel_metadata(tmp_path):
    wheel = make_wheel(tmp_path, "aiohttp", "3.14.5", AIOHTTP_REQUIRES)
    assert wheel_requirements(wheel) == AIOHTTP_REQUIRES


def test_a_backport_only_python_310_needs_is_reported_missing(tmp_path):
    """pip resolved on 3.11 leaves out async-timeout; on FC's 3.10 aiohttp cannot import without it."""
    wheels = [
        make_wheel(tmp_path, "aiohttp", "3.14.5", AIOHTTP_REQUIRES),
        make_wheel(tmp_path, "aiosignal", "1.4.0", []),
        make_wheel(tmp_path, "typing_extensions", "4.16.0", []),
    ]
    assert missing_requirements(wheels) == ["async-timeout<6.0,>=4.0"]


def test_nothing_is_missing_for_an_interpreter_that_does_not_need_the_backport(tmp_path):
    wheels = [
        make_wheel(tmp_path, "aiohttp", "3.14.5", AIOHTTP_REQUIRES),
        make_wheel(tmp_path, "aiosignal", "1.4.0", []),
    ]
    python313 = {**FC_PYTHON310, "python_version": "3.13", "python_full_version": "3.13.0"}
    assert missing_requirements(wheels, python313) == []


def test_present_projects_match_by_normalised_name_and_extras_are_not_requested(tmp_path):
    wheels = [
        make_wheel(tmp_path, "aiohttp", "3.14.5", AIOHTTP_REQUIRES),
        make_wheel(tmp_path, "aiosignal", "1.4.0", []),
        make_wheel(tmp_path, "async_timeout", "5.0.1", []),
        make_wheel(tmp_path, "typing_extensions", "4.16.0", []),
    ]
    assert missing_requirements(wheels) == []
