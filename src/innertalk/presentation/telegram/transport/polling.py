"""Long polling: fetch updates, hand them to the lanes, confirm only what was handled.

An update counts as confirmed once ``getUpdates`` is called with a higher offset. While
running, the offset moves past everything taken in (the lanes own it from then on); at
shutdown, after the lanes drained, one last call confirms up to the first update that never
finished — so an update cut off by a shutdown is delivered again, and nothing handled is.

With the durable inbox, a batch is cleaned and filed before the offset moves past it: when
the inbox cannot be written the offset stays, and the same batch is fetched again after a
backoff — an update Telegram was told about is always on disk first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import structlog
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates
from aiogram.types import Update

from innertalk.application.backoff import Backoff
from innertalk.application.inbox import InboxUnavailableError
from innertalk.presentation.telegram.transport.inboxed import InboxedUpdates, edge_update
from innertalk.presentation.telegram.transport.lanes import UpdateLanes

log = structlog.get_logger(__name__)

RETRY = Backoff(initial=0.5, maximum=30.0)
"""Waits after failed polls in a row: 1 s, 2 s, 4 s … at most 30 s."""


async def poll(
    bot: Bot,
    lanes: UpdateLanes,
    stop: asyncio.Event,
    *,
    allowed_updates: list[str],
    timeout: int = 30,  # noqa: ASYNC109 - the long poll's wait, sent to Telegram
    inbox: InboxedUpdates | None = None,
) -> int | None:
    """Feed ``lanes`` until ``stop`` is set; returns the next offset (``None``: nothing came).

    ``inbox``: where each batch is filed before its offset is confirmed."""
    offset: int | None = None
    failures = 0
    while not stop.is_set():
        request = GetUpdates(offset=offset, timeout=timeout, allowed_updates=allowed_updates)
        try:
            updates = await _unless_stopped(bot(request, request_timeout=timeout + 15), stop)
        except TelegramUnauthorizedError:
            raise
        except TelegramAPIError as error:
            failures += 1
            wait = (
                float(error.retry_after)
                if isinstance(error, TelegramRetryAfter)
                else RETRY.delay(failures)
            )
            log.warning("telegram.poll_failed", error=type(error).__name__, retry_in=wait)
            await _sleep_unless_stopped(wait, stop)
            continue
        if updates is None:
            break
        try:
            taken = await _filed(bot, updates, inbox)
        except InboxUnavailableError as error:
            failures += 1
            wait = RETRY.delay(failures)
            log.warning("bot.inbox_unavailable", step="file", error=str(error), retry_in=wait)
            await _sleep_unless_stopped(wait, stop)
            continue  # the offset stays: the same batch comes again
        failures = 0
        for update in taken:
            lanes.submit(update)
        if updates:
            offset = updates[-1].update_id + 1
    return offset


async def _filed(bot: Bot, updates: list[Update], inbox: InboxedUpdates | None) -> list[Update]:
    """``updates`` cleaned at the edge and, with an inbox, filed: the ones to handle now."""
    cleaned = [edge_update(update, bot) for update in updates]
    if inbox is None:
        return [update for update, _ in cleaned]
    return await inbox.file(cleaned) if cleaned else []


async def confirm(bot: Bot, offset: int | None) -> None:
    """Tell Telegram every update below ``offset`` is handled (best effort)."""
    if offset is None:
        return
    with contextlib.suppress(TelegramAPIError):
        await bot(GetUpdates(offset=offset, limit=1, timeout=0), request_timeout=10)


async def _unless_stopped(
    work: Coroutine[Any, Any, list[Update]], stop: asyncio.Event
) -> list[Update] | None:
    """``work``'s result, or ``None`` (and ``work`` cancelled) if ``stop`` is set first."""
    request = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not request.done():
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramAPIError):
                await request
    return None if request.cancelled() else request.result()


async def _sleep_unless_stopped(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()
