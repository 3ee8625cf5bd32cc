"""Running the real ``innertalk`` process in a scratch directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("innertalk")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "innertalk"]

Run = Callable[..., subprocess.CompletedProcess[str]]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a new user: no keys, no settings, nothing from the developer's shell.

    The crisis layer's sentence encoder is off (it costs seconds and ~150 MB per process);
    ``test_bot_encoder.py`` starts the bot with it on.
    """
    keep = ("PATH", "HOME", "SYSTEMROOT", "TMPDIR", "LANG", "LC_ALL")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["PYTHONUNBUFFERED"] = "1"
    env["SAFETY_ENCODER"] = "off"
    env.update(extra)
    return env


@pytest.fixture
def innertalk(tmp_path: Path) -> Run:
    """Runs ``innertalk ARGS`` in ``tmp_path`` with ``input`` on stdin; returns the result."""

    def run(*args: str, input: str = "", env: dict[str, str] | None = None, timeout: float = 30):
        return subprocess.run(
            [*COMMAND, *args],
            input=input,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env or clean_env(),
            timeout=timeout,
            check=False,
        )

    return run
