"""The operational HTTP routes, served by the real uvicorn server on loopback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import aiohttp
import pytest
from fastapi import APIRouter

from innertalk.application.operations.health import ComponentHealth, HealthService, Status
from innertalk.infrastructure.observability import metrics  # noqa: F401 - registers InnerTalk's metrics
from innertalk.presentation.http import ListenError, build_http_app, serve_http, start_http
from tests.integration.http_harness import free_port, served


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


class Client:
    """An aiohttp client session bound to one served app's base URL."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    async def get(self, path: str) -> aiohttp.ClientResponse:
        async with self.http.get(self.base + path) as response:
            await response.read()
            return response


ClientFor = Callable[[HealthService], Awaitable[Client]]


@pytest.fixture
async def client_for() -> AsyncIterator[ClientFor]:
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())

        async def make(health: HealthService) -> Client:
            base = await stack.enter_async_context(served(build_http_app(health)))
            return Client(http, base)

        yield make


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


async def test_routers_given_to_the_app_are_served_next_to_the_operational_routes(
    client_for: ClientFor,
) -> None:
    """Routers passed to ``build_http_app`` answer on the same server; the app serves no schema
    or CDN-loaded docs of its own (the API router serves its own, offline), and an unknown
    path under /api is a problem (RFC 9457) while elsewhere it stays plain."""
    router = APIRouter()

    @router.get("/api/v1/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    async with (
        aiohttp.ClientSession() as http,
        served(build_http_app(HealthService({"storage": up}), routers=[router])) as base,
    ):
        async with http.get(base + "/api/v1/ping") as pong:
            assert (pong.status, await pong.json()) == (200, {"pong": "yes"})
        for path in ("/api/openapi.json", "/api/docs", "/docs", "/openapi.json"):
            async with http.get(base + path) as missing:
                assert missing.status == 404, path
        async with http.get(base + "/api/v1/nowhere") as unknown:
            assert unknown.content_type == "application/problem+json"
            assert (await unknown.json())["status"] == 404
        async with http.post(base + "/api/v1/ping") as wrong_method:
            assert wrong_method.status == 405
            assert wrong_method.content_type == "application/problem+json"
        async with http.get(base + "/elsewhere") as plain:
            assert plain.content_type == "application/json"
        async with http.get(base + "/healthz") as live:
            assert live.status == 200


async def test_a_taken_port_is_a_listen_error_naming_it() -> None:
    """Serving on a port another socket holds raises ``ListenError`` (the bot turns it into the
    one-line ``HTTP_PORT`` config error), not uvicorn's exit of the whole process."""
    async with served(build_http_app(HealthService({}))) as base:
        taken = int(base.rsplit(":", 1)[1])
        with pytest.raises(ListenError, match=f"cannot listen on 127.0.0.1:{taken}"):
            await serve_http(
                build_http_app(HealthService({})),
                host="127.0.0.1",
                port=taken,
                stop=asyncio.Event(),
            )


async def test_the_server_stops_gracefully_letting_a_request_in_flight_finish() -> None:
    """Setting ``stop`` while a request is being answered lets it finish (200) before the
    server returns; afterwards it accepts no connection."""
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow() -> ComponentHealth:
        entered.set()
        await release.wait()
        return ComponentHealth("storage", Status.UP, "sqlite")

    port = free_port()
    stop = asyncio.Event()
    app = build_http_app(HealthService({"storage": slow}, timeout=10))
    server = await start_http(app, host="127.0.0.1", port=port, stop=stop)
    async with aiohttp.ClientSession() as http:
        request = asyncio.create_task(http.get(f"http://127.0.0.1:{port}/readyz"))
        await entered.wait()
        stop.set()
        finished, _ = await asyncio.wait({server}, timeout=0.3)
        assert not finished  # still serving the request in flight
        release.set()
        async with await request as response:
            assert response.status == 200
        await asyncio.wait_for(server, timeout=5)
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(f"http://127.0.0.1:{port}/healthz")


async def test_the_server_logs_no_request_line(caplog: pytest.LogCaptureFixture) -> None:
    """No access log: a request's path and query (which may carry ids or tokens) reach no log
    record, even with every logger at DEBUG."""
    caplog.set_level(logging.DEBUG)
    async with (
        served(build_http_app(HealthService({}))) as base,
        aiohttp.ClientSession() as http,
        http.get(base + "/healthz?token=123:SECRET-in-the-query") as response,
    ):
        assert response.status == 200
    assert "SECRET-in-the-query" not in caplog.text
    assert "/healthz" not in caplog.text
