"""``innertalk health`` against the real HTTP app on a free port, and ``innertalk keygen``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from innertalk.application.operations.health import ComponentHealth, HealthService, Status
from innertalk.cli import main
from innertalk.infrastructure.crypto import parse_key
from innertalk.presentation.http import build_http_app, start_http
from tests.e2e.bot_process import free_port
from tests.integration.bot_harness import isolate


def _probe(status: Status, detail: str, *, required: bool = True) -> object:
    async def probe() -> ComponentHealth:
        return ComponentHealth("llm", status, detail, required=required)

    return probe


@asynccontextmanager
async def serving(health: HealthService, port: int) -> AsyncIterator[None]:
    stop = asyncio.Event()
    with capture_logs():  # the server's start-up line would land in the CLI's stdout
        server = await start_http(build_http_app(health), host="127.0.0.1", port=port, stop=stop)
    try:
        yield
    finally:
        stop.set()
        await server


async def _health(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, port: int | str) -> int:
    isolate(monkeypatch, tmp_path, HTTP_HOST="0.0.0.0", HTTP_PORT=str(port))
    return await asyncio.to_thread(main, ["--env-file", str(tmp_path / "none.env"), "health"])


@pytest.mark.parametrize(
    ("status", "required", "code", "verdict"),
    [
        (Status.UP, True, 0, "ready"),
        (Status.DEGRADED, True, 1, "ready"),
        (Status.DOWN, False, 1, "ready"),
        (Status.DOWN, True, 1, "NOT READY"),
    ],
)
async def test_health_prints_the_component_table_and_exits_by_the_worst_status(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    status: Status,
    required: bool,
    code: int,
    verdict: str,
) -> None:
    """0 only when every component is up; degraded, an optional one down or not ready → 1;
    the table shows each component's name, status and detail."""
    port = free_port()
    health = HealthService({"llm": _probe(status, "gemini closed", required=required)})  # type: ignore[dict-item]
    async with serving(health, port):
        assert await _health(monkeypatch, tmp_path, port) == code
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == verdict
    assert lines[1].split() == ["component", "status", "detail"]
    assert lines[2].split() == ["llm", status.value, "gemini", "closed"]


async def test_health_says_in_one_line_when_nothing_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No instance running: one clear line on stderr and exit 1."""
    port = free_port()
    assert await _health(monkeypatch, tmp_path, port) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.startswith(f"innertalk: nothing answers at http://127.0.0.1:{port}/readyz")


async def test_health_with_a_bad_setting_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An unusable HTTP_PORT stops with the configuration-error line and exit 2."""
    assert await _health(monkeypatch, tmp_path, "not-a-port") == 2
    assert "configuration error: HTTP_PORT" in capsys.readouterr().err


def test_keygen_prints_a_fresh_usable_encryption_key(capsys: pytest.CaptureFixture[str]) -> None:
    """Each run prints a new 32-byte key that ENCRYPTION_KEY accepts."""
    assert main(["keygen"]) == 0
    assert main(["keygen"]) == 0
    first, second = capsys.readouterr().out.split()
    assert first != second
    assert len(parse_key(first)) == 32
