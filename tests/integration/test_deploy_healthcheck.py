"""The Dockerfile's HEALTHCHECK command, run as Docker would, against the real HTTP app."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

from innertalk.application.operations.health import ComponentHealth, HealthService, Status
from innertalk.presentation.http import build_http_app
from tests.integration.http_harness import served
from tests.integration.test_deploy_files import dockerfile_healthcheck_argv


async def _down() -> ComponentHealth:
    return ComponentHealth("storage", Status.DOWN, "unreachable")


async def _run_healthcheck(port: int) -> int:
    argv = dockerfile_healthcheck_argv()
    assert argv[0] == "python"
    env = {**os.environ, "HTTP_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *argv[1:],
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await asyncio.wait_for(process.wait(), timeout=30)


async def test_healthcheck_passes_while_the_server_answers() -> None:
    """Exit 0 when /healthz answers on HTTP_PORT, even with a dependency down (liveness)."""
    async with served(build_http_app(HealthService({"storage": _down}))) as base:
        assert await _run_healthcheck(int(base.rsplit(":", 1)[1])) == 0


async def test_healthcheck_fails_when_nothing_listens() -> None:
    """A non-zero exit (unhealthy) when the port is closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert await _run_healthcheck(port) != 0
