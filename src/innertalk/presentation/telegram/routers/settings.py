"""Settings: language, time zone (buttons or a typed name), reminders, privacy; and the style."""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from innertalk.application.services import Services
from innertalk.domain.sessions import is_valid_timezone
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.telegram.filters import CommandLike, MenuButton
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.keyboards.menus import (
    MENU_ACTIONS,
    LanguageChoice,
    SettingsAction,
    SettingsButton,
    StyleChoice,
    TimezoneChoice,
)
from innertalk.presentation.telegram.keyboards.timezones import parse_timezone
from innertalk.presentation.telegram.routers.privacy import show_privacy
from innertalk.presentation.telegram.routers.wellbeing.reminders import show_reminders
from innertalk.presentation.telegram.texts.bot import language_name, local_time, say, style_name
from innertalk.presentation.telegram.transport.sender import Sender

TIMEZONE_ANSWER_WINDOW = 600.0
"""A typed time zone is expected for this long after the prompt; later text is conversation."""


class SettingsStates(StatesGroup):
    timezone = State()
    """Waiting for a typed time zone name."""


async def on_settings(message: Message, profile: Profile, sender: Sender) -> None:
    language = profile.language
    await sender.say(
        message.chat.id,
        language,
        "settings",
        keyboards.settings(language),
        language_name=language_name(language),
        timezone=profile.timezone,
        style=style_name(language, profile.style),
    )


async def on_style(message: Message, profile: Profile, sender: Sender) -> None:
    language = profile.language
    markup = keyboards.styles(language, profile.style, onboarding=False)
    await sender.say(
        message.chat.id,
        language,
        "ask_style",
        markup,
        style=style_name(language, profile.style),
    )


async def on_style_chosen(
    query: CallbackQuery,
    callback_data: StyleChoice,
    key: UserKey,
    services: Services,
    sender: Sender,
) -> None:
    profile = await services.profiles.update(key, style=callback_data.value)
    language = profile.language
    chosen = style_name(language, profile.style)
    await query.answer()
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(say(language, "chose_style", style=chosen))
    if callback_data.onboarding:
        await sender.say(key.user_id, language, "onboarding_done")


async def on_language_menu(message: Message, language: Language, sender: Sender) -> None:
    await sender.say(message.chat.id, language, "ask_language", keyboards.languages(language))


async def on_language_button(query: CallbackQuery, language: Language, sender: Sender) -> None:
    await query.answer()
    await sender.say(query.from_user.id, language, "ask_language", keyboards.languages(language))


async def on_timezone_button(
    query: CallbackQuery,
    profile: Profile,
    state: FSMContext,
    services: Services,
    sender: Sender,
) -> None:
    await query.answer()
    now = services.clock.now()
    await state.set_state(SettingsStates.timezone)
    await state.update_data(asked=services.clock.monotonic())
    await sender.say(
        query.from_user.id,
        profile.language,
        "timezone_prompt",
        keyboards.timezones(profile.language, profile.timezone, now),
        timezone=profile.timezone,
        time=local_time(now, profile.timezone),
    )


async def on_reminders_button(
    query: CallbackQuery, profile: Profile, services: Services, sender: Sender
) -> None:
    await query.answer()
    await show_reminders(query.from_user.id, profile.key, profile, services, sender)


async def on_privacy_button(query: CallbackQuery, language: Language, sender: Sender) -> None:
    await query.answer()
    await show_privacy(query.from_user.id, language, sender)


async def on_cancel_button(
    query: CallbackQuery, language: Language, state: FSMContext, sender: Sender
) -> None:
    await query.answer()
    await state.clear()
    await sender.say(query.from_user.id, language, "cancelled")


async def on_language_chosen(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    key: UserKey,
    services: Services,
    sender: Sender,
) -> None:
    profile = await services.profiles.update(key, language=callback_data.code)
    await query.answer()
    await sender.say(
        key.user_id, profile.language, "chose_language", keyboards.main_menu(profile.language)
    )


async def on_timezone_chosen(
    query: CallbackQuery,
    callback_data: TimezoneChoice,
    key: UserKey,
    state: FSMContext,
    services: Services,
    sender: Sender,
) -> None:
    await state.clear()
    profile = await services.profiles.update(key, timezone=callback_data.name)
    await query.answer()
    await _timezone_set(key, profile, services, sender)


async def on_timezone_typed(
    message: Message,
    key: UserKey,
    profile: Profile,
    state: FSMContext,
    services: Services,
    sender: Sender,
) -> None:
    typed = (message.text or "").strip()
    name = parse_timezone(typed)
    asked = (await state.get_data()).get("asked", 0.0)
    stale = services.clock.monotonic() - asked > TIMEZONE_ANSWER_WINDOW
    if stale or (name is None and len(typed.split()) > 2):
        await state.clear()  # not a zone but something to talk about: let the conversation have it
        raise SkipHandler
    if name is None:
        await sender.say(message.chat.id, profile.language, "timezone_unknown", zone=typed[:64])
        return
    await state.clear()
    updated = await services.profiles.update(key, timezone=name)
    await _timezone_set(key, updated, services, sender)


async def _timezone_set(
    key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await sender.say(
        key.user_id,
        profile.language,
        "timezone_set",
        timezone=profile.timezone,
        time=local_time(services.clock.now(), profile.timezone),
    )


def build() -> Router:
    router = Router(name="settings")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(
        on_timezone_typed,
        StateFilter(SettingsStates.timezone),
        F.text,
        ~CommandLike(),
        ~MenuButton(*MENU_ACTIONS),
    )
    router.message.register(on_settings, Command("settings"))
    router.message.register(on_settings, MenuButton("settings"))
    router.message.register(on_style, Command("style"))
    router.message.register(on_style, MenuButton("style"))
    router.message.register(on_language_menu, Command("language"))
    router.callback_query.register(on_style_chosen, StyleChoice.filter())
    for handler, button in (
        (on_language_button, SettingsButton.LANGUAGE),
        (on_timezone_button, SettingsButton.TIMEZONE),
        (on_reminders_button, SettingsButton.REMINDERS),
        (on_privacy_button, SettingsButton.PRIVACY),
        (on_cancel_button, SettingsButton.CANCEL),
    ):
        router.callback_query.register(handler, SettingsAction.filter(F.action == button))
    router.callback_query.register(on_language_chosen, LanguageChoice.filter())
    # a zone a person never saw on a button (a forged one) goes on to the stale-button answer
    router.callback_query.register(
        on_timezone_chosen, TimezoneChoice.filter(F.name.func(is_valid_timezone))
    )
    return router
