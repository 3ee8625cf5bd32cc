"""/start and onboarding: language → what InnerTalk is and is not → consent → style.

Before consent nothing a person writes is stored: the language they pick lives in the FSM
storage only, their messages get the explanation and the consent button again, and the
profile is created at consent (with the chosen language and their first name).
"""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from innertalk.application.services import Services
from innertalk.domain.language import detect_language
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.telegram.filters import NotConsented
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.keyboards.hotlines import choose_country
from innertalk.presentation.telegram.keyboards.menus import Consent, OnboardingLanguage
from innertalk.presentation.telegram.render.crisis_notice import notice_html
from innertalk.presentation.telegram.texts.bot import say
from innertalk.presentation.telegram.transport.sender import Sender


async def on_start(
    message: Message,
    profile: Profile | None,
    language: Language,
    state: FSMContext,
    sender: Sender,
) -> None:
    first_name = message.from_user.first_name if message.from_user else ""
    if profile is not None and profile.has_consented:
        await state.clear()
        name = profile.display_name or first_name
        await sender.say(
            message.chat.id, language, "welcome_back", keyboards.main_menu(language), name=name
        )
        return
    await state.update_data(language=language.value)
    await sender.say(
        message.chat.id,
        language,
        "choose_language",
        keyboards.onboarding_languages(language),
        name=first_name,
    )


async def on_language(
    query: CallbackQuery, callback_data: OnboardingLanguage, state: FSMContext, sender: Sender
) -> None:
    language = callback_data.code
    await state.update_data(language=language.value)
    await query.answer()
    await _replace(query, sender, say(language, "welcome"), keyboards.consent(language))


async def on_consent(
    query: CallbackQuery,
    callback_data: Consent,
    key: UserKey,
    profile: Profile | None,
    state: FSMContext,
    services: Services,
    sender: Sender,
) -> None:
    await query.answer()
    first_name = query.from_user.first_name
    await state.clear()
    if profile is not None and profile.has_consented:  # an old button pressed again
        name = profile.display_name or first_name
        menu = keyboards.main_menu(profile.language)
        await sender.say(key.user_id, profile.language, "welcome_back", menu, name=name)
        return
    profile = await services.profiles.ensure(
        key, language=callback_data.code, display_name=first_name, consent=True
    )
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)
    language = profile.language
    await sender.say(
        key.user_id,
        language,
        "consented",
        keyboards.main_menu(language),
        name=profile.display_name or first_name,
    )
    await sender.say(
        key.user_id,
        language,
        "ask_style_onboarding",
        keyboards.styles(language, profile.style, onboarding=True),
    )


async def before_consent(
    message: Message,
    language: Language,
    state: FSMContext,
    sender: Sender,
    services: Services,
    key: UserKey | None = None,
) -> None:
    """Anything written before consent: not kept; the explanation and the button again.

    A person in crisis gets the hotlines first (their tenant's country's), consent or not
    (nothing is stored).
    """
    written = message.text or message.caption or ""
    notice = await services.talk.screen(written, detect_language(written) or language, key=key)
    if notice is not None:
        await sender.html(message.chat.id, notice_html(notice), choose_country(notice))
    await state.update_data(language=language.value)
    html = f"{say(language, 'consent_needed')}\n\n{say(language, 'welcome')}"
    await sender.html(message.chat.id, html, keyboards.consent(language))


async def button_before_consent(
    query: CallbackQuery, language: Language, state: FSMContext, sender: Sender
) -> None:
    await query.answer()
    await state.update_data(language=language.value)
    await sender.html(query.from_user.id, say(language, "welcome"), keyboards.consent(language))


async def _replace(
    query: CallbackQuery, sender: Sender, html: str, markup: InlineKeyboardMarkup
) -> None:
    """Turn the message the button was on into ``html`` (a new message if it can't be edited)."""
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(html, reply_markup=markup)
            return
        except TelegramBadRequest:
            pass
    await sender.html(query.from_user.id, html, markup)


def build() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_start, CommandStart())
    router.callback_query.register(on_language, OnboardingLanguage.filter(), NotConsented())
    router.callback_query.register(on_consent, Consent.filter())
    router.message.register(before_consent, NotConsented())
    router.edited_message.register(_ignore, NotConsented())
    router.callback_query.register(button_before_consent, NotConsented())
    return router


async def _ignore(_: Message) -> None:
    """An edit before consent: nothing to answer, nothing kept."""
