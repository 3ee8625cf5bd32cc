"""Audit the hash-pinned locks for known vulnerabilities; fail on any that has a fixed release.

    .venv/bin/python -m tools.audit_lock requirements.lock requirements-dev.lock
    .venv/bin/python -m tools.audit_lock --report audit.json   # judge a saved pip-audit report

pip-audit (``--disable-pip --require-hashes``: nothing is installed, the lock is read as it
is) asks its vulnerability service about every pinned version. The verdict:

- a vulnerability with a fixed release: exit 1, naming the package, the advisory and the fix
  (raise the floor in pyproject.toml, then ``make lock``);
- a vulnerability with no fix yet: listed, exit 0 (nothing to upgrade to);
- packages the service could not be asked about (no network, an index without the JSON API):
  listed as not audited, exit 0 — unless ``AUDIT_STRICT=1``, which release pipelines with
  network access set so that an audit that could not run fails the build.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

AUDIT_TIMEOUT = 600  # seconds for the whole pip-audit run; each request has its own 15 s
STRICT_VARIABLE = "AUDIT_STRICT"


@dataclass(frozen=True)
class Finding:
    """One advisory against one pinned version."""

    package: str
    version: str
    advisory: str
    fixes: tuple[str, ...]


@dataclass
class Verdict:
    """What a pip-audit report says about the locks."""

    fixable: list[Finding] = field(default_factory=list)
    unfixed: list[Finding] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)
    audited: int = 0

    def exit_code(self, *, strict: bool) -> int:
        if self.fixable or (strict and self.not_audited):
            return 1
        return 0


def judge(report: dict[str, object]) -> Verdict:
    """Sort a pip-audit JSON report into fixable, unfixed and not-audited packages."""
    verdict = Verdict()
    dependencies = report.get("dependencies", [])
    assert isinstance(dependencies, list)
    for entry in dependencies:
        name, version = str(entry.get("name")), str(entry.get("version", "?"))
        if "skip_reason" in entry:
            verdict.not_audited.append(name)
            continue
        verdict.audited += 1
        for vuln in entry.get("vulns", []):
            fixes = tuple(str(fix) for fix in vuln.get("fix_versions", []))
            finding = Finding(name, version, str(vuln.get("id")), fixes)
            (verdict.fixable if fixes else verdict.unfixed).append(finding)
    return verdict


def run_pip_audit(locks: list[Path]) -> dict[str, object]:
    """pip-audit's JSON report on ``locks``; raises ``RuntimeError`` when it produced none."""
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes"]
    command += ["--format", "json", "--progress-spinner", "off", "--timeout", "15"]
    for lock in locks:
        command += ["--requirement", str(lock)]
    done = subprocess.run(  # noqa: S603 - a fixed command on our own lock files
        command, capture_output=True, text=True, timeout=AUDIT_TIMEOUT, check=False
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        lines = done.stderr.strip().splitlines() or ["no output"]
        raise RuntimeError(lines[-1][:300]) from None
    if not isinstance(report, dict):
        raise RuntimeError("pip-audit printed something other than a JSON report")
    return report


def describe(verdict: Verdict) -> list[str]:
    """The lines to print: every finding, then one summary line."""
    lines = [
        f"FIX AVAILABLE {f.package}=={f.version}: {f.advisory} (fixed in {', '.join(f.fixes)})"
        for f in verdict.fixable
    ]
    lines += [f"no fix yet {f.package}=={f.version}: {f.advisory}" for f in verdict.unfixed]
    if verdict.not_audited:
        total = verdict.audited + len(verdict.not_audited)
        lines.append(
            f"audit incomplete: {len(verdict.not_audited)} of {total} locked packages could not "
            "be checked (the vulnerability service did not answer for them); "
            f"{STRICT_VARIABLE}=1 makes this fail"
        )
    lines.append(
        f"audit: {verdict.audited} packages checked, {len(verdict.fixable)} vulnerabilities "
        f"with a fix, {len(verdict.unfixed)} without"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("locks", nargs="*", type=Path, help="hash-pinned requirement files")
    parser.add_argument("--report", type=Path, help="judge a saved pip-audit JSON report")
    args = parser.parse_args(argv)
    strict = os.environ.get(STRICT_VARIABLE, "") not in ("", "0", "false")
    try:
        if args.report is not None:
            report = json.loads(args.report.read_text("utf-8"))
        else:
            report = run_pip_audit(args.locks)
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as error:
        print(f"audit could not run: {error}")
        return 1 if strict else 0
    verdict = judge(report)
    for line in describe(verdict):
        print(line)
    return verdict.exit_code(strict=strict)


if __name__ == "__main__":
    sys.exit(main())
