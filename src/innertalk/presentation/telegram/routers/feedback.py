"""👍/👎 under a reply: recorded against that reply's turn; voting again replaces the verdict."""

from __future__ import annotations

import contextlib

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from innertalk.application.services import Services
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.keyboards.menus import FeedbackVote
from innertalk.presentation.telegram.texts.bot import plain


async def on_vote(
    query: CallbackQuery,
    callback_data: FeedbackVote,
    key: UserKey,
    language: Language,
    services: Services,
) -> None:
    await services.feedback.record(key, callback_data.turn, helpful=callback_data.helpful)
    await query.answer(plain(language, "feedback_thanks"))
    if isinstance(query.message, Message):
        chosen = keyboards.feedback(language, callback_data.turn, callback_data.helpful)
        with contextlib.suppress(TelegramBadRequest):  # "not modified": the same vote again
            await query.message.edit_reply_markup(reply_markup=chosen)


def build() -> Router:
    router = Router(name="feedback")
    router.callback_query.register(on_vote, FeedbackVote.filter())
    return router
