"""Privacy: what is stored, /export (a readable .md and a complete .json), /delete (confirmed)."""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.enums import ChatAction, ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message, ReplyKeyboardRemove

from innertalk.application.services import Services
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.keyboards.menus import PrivacyAction, PrivacyButton
from innertalk.presentation.telegram.options import BotOptions
from innertalk.presentation.telegram.texts.bot import say
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.texts import Catalog, catalog

EXPORT_NAME = "innertalk-export"


async def show_privacy(chat_id: int, language: Language, sender: Sender) -> None:
    await sender.say(chat_id, language, "privacy", keyboards.privacy(language))


async def on_privacy(message: Message, language: Language, sender: Sender) -> None:
    await show_privacy(message.chat.id, language, sender)


async def on_export(
    message: Message, key: UserKey, language: Language, services: Services, sender: Sender
) -> None:
    await export(key, language, services, sender)


async def on_delete(
    message: Message, language: Language, services: Services, sender: Sender
) -> None:
    await ask_to_delete(message.chat.id, language, services, sender)


async def on_export_button(
    query: CallbackQuery, key: UserKey, language: Language, services: Services, sender: Sender
) -> None:
    await query.answer()
    await export(key, language, services, sender)


async def on_delete_button(
    query: CallbackQuery, language: Language, services: Services, sender: Sender
) -> None:
    await query.answer()
    await ask_to_delete(query.from_user.id, language, services, sender)


async def on_erase_button(
    query: CallbackQuery,
    callback_data: PrivacyAction,
    key: UserKey,
    language: Language,
    state: FSMContext,
    services: Services,
    options: BotOptions,
    sender: Sender,
) -> None:
    await query.answer()
    await _retire_buttons(query)
    age = services.clock.now().timestamp() - callback_data.issued
    if age > options.delete_confirmation_ttl:
        await sender.say(key.user_id, language, "delete_expired")
    else:
        await erase(key, language, state, services, sender)


async def on_keep_button(
    query: CallbackQuery, key: UserKey, language: Language, sender: Sender
) -> None:
    await query.answer()
    await _retire_buttons(query)
    await sender.say(key.user_id, language, "cancelled")


async def export(key: UserKey, language: Language, services: Services, sender: Sender) -> None:
    """Send everything stored about the person as two files."""
    await sender.bot.send_chat_action(key.user_id, ChatAction.UPLOAD_DOCUMENT)
    files = await services.privacy.export(key, labels=catalog(Catalog.EXPORT, language))
    await sender.bot.send_document(
        key.user_id, BufferedInputFile(files.markdown, filename=f"{EXPORT_NAME}.md")
    )
    await sender.bot.send_document(
        key.user_id,
        BufferedInputFile(files.json, filename=f"{EXPORT_NAME}.json"),
        caption=say(language, "export_ready", records=files.records),
    )


async def ask_to_delete(
    chat_id: int, language: Language, services: Services, sender: Sender
) -> None:
    issued = int(services.clock.now().timestamp())
    await sender.say(
        chat_id, language, "delete_confirm", keyboards.confirm_delete(language, issued)
    )


async def erase(
    key: UserKey, language: Language, state: FSMContext, services: Services, sender: Sender
) -> None:
    """Erase everything; the person is new to the bot afterwards (the menu goes too)."""
    erased = await services.privacy.delete(key)
    await state.clear()
    await sender.say(key.user_id, language, "delete_done", ReplyKeyboardRemove(), records=erased)


async def _retire_buttons(query: CallbackQuery) -> None:
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


def build() -> Router:
    router = Router(name="privacy")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_privacy, Command("privacy"))
    router.message.register(on_export, Command("export"))
    router.message.register(on_delete, Command("delete"))
    for handler, button in (
        (on_export_button, PrivacyButton.EXPORT),
        (on_delete_button, PrivacyButton.DELETE),
        (on_erase_button, PrivacyButton.ERASE),
        (on_keep_button, PrivacyButton.KEEP),
    ):
        router.callback_query.register(handler, PrivacyAction.filter(F.action == button))
    return router
