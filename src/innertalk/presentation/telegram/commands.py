"""The bot's profile in Telegram: its command menu (ru and en) and its descriptions.

Everyone sees the ordinary commands (default scope in English, ``language_code="ru"`` in
Russian); each admin's own chat additionally lists /health and /admin. An admin who has never
opened the bot has no chat yet, so that call fails and is only logged.
"""

from __future__ import annotations

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from innertalk.domain.users import Language
from innertalk.presentation.telegram.texts import admin as admin_texts
from innertalk.presentation.telegram.texts.bot import label
from innertalk.presentation.texts import Catalog, text

log = structlog.get_logger(__name__)

COMMANDS = (
    "start", "help", "talk", "end", "mood", "progress", "tests", "portrait", "style", "settings",
    "language", "privacy", "export", "delete", "memory", "forget", "reminders", "private",
)  # fmt: skip
WELLBEING_COMMANDS = frozenset({"memory", "forget", "reminders", "private"})
"""Described in the ``wellbeing_bot`` catalog."""
ADMIN_COMMANDS = ("health", "admin")


def commands(language: Language, *, admin: bool = False) -> list[BotCommand]:
    names = COMMANDS + (ADMIN_COMMANDS if admin else ())
    return [BotCommand(command=name, description=_description(language, name)) for name in names]


def _description(language: Language, name: str) -> str:
    """From the bot's catalog, the wellbeing screens' or the admin menu's (``cmd_admin``)."""
    key = f"cmd_{name}"
    if name == "admin":
        return admin_texts.say(language, key)
    if name in WELLBEING_COMMANDS:
        return text(Catalog.WELLBEING, language, key)
    return label(language, key)


def _code(language: Language) -> str | None:
    """English is the default list; other languages are set for their ``language_code``."""
    return None if language is Language.EN else language.value


async def register_commands(bot: Bot, admin_ids: frozenset[int]) -> None:
    """setMyCommands for everyone, and for each admin's chat (both languages each)."""
    for language in Language:
        await bot.set_my_commands(
            commands(language), scope=BotCommandScopeDefault(), language_code=_code(language)
        )
    for admin in sorted(admin_ids):
        for language in Language:
            try:
                await bot.set_my_commands(
                    commands(language, admin=True),
                    scope=BotCommandScopeChat(chat_id=admin),
                    language_code=_code(language),
                )
            except TelegramAPIError as error:
                log.warning("telegram.admin_commands_not_set", error=type(error).__name__)
                break


async def describe(bot: Bot) -> None:
    """The texts Telegram shows before the first /start (best effort)."""
    for language in Language:
        code = _code(language)
        try:
            await bot.set_my_description(label(language, "bot_description"), language_code=code)
            await bot.set_my_short_description(
                label(language, "bot_short_description"), language_code=code
            )
        except TelegramAPIError as error:
            log.warning("telegram.description_not_set", error=type(error).__name__)
