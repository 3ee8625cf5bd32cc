"""The integration API from the app: ``api_routers`` (its routes over the app's use cases and
tenant directory) and ``innertalk api``'s run (one HTTP server: health, metrics, the API and
the operator panel, no Telegram). ``innertalk bot`` serves the same routers next to its webhooks.
"""

from __future__ import annotations

import asyncio
from functools import partial

from fastapi import APIRouter

from innertalk.bootstrap.analytics import analytics_service
from innertalk.bootstrap.app import App, build_app
from innertalk.bootstrap.mailings import mailing_desk, open_mailing_jobs
from innertalk.bootstrap.panel import feature_pages, panel_routers
from innertalk.bootstrap.signals import stopping_on_signals
from innertalk.config import ConfigError, Settings
from innertalk.infrastructure.ratelimit import LimitsRateLimiter, LocalRateLimiter, parse_rate
from innertalk.presentation.api import ApiContext, KeyRate, build_api_router
from innertalk.presentation.http import ListenError, build_http_app, serve_http


def api_routers(app: App) -> list[APIRouter]:
    """The integration API (``/api/v1``, its schema and docs) over ``app``'s use cases and its
    tenant directory (keys created with ``innertalk apikey create``)."""
    context = ApiContext(
        services=app.services,
        directory=app.tenancy.directory,
        refs=app.tenancy.refs,
        key_rates=partial(_key_rate, app),
        message_window=float(parse_rate(app.settings.talk.rate_limit).get_expiry()),
        analytics=analytics_service(app),
    )
    return [build_api_router(context)]


def _key_rate(app: App, rate: str) -> KeyRate:
    """Requests of API keys counted like people's messages: in Redis when the app has it."""
    url = app.settings.storage.redis_url
    window = float(parse_rate(rate).get_expiry())
    if app.redis is not None and url is not None:
        pool = app.redis.connection_pool
        return KeyRate(LimitsRateLimiter(rate, url, pool=pool), window)
    return KeyRate(LocalRateLimiter(rate, timer=app.services.clock.monotonic), window)


async def run_api(settings: Settings) -> None:
    """``innertalk api`` until SIGTERM/SIGINT: then open requests finish (a streamed reply
    gets its grace period) and ``build_app`` stores every queued write."""
    stop = asyncio.Event()
    with stopping_on_signals(stop):
        async with build_app(settings) as app:
            # mailings composed here are sent by a running `innertalk bot` (it polls the jobs)
            jobs = await open_mailing_jobs(settings)
            try:
                pages = feature_pages(app, mailing_desk(app, jobs))
                routers = [*api_routers(app), *panel_routers(app, pages)]
                http = build_http_app(app.services.health, routers=routers)
                await serve_http(
                    http, host=settings.http.http_host, port=settings.http.http_port, stop=stop
                )
            except ListenError as error:
                raise ConfigError(f"HTTP_PORT: {error}") from None
            finally:
                await jobs.close()
