"""TEMPORARY: the one HTTP server on FastAPI/uvicorn, until issue 15h's ``presentation.http``
lands with the same two functions (``build_http_app``, ``serve_http``, same signatures).

At the merge the lead switches ``bootstrap/api.py``'s import to ``innertalk.presentation.http``
and deletes this module (and ``tests/integration/presentation/api/test_asgi_server.py``).

- ``GET /healthz`` — 200 while the process serves requests.
- ``GET /readyz`` — each component's state; 503 when a required one is down.
- ``GET /metrics`` — Prometheus text format.
- whatever ``routers`` add (the integration API under ``/api``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator, Sequence

import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from innertalk.application.operations.health import HealthService
from innertalk.presentation.http import report_json

SHUTDOWN_GRACE = 10.0
"""Seconds open requests (a streamed reply) get to finish once the server stops."""


class ListenError(Exception):
    """The HTTP server cannot listen where it was told to (port taken, address not local)."""


def build_http_app(
    health: HealthService,
    *,
    registry: CollectorRegistry = REGISTRY,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """The app with the operational routes and ``routers``. FastAPI's own schema and docs
    pages are off: the API serves its schema and offline docs itself under ``/api``."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        report = await health.check()
        return JSONResponse(report_json(report), status_code=200 if report.ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    return app


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the entry point owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_http(app: FastAPI, *, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve ``app`` until ``stop`` is set, then shut down gracefully (open requests get
    ``SHUTDOWN_GRACE`` seconds); ``ListenError`` when it cannot listen."""
    listening = _listen(host, port)
    config = uvicorn.Config(
        app,
        log_config=None,  # our structlog set-up stays in charge
        access_log=False,  # a line per request would name people's refs
        lifespan="off",
        timeout_graceful_shutdown=int(SHUTDOWN_GRACE),
    )
    server = _Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listening]), name="http-server")
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await serving
    finally:
        stopping.cancel()
        if not serving.done():
            server.force_exit = True
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
        listening.close()


def _listen(host: str, port: int) -> socket.socket:
    # bound here, not by uvicorn: it would exit the process on a taken port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        raise ListenError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listening.listen(128)
    listening.setblocking(False)
    return listening
