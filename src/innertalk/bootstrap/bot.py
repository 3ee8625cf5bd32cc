"""The Telegram bot from the app: its options, screen state, shared lanes and metrics, and
``innertalk bot``'s run until a signal. Imported only by the bot (aiogram takes seconds)."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.utils.token import TokenValidationError, extract_bot_id

from innertalk.application.inbox import UpdateInbox
from innertalk.application.telemetry import BotMetrics
from innertalk.bootstrap.api import api_routers
from innertalk.bootstrap.app import App, build_app
from innertalk.bootstrap.mailings import mailing_desk, mailing_worker, open_mailing_jobs
from innertalk.bootstrap.panel import feature_pages, panel_routers
from innertalk.bootstrap.signals import stopping_on_signals
from innertalk.bootstrap.stores import at_rest_cipher, open_inbox
from innertalk.config import ConfigError, Settings
from innertalk.domain.users import UserKey
from innertalk.infrastructure.fsm import SharedRedisFsmStorage, StoreFsmStorage
from innertalk.infrastructure.lane_queue import RedisLaneQueue
from innertalk.infrastructure.observability.loop_lag import watch_event_loop_lag
from innertalk.infrastructure.observability.metrics import (
    PrometheusBotMetrics,
    count_telegram_error,
)
from innertalk.infrastructure.ratelimit import parse_rate
from innertalk.presentation.http import build_http_app
from innertalk.presentation.panel.page import PanelPage
from innertalk.presentation.telegram.options import BotOptions
from innertalk.presentation.telegram.transport.client import create_bot
from innertalk.presentation.telegram.transport.runtime import (
    ListenError,
    TelegramBot,
    WebhookRefusedError,
)
from innertalk.presentation.telegram.transport.serving import ServedBot, prepare_others, serve_bots
from innertalk.presentation.telegram.transport.webhook import Webhook

log = structlog.get_logger(__name__)

UNAUTHORIZED = "TELEGRAM_BOT_TOKEN: Telegram rejected it (401 Unauthorized)"


def bot_options(settings: Settings) -> BotOptions:
    """The bot's options from settings (admins, the rate limit's window)."""
    return BotOptions(
        admin_ids=frozenset(settings.admin.admin_ids),
        rate_window=float(parse_rate(settings.talk.rate_limit).get_expiry()),
    )


def fsm_storage(app: App) -> BaseStorage:
    """Where the bot keeps screen (FSM) state: Redis when the app has it (every instance sees
    the same screens), else the app's own store (it survives restarts of one instance)."""
    if app.redis is not None:
        return SharedRedisFsmStorage(app.redis, cipher=at_rest_cipher(app.settings))
    return StoreFsmStorage(app.storage)


def telegram_bot(
    app: App,
    bot: Bot,
    *,
    options: BotOptions | None = None,
    metrics: BotMetrics | None = None,
    screens: BaseStorage | None = None,
    inbox: UpdateInbox | None = None,
    settle: Callable[[UserKey | None], Awaitable[None]] | None = None,
    primary: bool = True,
) -> TelegramBot:
    """The bot over ``app``: options from settings, Prometheus metrics, ``fsm_storage`` and
    the shared lanes ``REDIS_URL`` asks for, unless a test passes its own. ``ADMIN_IDS`` are
    the primary bot's operators only: another tenant's bot has no admins of ours."""
    options = options or bot_options(app.settings)
    return TelegramBot(
        bot,
        app.services,
        options if primary else replace(options, admin_ids=frozenset()),
        metrics or PrometheusBotMetrics(),
        fsm_storage=screens or fsm_storage(app),
        lane_queue=_shared_lanes(app, bot.id),
        settle=settle or app.storage.settled,
        inbox=inbox,
        primary=primary,
    )


def _shared_lanes(app: App, bot_id: int) -> RedisLaneQueue | None:
    """Per-person lanes shared through Redis: with ``REDIS_URL`` in webhook mode (behind a
    load balancer one person's updates reach several instances; polling is one instance)."""
    if app.redis is None or not app.settings.shares_lanes:
        return None
    return RedisLaneQueue(app.redis, str(bot_id), cipher=at_rest_cipher(app.settings))


