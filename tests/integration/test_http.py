"""The operational HTTP routes, served by the real aiohttp server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from innertalk.application.operations.health import ComponentHealth, HealthService, Status
from innertalk.infrastructure.observability import metrics  # noqa: F401 - registers InnerTalk's metrics
from innertalk.presentation.http import build_http_app


async def up() -> ComponentHealth:
    return ComponentHealth("storage", Status.UP, "sqlite")


async def degraded() -> list[ComponentHealth]:
    return [
        ComponentHealth("llm:gemini", Status.DEGRADED, "breaker open", required=False),
        ComponentHealth("llm:offline", Status.UP),
    ]


async def broken() -> ComponentHealth:
    raise ConnectionError("refused")


async def hanging() -> ComponentHealth:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


Client = TestClient[web.Request, web.Application]
ClientFor = Callable[[HealthService], Awaitable[Client]]


@pytest.fixture
async def client_for() -> AsyncIterator[ClientFor]:
    clients: list[Client] = []

    async def make(health: HealthService) -> Client:
        client: Client = TestClient(TestServer(build_http_app(health)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def test_liveness_answers_without_checking_anything(client_for: ClientFor) -> None:
    """/healthz is 200 even when every dependency is down."""
    client = await client_for(HealthService({"storage": broken}))
    response = await client.get("/healthz")
    assert response.status == 200


async def test_readiness_lists_components_and_is_200_when_required_ones_work(
    client_for: ClientFor,
) -> None:
    """/readyz is 200 with a degraded optional component, and lists every component."""
    client = await client_for(HealthService({"storage": up, "llm": degraded}))
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 200
    assert body["ready"] is True
    assert [c["name"] for c in body["components"]] == ["storage", "llm:gemini", "llm:offline"]
    assert body["components"][1]["status"] == "degraded"


async def test_readiness_is_503_when_a_required_component_fails_or_hangs(
    client_for: ClientFor,
) -> None:
    """A probe that raises or times out marks its component down and the instance not ready."""
    health = HealthService({"storage": broken, "telegram": hanging}, timeout=0.1)
    client = await client_for(health)
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 503
    assert {c["name"]: c["status"] for c in body["components"]} == {
        "storage": "down",
        "telegram": "down",
    }
    assert "refused" not in str(body)


async def test_metrics_are_prometheus_text(client_for: ClientFor) -> None:
    """/metrics serves the Prometheus exposition format with InnerTalk's metrics."""
    client = await client_for(HealthService({"storage": up}))
    response = await client.get("/metrics")
    text = await response.text()
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "innertalk_write_behind_queue_depth" in text
