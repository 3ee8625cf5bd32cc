"""The layer contracts bite: lint-imports fails when an inner layer imports a framework, driver
or SDK (run on a copy of the package with such imports added)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

INJECTED = {
    "domain/users.py": ("import aiogram", "aiogram"),
    "domain/mood.py": ("import matplotlib.pyplot", "matplotlib"),
    "application/conversation/talk.py": ("import redis.asyncio", "redis"),
    "application/wellbeing/diary.py": ("from openai import AsyncOpenAI", "openai"),
    "application/wellbeing/portraits.py": ("from google import genai", "google"),
    "application/wellbeing/reminders.py": ("import pymongo", "pymongo"),
}
"""Module (under innertalk/) → the import added to it, and the package it reaches."""


def _copy_with_injected_imports(target: Path) -> None:
    shutil.copytree(
        ROOT / "src" / "innertalk",
        target / "src" / "innertalk",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    for relative, (line, _) in INJECTED.items():
        module = target / "src" / "innertalk" / relative
        module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_frameworks_drivers_and_sdks_in_domain_or_application_break_the_contracts(
    tmp_path: Path,
) -> None:
    """An aiogram, matplotlib, redis, openai, google-genai or pymongo import in domain/ or
    application/ makes lint-imports fail, naming each offending import."""
    _copy_with_injected_imports(tmp_path)
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "src")},  # the copy, not the checkout
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    assert "Domain is pure: no frameworks, drivers, SDKs or settings BROKEN" in result.stdout
    for relative, (_, package) in INJECTED.items():
        layer, module = relative.removesuffix(".py").replace("/", ".").split(".", 1)
        # the layer's own contract names the package, and the report names the importer
        assert f"innertalk.{layer} is not allowed to import {package}:" in result.stdout
        assert f"innertalk.{layer}.{module} -> {package}" in result.stdout