async def run_bot(settings: Settings, extra_tokens: Sequence[str] | None = None) -> None:
    """The Telegram bots until SIGTERM/SIGINT: then they stop receiving, finish what they took
    in, and ``build_app`` stores every queued write. A second signal stops at once.

    ``TELEGRAM_BOT_TOKEN``'s bot is served with the other tenants' bots (``innertalk tenant
    bot add``, read at start; ``extra_tokens`` replaces them in tests) on one HTTP server,
    which also serves the integration API; an extra token that is malformed, repeated or
    rejected is logged and left out, while the default token's problems end the process with a
    config error as always."""
    token = _token(settings)
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)  # a line per update is noise
    stop = asyncio.Event()
    with stopping_on_signals(stop):
        async with build_app(settings) as app, open_inbox(settings, app.redis) as inbox:
            primary = telegram_bot(app, _client(token, app), inbox=inbox)
            if extra_tokens is None:
                extra_tokens = [bot.token for bot in await app.tenancy.directory.bots()]
            others = [
                telegram_bot(app, client, inbox=inbox, primary=False)
                for client in _extra_clients(token, extra_tokens, app)
            ]
            jobs = await open_mailing_jobs(settings)
            lag = asyncio.create_task(watch_event_loop_lag(), name="event-loop-lag")
            try:
                async with mailing_worker(app, [primary, *others], jobs) as mailer:
                    pages = feature_pages(app, mailing_desk(app, jobs, mailer.wake.set))
                    await serve_telegram(primary, others, app, stop, pages)
            finally:
                lag.cancel()
                await asyncio.gather(*(bot.close() for bot in (primary, *others)))
                await jobs.close()


def _token(settings: Settings) -> str:
    secret = settings.telegram.bot_token
    token = secret.get_secret_value().strip() if secret else ""
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN: not set; `innertalk bot` needs the token @BotFather gave"
        )
    if settings.shares_lanes and settings.http.webhook_secret is None:
        # Without it each instance would set its own random secret: only the last one's works.
        raise ConfigError(
            "WEBHOOK_SECRET: not set; with REDIS_URL and WEBHOOK_URL every instance must send "
            "the same secret (1-256 letters, digits, _ and -)"
        )
    return token


def _client(token: str, app: App) -> Bot:
    try:
        return create_bot(
            token,
            sleep=app.services.clock.sleep,
            api_url=app.settings.telegram.api_url,
            on_api_error=count_telegram_error,
        )
    except TokenValidationError:
        raise ConfigError("TELEGRAM_BOT_TOKEN: not shaped like a bot token (123:ABC…)") from None


def _extra_clients(token: str, extra_tokens: Sequence[str], app: App) -> list[Bot]:
    """Clients for the other bots, one per bot id (the default bot's own id excluded)."""
    clients: dict[int, Bot] = {}
    for extra in extra_tokens:
        try:
            bot_id = extract_bot_id(extra.strip())
            if bot_id != extract_bot_id(token) and bot_id not in clients:
                clients[bot_id] = _client(extra.strip(), app)
        except (TokenValidationError, ConfigError):
            log.error("telegram.bot_rejected", reason="malformed token")
    return list(clients.values())


async def serve_telegram(
    primary: TelegramBot,
    others: Sequence[TelegramBot],
    app: App,
    stop: asyncio.Event,
    pages: Sequence[PanelPage] = (),
) -> None:
    """Prepare the bots and serve them on ``HTTP_HOST:HTTP_PORT`` until ``stop``: polling, or
    with ``WEBHOOK_URL`` each bot's webhook. Other bots Telegram rejects are left out."""
    http = app.settings.http
    try:
        if await primary.prepare(stop) is None:
            return  # stopped before Telegram could be reached
    except TelegramUnauthorizedError:
        raise ConfigError(UNAUTHORIZED) from None
    served = [ServedBot(primary, _webhook(app.settings))]
    for other in await prepare_others(others, stop):
        primary.reminder_sender.add_bot(other.bot)
        served.append(ServedBot(other, _webhook(app.settings, other.bot_id)))
    # Everything built so far (≈500,000 objects: modules, aiogram's and the SDKs' models) lives
    # as long as the process; frozen, a full collection no longer walks it (≈300 ms each).
    gc.collect()
    gc.freeze()
    try:
        await serve_bots(
            served,
            build_http_app(
                app.services.health, routers=[*api_routers(app), *panel_routers(app, pages)]
            ),
            host=http.http_host,
            port=http.http_port,
            stop=stop,
        )
    except ListenError as error:
        raise ConfigError(f"HTTP_PORT: {error}") from None
    except WebhookRefusedError as error:
        raise ConfigError(f"WEBHOOK_URL: Telegram refused it: {error}") from None
    except TelegramUnauthorizedError:  # the token was revoked while running
        raise ConfigError(UNAUTHORIZED) from None


def _webhook(settings: Settings, bot_id: str | None = None) -> Webhook | None:
    """The bot's webhook when ``WEBHOOK_URL`` is set (the default bot's: that URL itself;
    another bot's: its own path and secret on the same server), else ``None`` (polling)."""
    http = settings.http
    if not http.webhook_url:
        return None
    given = http.webhook_secret.get_secret_value() if http.webhook_secret else None
    if bot_id is None:
        return Webhook.for_server(http.webhook_url, given)
    return Webhook.for_bot(http.webhook_url, bot_id, given)
