"""The Telegram presentation: the bot, and rendering model text as Telegram HTML.

The bot: ``transport.runtime.TelegramBot`` (start-up, polling or webhook, shutdown) around the
dispatcher of ``app.build_dispatcher`` (middlewares, ``routers/`` one per feature). ``transport/``
gets updates in and messages out (``lanes``: per-person order; ``sender``/``streaming``:
render → split → send, drafts); ``render/`` turns model text into Telegram HTML; ``texts/``
and ``keyboards/`` hold the words (``texts.bot``: ``bot.toml``) and the buttons.
This package's ``__init__`` re-exports only the rendering API below (importing aiogram takes
seconds; the console chat must not pay for it).

Sending a model reply::

    for part in split_html(render_markdown(reply_text)):
        try:
            await bot.send_message(chat_id, part, parse_mode="HTML")
        except TelegramBadRequest:  # should be impossible; never lose the reply over it
            await bot.send_message(chat_id, to_plain_text(part), parse_mode=None)

``parse_telegram_html`` is Telegram's own HTML parser (a pre-send self-check, and what the test
fake validates requests with); its ``TelegramHTMLError`` carries Telegram's wording.
"""

from innertalk.presentation.telegram.render.html_entities import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    ParsedEntity,
    TelegramHTMLError,
    parse_telegram_html,
    utf16_len,
    visible_length,
)
from innertalk.presentation.telegram.render.markdown import render_markdown, to_plain_text
from innertalk.presentation.telegram.render.split import split_html, split_text

__all__ = [
    "CAPTION_LIMIT",
    "MESSAGE_LIMIT",
    "ParsedEntity",
    "TelegramHTMLError",
    "parse_telegram_html",
    "render_markdown",
    "split_html",
    "split_text",
    "to_plain_text",
    "utf16_len",
    "visible_length",
]
