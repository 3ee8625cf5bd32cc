"""The "choose your country" button under a crisis notice: the list, then that country's lines.

It works before consent too (a notice can answer the very first words someone writes), and
stores nothing: the choice only rebuilds the notice in place.
"""

from __future__ import annotations

import contextlib

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from innertalk.domain.users import Language
from innertalk.presentation.telegram import hotline_keyboards
from innertalk.presentation.telegram.hotline_keyboards import INTERNATIONAL, LIST, HotlineCountry
from innertalk.presentation.telegram.safety import notice_html
from innertalk.presentation.telegram.services import BotServices


async def on_country(
    query: CallbackQuery,
    callback_data: HotlineCountry,
    language: Language,
    services: BotServices,
) -> None:
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return  # too old to edit: nothing to update
    signal, safety = callback_data.signal(), services.safety
    if callback_data.country.startswith(LIST):
        shown = callback_data.country.removeprefix(LIST)
        notice = safety.notice_in(signal, language, None)
        markup = hotline_keyboards.countries(notice, safety.countries, shown)
        with contextlib.suppress(TelegramBadRequest):  # "not modified": pressed twice
            await message.edit_reply_markup(reply_markup=markup)
        return
    country = None if callback_data.country == INTERNATIONAL else callback_data.country
    notice = safety.notice_in(signal, language, country)
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_text(
            notice_html(notice), reply_markup=hotline_keyboards.choose_country(notice)
        )


def build() -> Router:
    router = Router(name="hotlines")
    router.callback_query.register(on_country, HotlineCountry.filter())
    return router
