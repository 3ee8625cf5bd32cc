"""Showing a reply while the model writes it, and stopping it when the person asks.

``DraftStream`` sends ``sendMessageDraft`` with the reply so far — the first at once (Telegram
shows an empty draft as "Thinking…"), then at most one every ``interval`` — with ``can_stop``,
so the person sees a stop button. Where drafts fail (an old local Bot API server, a chat that
does not allow them) it sends the typing action every few seconds instead. Leaving the stream
waits for the draft in flight, so no stale draft can arrive after the final message.

``Generations`` maps (chat, draft) to the stop signal of the reply being written there; the
``stopped_message_generation`` update sets it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from types import TracebackType

import structlog
from aiogram import Bot
from aiogram.enums import ChatAction, ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
)

from innertalk.presentation.telegram.render.markdown import render_markdown, to_plain_text
from innertalk.presentation.telegram.render.split import split_html

log = structlog.get_logger(__name__)

TYPING_EVERY = 4.5
"""Telegram shows "typing…" for 5 seconds after each action."""


class DraftSupport:
    """Whether the Bot API server knows ``sendMessageDraft`` (learnt from its first 404)."""

    def __init__(self) -> None:
        self.available = True


class DraftStream:
    """The reply so far, shown to one chat; use as ``async with``, feed ``show``."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        draft_id: int,
        *,
        support: DraftSupport,
        interval: float = 0.3,
        typing_every: float = TYPING_EVERY,
    ) -> None:
        self._bot, self._chat_id, self._draft_id = bot, chat_id, draft_id
        self._support = support
        self._interval, self._typing_every = interval, typing_every
        self._drafting = support.available
        self._blocked = False
        self._latest = ""
        self._shown: str | None = None
        self._wake = asyncio.Event()
        self._closing = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None

    async def __aenter__(self) -> DraftStream:
        self._pump = asyncio.create_task(self._run())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closing.set()
        self._wake.set()
        if self._pump is not None:
            await self._pump

    async def show(self, text: str) -> None:
        """The reply so far (a ``TalkService`` chunk sink); shown on the next update."""
        self._latest = text
        self._wake.set()

    async def _run(self) -> None:
        try:
            while True:
                self._wake.clear()
                if self._drafting:
                    await self._draft()
                    if not self._drafting and not self._blocked:
                        # drafts just failed here: typing at once instead, even when the
                        # reply is already written (the person still sees something happen)
                        continue
                    if self._closing.is_set():
                        return
                else:
                    await self._typing()
                pause = self._interval if self._drafting else self._typing_every
                if await _closed(self._closing, pause):
                    return
                if self._drafting:
                    await self._wake.wait()  # new text, or the stream closing
                    if self._closing.is_set():
                        return
        except Exception as error:  # showing progress must never break the reply itself
            log.warning("telegram.stream_failed", error=type(error).__name__)

    async def _draft(self) -> None:
        text = self._latest
        if text == self._shown:
            return
        parts = split_html(render_markdown(text))
        html = parts[-1] if parts else ""  # "" shows Telegram's "Thinking…"
        try:
            await self._send_draft(html, ParseMode.HTML)
        except TelegramBadRequest as error:
            if "can't parse entities" in error.message:
                await self._send_draft(to_plain_text(html), None)
            else:
                self._give_up_drafts(error, everywhere=False)
                return
        except TelegramNotFound as error:  # the server does not know the method
            self._give_up_drafts(error, everywhere=True)
            return
        except TelegramRetryAfter as error:  # drafts are disposable: skip this one
            log.info("telegram.draft_throttled", retry_after=error.retry_after)
            return
        except TelegramForbiddenError:
            self._drafting = False  # the final message reports the block
            self._blocked = True
            self._closing.set()
            return
        except TelegramNetworkError as error:
            log.info("telegram.draft_failed", error=type(error).__name__)
            return
        self._shown = text

    async def _send_draft(self, text: str, parse_mode: ParseMode | None) -> None:
        await self._bot.send_message_draft(
            chat_id=self._chat_id,
            draft_id=self._draft_id,
            text=text,
            parse_mode=parse_mode,
            can_stop=True,
        )

    def _give_up_drafts(self, error: TelegramAPIError, *, everywhere: bool) -> None:
        log.info("telegram.drafts_unavailable", error=type(error).__name__, everywhere=everywhere)
        self._drafting = False
        if everywhere:
            self._support.available = False

    async def _typing(self) -> None:
        with contextlib.suppress(TelegramAPIError):
            await self._bot.send_chat_action(self._chat_id, ChatAction.TYPING)


async def _closed(closing: asyncio.Event, within: float) -> bool:
    """Wait up to ``within`` seconds for ``closing``; whether it is set."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(within):
            await closing.wait()
    return closing.is_set()


class Generations:
    """Stop signals of the replies being written, by (chat, draft)."""

    def __init__(self) -> None:
        self._running: dict[tuple[int, int], asyncio.Event] = {}

    @contextlib.contextmanager
    def running(self, chat_id: int, draft_id: int) -> Iterator[asyncio.Event]:
        stop = asyncio.Event()
        self._running[chat_id, draft_id] = stop
        try:
            yield stop
        finally:
            if self._running.get((chat_id, draft_id)) is stop:
                del self._running[chat_id, draft_id]

    def stop(self, chat_id: int, draft_id: int) -> bool:
        """Stop the reply being written as ``draft_id`` in ``chat_id``; ``False`` if none is."""
        stop = self._running.get((chat_id, draft_id))
        if stop is None:
            return False
        stop.set()
        return True
