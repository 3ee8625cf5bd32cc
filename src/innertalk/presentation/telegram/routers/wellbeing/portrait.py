"""The portrait (/portrait, 🪞 Portrait): written, or the latest within the cooldown, paged.

Pages are the rendered text split at paragraphs into parts of at most ``PAGE_CHARS`` visible
characters; ‹ Back / Next › edit the message in place (the portrait id travels in the button).
"""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from innertalk.application.services import Services
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.domain.wellbeing import Portrait
from innertalk.presentation.telegram.filters import MenuButton
from innertalk.presentation.telegram.keyboards import wellbeing as kb
from innertalk.presentation.telegram.render.markdown import render_markdown
from innertalk.presentation.telegram.render.split import split_html
from innertalk.presentation.telegram.texts.wellbeing import (
    PORTRAIT,
    portrait_labels,
    say,
    say_in,
)
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.texts import local_day_text, local_time

PAGE_CHARS = 3500


def pages_of(portrait: Portrait) -> list[str]:
    return split_html(render_markdown(portrait.text), PAGE_CHARS) or ["…"]


def page_html(language: Language, pages: list[str], page: int) -> str:
    text = pages[page]
    if len(pages) > 1:
        note = say_in(PORTRAIT, language, "page", page=page + 1, pages=len(pages))
        text += f"\n\n<i>{note}</i>"
    return text


async def on_portrait(
    message: Message, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    language, chat_id = profile.language, message.chat.id
    await sender.html(chat_id, say_in(PORTRAIT, language, "writing"))
    outcome = await services.portraits.portrait(
        key, language=language, labels=portrait_labels(language)
    )
    portrait = outcome.portrait
    if portrait is None:
        await sender.html(chat_id, say_in(PORTRAIT, language, "not_enough"))
        return
    if outcome.fresh:
        await sender.html(chat_id, say_in(PORTRAIT, language, "intro"))
    else:
        zone = profile.timezone
        next_at = outcome.next_at or portrait.created_at
        await sender.html(
            chat_id,
            say_in(
                PORTRAIT,
                language,
                "cooldown",
                date=local_day_text(language, next_at, zone),
                time=local_time(next_at, zone),
                created=f"{local_day_text(language, portrait.created_at, zone)} "
                f"{local_time(portrait.created_at, zone)}",
            ),
        )
    pages = pages_of(portrait)
    await sender.html(
        chat_id,
        page_html(language, pages, 0),
        kb.portrait_pages(language, portrait.id, 0, len(pages)),
    )


async def on_page(
    query: CallbackQuery,
    callback_data: kb.PortraitPage,
    key: UserKey,
    profile: Profile,
    services: Services,
) -> None:
    language = profile.language
    portrait = await services.portraits.stored(key, callback_data.portrait)
    if portrait is None:
        await query.answer(_plain(say(language, "portrait_gone")), show_alert=True)
        return
    await query.answer()
    pages = pages_of(portrait)
    page = min(max(callback_data.page, 0), len(pages) - 1)
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(
                page_html(language, pages, page),
                reply_markup=kb.portrait_pages(language, portrait.id, page, len(pages)),
            )


def _plain(text: str) -> str:
    from innertalk.presentation.telegram.render.markdown import to_plain_text

    return to_plain_text(text)


def build() -> Router:
    router = Router(name="portrait")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_portrait, Command("portrait"))
    router.message.register(on_portrait, MenuButton("portrait"))
    router.callback_query.register(on_page, kb.PortraitPage.filter())
    return router
