"""Sending text to Telegram: render → split → send, with a plain-text fallback.

Every message the bot sends is Telegram HTML. Model text goes through ``render_markdown`` and
``split_html`` (parts of at most 4096 visible characters, never cut inside a tag); if Telegram
still refuses a part with "can't parse entities", that part is resent as plain text, so a reply
is never lost to formatting. A keyboard goes under the last part.
"""

from __future__ import annotations

import structlog
from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove

from innertalk.domain.users import Language
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.render.markdown import render_markdown, to_plain_text
from innertalk.presentation.telegram.render.split import split_html
from innertalk.presentation.telegram.texts.bot import say
from innertalk.presentation.telegram.transport.streaming import DraftStream, DraftSupport

log = structlog.get_logger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove

_UNPARSEABLE = "can't parse entities"


class Sender:
    """Sends the bot's messages; one per bot, shared by every handler."""

    def __init__(self, bot: Bot, *, draft_interval: float = 0.3) -> None:
        self.bot = bot
        self._drafts = DraftSupport()
        self._draft_interval = draft_interval

    async def html(
        self, chat_id: int, html: str, reply_markup: Markup | None = None
    ) -> Message | None:
        """Send ``html`` (split when longer than one message); the last message sent."""
        parts = split_html(html)
        sent = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await self._part(chat_id, part, reply_markup if last else None)
        return sent

    async def say(
        self,
        chat_id: int,
        language: Language,
        key: str,
        reply_markup: Markup | None = None,
        **fields: object,
    ) -> Message | None:
        """Send the localized text ``key``."""
        return await self.html(chat_id, say(language, key, **fields), reply_markup)

    async def reply(
        self,
        chat_id: int,
        text: str,
        *,
        language: Language,
        turn_id: str = "",
        stopped: bool = False,
    ) -> None:
        """The companion's reply (model Markdown), with 👍/👎 for ``turn_id`` under it."""
        html = render_markdown(text)
        if stopped:
            html = f"{html}\n\n<i>{say(language, 'stopped_note')}</i>".strip()
        markup = keyboards.feedback(language, turn_id) if turn_id else None
        await self.html(chat_id, html, markup)

    def stream(self, chat_id: int, draft_id: int) -> DraftStream:
        """Shows a reply as it is written (drafts, or the typing action where drafts fail)."""
        return DraftStream(
            self.bot, chat_id, draft_id, support=self._drafts, interval=self._draft_interval
        )

    async def _part(self, chat_id: int, part: str, markup: Markup | None) -> Message:
        try:
            return await self.bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except TelegramBadRequest as error:
            if _UNPARSEABLE not in error.message:
                raise
        # the renderer makes this impossible; if Telegram disagrees, the words still arrive
        log.warning("telegram.html_refused", fallback="plain_text")
        return await self.bot.send_message(
            chat_id, to_plain_text(part), parse_mode=None, reply_markup=markup
        )
