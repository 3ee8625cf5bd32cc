"""The interim ASGI server (``presentation/asgi_server.py``; replaced by 15h's at the merge):
operational routes, a taken port, a graceful stop."""

from __future__ import annotations

import asyncio
import socket

import httpx2
import pytest
from prometheus_client import CollectorRegistry

from innertalk.application.operations.health import HealthService
from innertalk.presentation.asgi_server import ListenError, build_http_app, serve_http
from tests.integration.presentation.api.harness import free_port, live


async def test_health_and_metrics_are_served() -> None:
    """/healthz answers ok, /readyz the (empty) report, /metrics the registry's text."""
    app = build_http_app(HealthService({}), registry=CollectorRegistry())
    async with live(app) as url, httpx2.AsyncClient(base_url=url) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/readyz")).json()["ready"] is True
        metrics = await client.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain")


async def test_a_taken_port_is_a_listen_error() -> None:
    """Another socket on the port: ListenError naming it, not an exit from inside uvicorn."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = build_http_app(HealthService({}), registry=CollectorRegistry())
        with pytest.raises(ListenError, match=str(port)):
            await serve_http(app, host="127.0.0.1", port=port, stop=asyncio.Event())


async def test_setting_stop_ends_serving() -> None:
    """serve_http returns once ``stop`` is set, and the port is free again."""
    port = free_port()
    stop = asyncio.Event()
    app = build_http_app(HealthService({}), registry=CollectorRegistry())
    serving = asyncio.create_task(serve_http(app, host="127.0.0.1", port=port, stop=stop))
    async with httpx2.AsyncClient() as client:
        assert (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    stop.set()
    async with asyncio.timeout(15):
        await serving
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))
