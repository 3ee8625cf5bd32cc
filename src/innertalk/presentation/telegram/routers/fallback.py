"""What no other router took: unknown commands (and /health from non-admins — the same answer),
buttons from old messages, and service messages (silently)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from innertalk.domain.users import Language
from innertalk.presentation.telegram.filters import CommandLike
from innertalk.presentation.telegram.texts.bot import plain
from innertalk.presentation.telegram.transport.sender import Sender


async def on_unknown_command(message: Message, language: Language, sender: Sender) -> None:
    await sender.say(message.chat.id, language, "unknown_command")


async def answer_stale(query: CallbackQuery, language: Language) -> None:
    """ "This button no longer works": for a button from an old message, or a forged one."""
    await query.answer(plain(language, "stale_button"))


async def on_stale_button(query: CallbackQuery, language: Language) -> None:
    """No router's callback data matched: an old message's button, or a garbled one."""
    await answer_stale(query, language)


async def on_anything_else(_: Message) -> None:
    """Service messages (a pinned message, a shared contact card request…): nothing to say."""


def build() -> Router:
    router = Router(name="fallback")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_unknown_command, F.text, CommandLike())
    router.message.register(on_anything_else)
    router.callback_query.register(on_stale_button)
    return router
