"""The one HTTP server of a process: FastAPI served by uvicorn inside our event loop.

- ``GET /healthz`` — 200 while the process serves requests (liveness).
- ``GET /readyz`` — JSON with each component's state; 503 when a required one is down.
- ``GET /metrics`` — Prometheus text format.
- whatever ``routers`` the entry point adds: the Telegram webhooks (``innertalk bot``), the
  integration API under ``/api/v1`` (OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``).

The operational routes stay out of the OpenAPI schema: it describes the API partners use.
uvicorn logs no request lines (paths may carry a bot's id, bodies what people write), installs
no signal handlers (the entry point owns SIGTERM) and runs no lifespan (the composition root
builds and closes everything around the server).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator, Sequence

import structlog
import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.exception_handlers import http_exception_handler
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from innertalk.application.operations.health import HealthReport, HealthService
from innertalk.presentation.api.problems import Problem

log = structlog.get_logger(__name__)

MAX_BODY = 1024 * 1024
"""The largest request body any route reads (a Telegram update is far smaller)."""

SHUTDOWN_GRACE = 2
"""Seconds in-flight requests get to finish once the server stops."""


class ListenError(Exception):
    """The HTTP server cannot listen where it was told to (port taken, address not local)."""


def report_json(report: HealthReport) -> dict[str, object]:
    """The readiness report as JSON-able data (also printed by ``innertalk health``)."""
    return {
        "ready": report.ready,
        "components": [
            {
                "name": component.name,
                "status": component.status.value,
                "detail": component.detail,
                "required": component.required,
            }
            for component in report.components
        ],
    }


def _operations(health: HealthService, registry: CollectorRegistry) -> APIRouter:
    router = APIRouter()

    # Plain Starlette endpoints: nothing to validate, and no dependency resolution per probe.
    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        report = await health.check()
        return JSONResponse(report_json(report), status_code=200 if report.ready else 503)

    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    for path, endpoint in (("/healthz", healthz), ("/readyz", readyz), ("/metrics", metrics)):
        router.add_route(path, endpoint, methods=["GET"], include_in_schema=False)
    return router


def build_http_app(
    health: HealthService,
    *,
    registry: CollectorRegistry = REGISTRY,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """The application with the operational routes and ``routers``; callers may include more
    routers until it is served."""
    # FastAPI's own schema and docs are off: they would describe the operational routes too,
    # and its Swagger UI loads from a CDN. The API router serves its own, offline, under /api.
    app = FastAPI(title="InnerTalk", openapi_url=None, docs_url=None, redoc_url=None)
    app.add_exception_handler(StarletteHTTPException, _not_served)
    app.include_router(_operations(health, registry))
    for router in routers:
        app.include_router(router)
    return app


async def _not_served(request: Request, error: Exception) -> Response:
    """An unknown path or a method a route does not take: a problem (RFC 9457) under
    ``/api/``, where partners' clients parse every error alike; plain text elsewhere."""
    assert isinstance(error, StarletteHTTPException)
    if request.url.path.startswith("/api/"):
        return Problem(error.status_code, error.detail, headers=error.headers).response()
    return await http_exception_handler(request, error)


class _Server(uvicorn.Server):
    """uvicorn's server without its signal handlers: ``stop`` is the only way to end it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_http(
    app: FastAPI,
    *,
    host: str,
    port: int,
    stop: asyncio.Event,
    listening: asyncio.Event | None = None,
) -> None:
    """Serve ``app`` on host:port until ``stop`` is set, then stop accepting, give in-flight
    requests ``SHUTDOWN_GRACE`` and return. ``ListenError`` when it cannot listen there;
    ``listening`` is set once it can (the bot sets its webhooks only then)."""
    listener = await _listen(host, port)
    if listening is not None:
        listening.set()
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        http="h11",
        ws="none",
        server_header=False,
        # the panel believes X-Forwarded-* only when PANEL_TRUST_PROXY says so; uvicorn would
        # otherwise rewrite the scheme and client of every request from 127.0.0.1
        proxy_headers=False,
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
    )
    server = _Server(config)

    async def exit_on_stop() -> None:
        await stop.wait()
        server.should_exit = True

    watcher = asyncio.create_task(exit_on_stop(), name="http-stop")
    log.info("http.listening", host=host, port=listener.getsockname()[1])
    try:
        await server.serve(sockets=[listener])
    finally:
        watcher.cancel()
        listener.close()


async def start_http(
    app: FastAPI, *, host: str, port: int, stop: asyncio.Event
) -> asyncio.Task[None]:
    """``serve_http`` in a task, returned once the server listens (``ListenError`` if it
    cannot): whoever tells Telegram where to deliver waits for this first."""
    listening = asyncio.Event()
    server = asyncio.create_task(
        serve_http(app, host=host, port=port, stop=stop, listening=listening), name="http"
    )
    waiting = asyncio.create_task(listening.wait())
    try:
        await asyncio.wait({server, waiting}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # cancelled while starting: leave no server behind
        server.cancel()
        raise
    finally:
        waiting.cancel()
    if server.done():
        server.result()  # raises the ListenError
    return server


async def _listen(host: str, port: int) -> socket.socket:
    """A bound, listening socket: binding here (not in uvicorn, which exits the process when it
    cannot) turns a taken port into ``ListenError``."""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        family, kind, proto, _, address = found[0]
        listener = socket.socket(family, kind, proto)
    except OSError as error:
        raise ListenError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(2048)
    except OSError as error:
        listener.close()
        raise ListenError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener.setblocking(False)
    return listener
