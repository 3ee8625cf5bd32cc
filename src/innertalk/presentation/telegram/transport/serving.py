"""Several bots in one process, on the process's one HTTP server.

Each bot keeps its own dispatcher, lanes, webhook route and secret, and receives by long polling
or through its webhook. The first bot is the primary one (``TELEGRAM_BOT_TOKEN``'s): when it
fails the others drain and the failure ends the process, as with a single bot. Another bot's
failure (a revoked token) is logged and the rest carry on. The server closes only after every
bot drained, so updates arriving meanwhile get 503 and are delivered again later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from aiogram.exceptions import TelegramUnauthorizedError
from fastapi import FastAPI

from innertalk.presentation.http import start_http
from innertalk.presentation.telegram.transport.runtime import TelegramBot
from innertalk.presentation.telegram.transport.webhook import Webhook

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ServedBot:
    """A bot and how it receives: its webhook, or long polling (``None``)."""

    bot: TelegramBot
    webhook: Webhook | None = None


async def prepare_others(bots: Sequence[TelegramBot], stop: asyncio.Event) -> list[TelegramBot]:
    """Prepare the non-primary bots concurrently; those whose token Telegram rejects are
    logged and left out (``stop`` set meanwhile leaves out the ones not yet reached)."""

    async def prepared(bot: TelegramBot) -> TelegramBot | None:
        try:
            return bot if await bot.prepare(stop) is not None else None
        except TelegramUnauthorizedError:
            log.error("telegram.bot_rejected", bot_id=bot.bot_id, reason="unauthorized")
            return None

    ready = await asyncio.gather(*(prepared(bot) for bot in bots))
    return [bot for bot in ready if bot is not None]


async def serve_bots(
    bots: Sequence[ServedBot], http_app: FastAPI, *, host: str, port: int, stop: asyncio.Event
) -> None:
    """Serve ``bots`` (the primary one first) and ``http_app`` until ``stop``; raises the
    primary bot's failure after the others drained, and ``ListenError`` before any receives."""
    for served in bots:
        if served.webhook is not None:
            http_app.include_router(served.bot.webhook_routes(served.webhook.secret))
    closing = asyncio.Event()
    server = await start_http(http_app, host=host, port=port, stop=closing)
    try:
        outcomes = await asyncio.gather(
            *(_receive(served, stop) for served in bots), return_exceptions=True
        )
    finally:
        closing.set()
        await server
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def _receive(served: ServedBot, stop: asyncio.Event) -> None:
    try:
        await served.bot.receive(stop, served.webhook)
    except Exception as error:
        if served.bot.primary:
            stop.set()  # the others drain; the process ends as it always has
            raise
        log.error("telegram.bot_failed", bot_id=served.bot.bot_id, error=type(error).__name__)
