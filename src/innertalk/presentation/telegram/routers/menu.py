"""The main menu's simple screens: Help and About.

(Talk, End, Style, Settings and the wellbeing tools — Diary, Progress, Tests, Portrait — live
with their features; every menu button also has a command.)
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message

from innertalk.domain.users import Language
from innertalk.presentation.telegram.filters import MenuButton
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.transport.sender import Sender


async def on_help(message: Message, language: Language, sender: Sender) -> None:
    await sender.say(message.chat.id, language, "help", keyboards.main_menu(language))


async def on_about(message: Message, language: Language, sender: Sender) -> None:
    await sender.say(message.chat.id, language, "about")


def build() -> Router:
    router = Router(name="menu")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_help, Command("help"))
    router.message.register(on_help, MenuButton("help"))
    router.message.register(on_about, Command("about"))
    router.message.register(on_about, MenuButton("about"))
    return router
