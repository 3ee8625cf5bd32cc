"""The "choose your country" button under a crisis notice: the list, then that country's lines.

It works before consent too (a notice can answer the very first words someone writes), and
stores nothing: the choice only rebuilds the notice in place.
"""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from innertalk.application.services import Services
from innertalk.domain.users import Language
from innertalk.presentation.telegram.keyboards import hotlines as hotline_keyboards
from innertalk.presentation.telegram.keyboards.hotlines import INTERNATIONAL, LIST, HotlineCountry
from innertalk.presentation.telegram.render.crisis_notice import notice_html


async def on_list(
    query: CallbackQuery,
    callback_data: HotlineCountry,
    language: Language,
    services: Services,
) -> None:
    """Open the list of countries, the one the notice shows checked."""
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return  # too old to edit: nothing to update
    safety = services.safety
    notice = safety.notice_in(callback_data.signal(), language, None)
    shown = callback_data.country.removeprefix(LIST)
    markup = hotline_keyboards.countries(notice, safety.countries, shown)
    with contextlib.suppress(TelegramBadRequest):  # "not modified": pressed twice
        await message.edit_reply_markup(reply_markup=markup)


async def on_country(
    query: CallbackQuery,
    callback_data: HotlineCountry,
    language: Language,
    services: Services,
) -> None:
    """Rebuild the notice in place with the chosen country's hotlines."""
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return  # too old to edit: nothing to update
    country = None if callback_data.country == INTERNATIONAL else callback_data.country
    notice = services.safety.notice_in(callback_data.signal(), language, country)
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_text(
            notice_html(notice), reply_markup=hotline_keyboards.choose_country(notice)
        )


def build() -> Router:
    router = Router(name="hotlines")
    router.callback_query.register(on_list, HotlineCountry.filter(F.country.startswith(LIST)))
    router.callback_query.register(on_country, HotlineCountry.filter())
    return router
