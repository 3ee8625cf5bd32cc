"""The hash-pinned locks: complete, consistent with pyproject.toml, and what every install uses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[2]
LOCKS = ("requirements.lock", "requirements-dev.lock", "requirements-build.lock")
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[A-Za-z0-9._,-]+\])?==([^\s;\\]+)")
"""``name==version`` or ``name[extras]==version`` (the locks keep extras)."""


def _pins(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for every requirement in ``lock``."""
    pins: dict[str, tuple[str, int]] = {}
    name = ""
    for line in (ROOT / lock).read_text("utf-8").splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match[1])
            pins[name] = (match[2], 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = pins[name]
            pins[name] = (version, hashes + 1)
        elif line.strip() and not line.lstrip().startswith("#"):
            assert line.startswith("    "), f"{lock}: unpinned line {line!r}"
    return pins


def _project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_requirement_is_pinned_with_hashes(lock: str) -> None:
    """Each lock pins exact versions, each with at least one sha256, so pip can verify them."""
    pins = _pins(lock)
    assert pins
    assert all(hashes for _, hashes in pins.values()), lock


def test_the_runtime_lock_satisfies_every_dependency() -> None:
    """Every runtime dependency of pyproject.toml is locked at a version its range allows."""
    pins = _pins("requirements.lock")
    for spec in _project()["dependencies"]:  # type: ignore[attr-defined]
        requirement = Requirement(spec)
        version, _ = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), (spec, version)


def test_the_dev_lock_runs_the_versions_the_image_ships() -> None:
    """Tests run on exactly the versions the image installs (the dev lock is constrained)."""
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    for extra in _project()["optional-dependencies"]["dev"]:  # type: ignore[index]
        assert canonicalize_name(Requirement(extra).name) in dev
    assert {name: dev[name][0] for name in runtime} == {n: v for n, (v, _) in runtime.items()}


def test_aiohttp_floor_excludes_the_request_smuggling_releases() -> None:
    """aiohttp below 3.12.14 (CVE-2025-53643) cannot be installed from pyproject.toml."""
    (spec,) = [s for s in _project()["dependencies"] if s.startswith("aiohttp")]  # type: ignore[attr-defined]
    assert not Requirement(spec.split("#")[0]).specifier.contains("3.12.13")


def test_every_install_verifies_hashes() -> None:
    """make, CI (through make) and the image install only from the locks, hash-checked."""
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "pip install --quiet --require-hashes -r $(DEV_LOCK)" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "--require-hashes -r requirements-build.lock" in dockerfile
    assert "--no-build-isolation" in dockerfile
    assert re.search(r"\bmake check\b", (ROOT / ".ci" / "run").read_text("utf-8"))
