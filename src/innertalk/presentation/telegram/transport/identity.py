"""Asking Telegram who the bot is: at start (waiting while Telegram cannot be reached) and for
the health probes (the primary bot's required ``telegram`` component, another bot's optional one).
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.types import User

from innertalk.application.backoff import Backoff
from innertalk.application.operations.health import ComponentHealth, Status

log = structlog.get_logger(__name__)

START_RETRY = Backoff(initial=0.5, maximum=30.0)
"""Waits while Telegram cannot be reached at start: 1 s, 2 s, 4 s … at most 30 s."""

OPTIONAL_PROBE_TIMEOUT = 2.0
"""Below the health check's own timeout, which would report the component as required."""


class BotIdentity:
    """``bot`` as Telegram knows it."""

    def __init__(self, bot: Bot, bot_id: str) -> None:
        self._bot = bot
        self._bot_id = bot_id

    async def identify(self, stop: asyncio.Event) -> User | None:
        """The bot's user, retrying while Telegram is unreachable; ``None`` once ``stop``."""
        failures = 0
        while not stop.is_set():
            try:
                return await self._bot.me()
            except (TelegramNetworkError, TelegramServerError) as error:
                failures += 1
                wait = START_RETRY.delay(failures)
                log.warning("telegram.unreachable", error=type(error).__name__, retry_in=wait)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await stop.wait()
        return None

    async def probe(self) -> ComponentHealth:
        """The required ``telegram`` component (the primary bot's)."""
        me = await self._bot.get_me()
        return ComponentHealth("telegram", Status.UP, f"@{me.username}")

    async def optional_probe(self) -> ComponentHealth:
        """``telegram:<bot id>``: reported, but it does not make the instance unready."""
        name = f"telegram:{self._bot_id}"
        try:
            async with asyncio.timeout(OPTIONAL_PROBE_TIMEOUT):
                me = await self._bot.get_me()
        except Exception as error:  # another tenant's bot down: reported, not fatal
            return ComponentHealth(name, Status.DOWN, type(error).__name__, required=False)
        return ComponentHealth(name, Status.UP, f"@{me.username}", required=False)
