"""The HTTP server: liveness, readiness, Prometheus metrics (and the Telegram webhook route,
added by the bot when it runs in webhook mode).

- ``GET /healthz`` — 200 while the process serves requests (liveness).
- ``GET /readyz`` — JSON with each component's state; 503 when a required one is down.
- ``GET /metrics`` — Prometheus text format.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from innertalk.application.operations.health import HealthReport, HealthService

HEALTH_KEY = web.AppKey("health", HealthService)
REGISTRY_KEY = web.AppKey("registry", CollectorRegistry)


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


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _readyz(request: web.Request) -> web.Response:
    report = await request.app[HEALTH_KEY].check()
    return web.json_response(report_json(report), status=200 if report.ready else 503)


async def _metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[REGISTRY_KEY])
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


def build_http_app(
    health: HealthService, *, registry: CollectorRegistry = REGISTRY
) -> web.Application:
    """The aiohttp application with the operational routes; callers may add more routes."""
    app = web.Application(client_max_size=1024 * 1024)
    app[HEALTH_KEY] = health
    app[REGISTRY_KEY] = registry
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    return app
