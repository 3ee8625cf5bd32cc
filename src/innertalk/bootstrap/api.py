"""The integration API from the app: ``api_routers`` (its routes over the app's use cases) and
``innertalk api``'s run (one HTTP server: health, metrics and the API, no Telegram).

For the lead, at the merge of issue 15:
- import ``build_http_app``/``serve_http``/``ListenError`` from ``innertalk.presentation.http``
  (15h) and delete ``presentation/asgi_server.py``;
- pass 15t's ``TenantDirectory`` and ``PersonRefs`` (from the app) to ``api_routers`` in
  ``run_api`` and in the bot's server (``innertalk bot`` serves the same routes), and delete
  ``infrastructure/interim_tenancy.py`` with the ``INTEGRATION_API_KEY`` setting and
  ``_interim_tenancy``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from functools import partial

from fastapi import APIRouter

from innertalk.application.tenancy import PersonRefs, TenantDirectory
from innertalk.bootstrap.app import App, build_app
from innertalk.config import ConfigError, Settings
from innertalk.infrastructure.interim_tenancy import InProcessPersonRefs, SingleKeyDirectory
from innertalk.infrastructure.ratelimit import LimitsRateLimiter, LocalRateLimiter, parse_rate
from innertalk.presentation.api import ApiContext, KeyRate, build_api_router
from innertalk.presentation.asgi_server import ListenError, build_http_app, serve_http


def api_routers(app: App, *, directory: TenantDirectory, refs: PersonRefs) -> list[APIRouter]:
    """The integration API (``/api/v1``, its schema and docs) over ``app``'s use cases."""
    context = ApiContext(
        services=app.services,
        directory=directory,
        refs=refs,
        key_rates=partial(_key_rate, app),
        message_window=float(parse_rate(app.settings.talk.rate_limit).get_expiry()),
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


def _api_key(settings: Settings) -> str:
    secret = settings.http.integration_api_key
    if secret is None:
        raise ConfigError(
            "INTEGRATION_API_KEY: not set; `innertalk api` needs the key partners send"
        )
    return secret.get_secret_value().strip()


def _interim_tenancy(app: App, secret: str) -> tuple[TenantDirectory, PersonRefs]:
    """``INTEGRATION_API_KEY`` as the default tenant's one key (until the tenant stores land)."""
    token = app.settings.telegram.bot_token
    # the default tenant owns TELEGRAM_BOT_TOKEN's bot: its id is the token's first part
    bot_ids = (token.get_secret_value().split(":", 1)[0],) if token else ()
    now = app.services.clock.now()
    directory = SingleKeyDirectory(secret, created_at=now, bot_ids=bot_ids)
    return directory, InProcessPersonRefs()


async def run_api(settings: Settings) -> None:
    """``innertalk api`` until SIGTERM/SIGINT: then open requests finish (a streamed reply
    gets its grace period) and ``build_app`` stores every queued write."""
    secret = _api_key(settings)
    stop = asyncio.Event()
    with _stopping_on_signals(stop):
        async with build_app(settings) as app:
            directory, refs = _interim_tenancy(app, secret)
            routers = api_routers(app, directory=directory, refs=refs)
            http = build_http_app(app.services.health, routers=routers)
            try:
                await serve_http(
                    http, host=settings.http.http_host, port=settings.http.http_port, stop=stop
                )
            except ListenError as error:
                raise ConfigError(f"HTTP_PORT: {error}") from None


@contextlib.contextmanager
def _stopping_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """The first SIGINT/SIGTERM sets ``stop`` (graceful); a second cancels everything.
    (The bot has its own copy: importing it would import aiogram.)"""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def signalled() -> None:
        if stop.is_set() and task is not None:
            task.cancel()
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, signalled)
    try:
        yield
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
