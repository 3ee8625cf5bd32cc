"""What no other router took: unknown commands (and /health from non-admins — the same answer),
buttons from old messages, and service messages (silently)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from innertalk.domain.users import Language
from innertalk.presentation.telegram.filters import CommandLike
from innertalk.presentation.telegram.locale import plain
from innertalk.presentation.telegram.sender import Sender


async def on_unknown_command(message: Message, language: Language, sender: Sender) -> None:
    await sender.say(message.chat.id, language, "unknown_command")


async def on_stale_button(query: CallbackQuery, language: Language) -> None:
    await query.answer(plain(language, "stale_button"))


async def on_anything_else(_: Message) -> None:
    """Service messages (a pinned message, a shared contact card request…): nothing to say."""


def build() -> Router:
    router = Router(name="fallback")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_unknown_command, F.text, CommandLike())
    router.message.register(on_anything_else)
    router.callback_query.register(on_stale_button)
    return router
