"""The main menu's simple screens: Help, About, and the wellbeing tools that are coming soon.

(Talk, End, Style and Settings live with their features; every menu button also has a command.)
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message

from innertalk.domain.users import Language
from innertalk.presentation.telegram import keyboards
from innertalk.presentation.telegram.filters import MenuButton
from innertalk.presentation.telegram.keyboards import menu_action
from innertalk.presentation.telegram.sender import Sender

COMING_SOON = {"diary": "mood", "progress": "progress", "tests": "tests", "portrait": "portrait"}
"""Menu action → its command; both answer "coming soon" until the wellbeing tools land."""


async def on_help(message: Message, language: Language, sender: Sender) -> None:
    await sender.say(message.chat.id, language, "help", keyboards.main_menu(language))


async def on_about(message: Message, language: Language, sender: Sender) -> None:
    await sender.say(message.chat.id, language, "about")


async def on_coming_soon(message: Message, language: Language, sender: Sender) -> None:
    action = _feature(message)
    await sender.say(message.chat.id, language, f"coming_soon_{action}")


def _feature(message: Message) -> str:
    text = message.text or ""
    if action := menu_action(text):
        return action
    command = text.split(maxsplit=1)[0].lstrip("/").split("@", 1)[0].lower()
    return next(action for action, name in COMING_SOON.items() if name == command)


def build() -> Router:
    router = Router(name="menu")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_help, Command("help"))
    router.message.register(on_help, MenuButton("help"))
    router.message.register(on_about, Command("about"))
    router.message.register(on_about, MenuButton("about"))
    router.message.register(on_coming_soon, Command(*COMING_SOON.values()))
    router.message.register(on_coming_soon, MenuButton(*COMING_SOON))
    return router
