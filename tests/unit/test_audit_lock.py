"""The lock audit: which pip-audit reports fail `make check` and which only warn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.audit_lock import judge, main

FIXABLE = {
    "dependencies": [
        {
            "name": "aiohttp",
            "version": "3.12.13",
            "vulns": [{"id": "GHSA-9548-qrrj-x5pj", "fix_versions": ["3.12.14"]}],
        },
        {"name": "yarl", "version": "1.20.1", "vulns": []},
    ]
}
UNFIXED = {
    "dependencies": [
        {"name": "pip", "version": "25.1", "vulns": [{"id": "PYSEC-0", "fix_versions": []}]},
    ]
}
UNREACHABLE = {
    "dependencies": [
        {"name": "aiogram", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    ]
}


def _run(tmp_path: Path, report: dict[str, object]) -> int:
    saved = tmp_path / "audit.json"
    saved.write_text(json.dumps(report), "utf-8")
    return main(["--report", str(saved)])


def test_a_vulnerability_with_a_fixed_release_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A locked version with a fixed advisory fails the audit and names package, id and fix."""
    assert _run(tmp_path, FIXABLE) == 1
    out = capsys.readouterr().out
    assert "aiohttp==3.12.13: GHSA-9548-qrrj-x5pj (fixed in 3.12.14)" in out


def test_a_vulnerability_without_a_fix_only_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An advisory with nothing to upgrade to is listed but does not fail the build."""
    assert _run(tmp_path, UNFIXED) == 0
    assert "no fix yet pip==25.1: PYSEC-0" in capsys.readouterr().out


def test_packages_that_could_not_be_checked_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unreachable service is said out loud, and fails only under AUDIT_STRICT=1."""
    monkeypatch.delenv("AUDIT_STRICT", raising=False)
    assert _run(tmp_path, UNREACHABLE) == 0
    assert "1 of 1 locked packages could not be checked" in capsys.readouterr().out
    monkeypatch.setenv("AUDIT_STRICT", "1")
    assert _run(tmp_path, UNREACHABLE) == 1


def test_judge_counts_what_was_audited() -> None:
    """Audited packages are counted apart from skipped ones, findings split by fix."""
    verdict = judge(FIXABLE)
    assert verdict.audited == 2
    assert [f.package for f in verdict.fixable] == ["aiohttp"]
    assert verdict.unfixed == []
    assert verdict.not_audited == []
