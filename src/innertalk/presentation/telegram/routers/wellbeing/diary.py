"""The mood diary (/mood, 📓 Diary); its Progress screen is ``routers/wellbeing/progress.py``.

A check-in: a score 1-10 → optional emotion tags (toggled, then Done or Skip) → an optional
note (typed, or Skip) → saved. The score travels in every button (``MoodAction``), the chosen
tags in FSM data.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from innertalk.application.services import Services
from innertalk.application.wellbeing.diary import MoodCooldownError
from innertalk.domain.mood import toggle_tag, whole_minutes
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.telegram.filters import CommandLike, MenuButton
from innertalk.presentation.telegram.keyboards import wellbeing as kb
from innertalk.presentation.telegram.keyboards.menus import MENU_ACTIONS
from innertalk.presentation.telegram.texts.wellbeing import DIARY, label_in, say_in
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.texts import local_time

NOTE_WINDOW = 1800.0
"""A typed note is expected for this long after the question; later text is conversation."""
TAGS = "mood_tags"
ASKED = "mood_asked"


class DiaryStates(StatesGroup):
    note = State()
    """Waiting for the check-in's note (the score is in the state data)."""


def _say(language: Language, key: str, **fields: object) -> str:
    return say_in(DIARY, language, key, **fields)


async def on_mood(
    message: Message, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await start_check_in(message.chat.id, key, profile, services, sender)


async def start_check_in(
    chat_id: int, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    """The score question, or the kind cooldown message."""
    left = await services.diary.cooldown_left(key)
    if left is not None:
        await _cooldown(chat_id, profile, left, services, sender)
        return
    await sender.html(chat_id, _say(profile.language, "ask_score"), kb.mood_scores())


async def _cooldown(
    chat_id: int, profile: Profile, left: timedelta, services: Services, sender: Sender
) -> None:
    at = local_time(services.clock.now() + left, profile.timezone)
    text = _say(profile.language, "cooldown", minutes=whole_minutes(left), time=at)
    await sender.html(chat_id, text)


async def _edit(query: CallbackQuery, html: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(html, reply_markup=markup)


async def on_cancel(query: CallbackQuery, profile: Profile, state: FSMContext) -> None:
    await query.answer()
    await _reset(state)
    await _edit(query, _say(profile.language, "cancelled"), None)


async def on_score(
    query: CallbackQuery, callback_data: kb.MoodAction, profile: Profile, state: FSMContext
) -> None:
    await query.answer()
    language, score = profile.language, callback_data.score
    await state.update_data({TAGS: []})
    await _edit(query, _say(language, "ask_tags"), kb.mood_tags(language, score, []))


async def on_tag(
    query: CallbackQuery, callback_data: kb.MoodAction, profile: Profile, state: FSMContext
) -> None:
    await query.answer()
    chosen = list((await state.get_data()).get(TAGS, []))
    chosen = list(toggle_tag(chosen, callback_data.tag))
    await state.update_data({TAGS: chosen})
    markup = kb.mood_tags(profile.language, callback_data.score, chosen)
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=markup)


async def on_tags_done(
    query: CallbackQuery,
    callback_data: kb.MoodAction,
    profile: Profile,
    state: FSMContext,
    services: Services,
) -> None:
    await query.answer()
    await _ask_note(query, callback_data.score, profile, state, services)


async def on_tags_skip(
    query: CallbackQuery,
    callback_data: kb.MoodAction,
    profile: Profile,
    state: FSMContext,
    services: Services,
) -> None:
    await query.answer()
    await state.update_data({TAGS: []})
    await _ask_note(query, callback_data.score, profile, state, services)


async def _ask_note(
    query: CallbackQuery, score: int, profile: Profile, state: FSMContext, services: Services
) -> None:
    await state.set_state(DiaryStates.note)
    await state.update_data({"mood_score": score, ASKED: services.clock.monotonic()})
    language = profile.language
    await _edit(query, _say(language, "ask_note"), kb.mood_note(language, score))


async def on_note_skip(
    query: CallbackQuery,
    callback_data: kb.MoodAction,
    key: UserKey,
    profile: Profile,
    state: FSMContext,
    services: Services,
    sender: Sender,
) -> None:
    await query.answer()
    tags = list((await state.get_data()).get(TAGS, []))
    await _reset(state)
    await _edit(query, _say(profile.language, "ask_note"), None)
    score = callback_data.score
    await _record(query.from_user.id, key, profile, score, tags, "", services, sender)


async def on_invalid_score(query: CallbackQuery, profile: Profile, sender: Sender) -> None:
    """A check-in button whose score is outside 1-10 (only a forged one can be)."""
    await query.answer()
    await sender.html(query.from_user.id, _say(profile.language, "invalid_score"))


async def on_note(
    message: Message,
    key: UserKey,
    profile: Profile,
    state: FSMContext,
    services: Services,
    sender: Sender,
) -> None:
    data = await state.get_data()
    score = data.get("mood_score")
    stale = services.clock.monotonic() - float(data.get(ASKED, 0.0)) > NOTE_WINDOW
    if not isinstance(score, int) or stale:
        await _reset(state)
        raise SkipHandler
    tags = list(data.get(TAGS, []))
    await _reset(state)
    await _record(message.chat.id, key, profile, score, tags, message.text or "", services, sender)


async def _reset(state: FSMContext) -> None:
    if await state.get_state() == DiaryStates.note.state:
        await state.set_state(None)
    await state.update_data({TAGS: [], "mood_score": None, ASKED: 0.0})


async def _record(
    chat_id: int,
    key: UserKey,
    profile: Profile,
    score: int,
    tags: list[str],
    note: str,
    services: Services,
    sender: Sender,
) -> None:
    language = profile.language
    try:
        entry = await services.diary.record(key, score, tags=tags, note=note)
    except MoodCooldownError as error:
        await _cooldown(chat_id, profile, error.left, services, sender)
        return
    text = _say(language, "saved", score=entry.score)
    if entry.tags:
        names = ", ".join(label_in(DIARY, language, f"tag_{tag}") for tag in entry.tags)
        text += "\n" + _say(language, "saved_tags", tags=names)
    await sender.html(chat_id, text)


def build() -> Router:
    router = Router(name="diary")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(
        on_note,
        StateFilter(DiaryStates.note),
        F.text,
        ~CommandLike(),
        ~MenuButton(*MENU_ACTIONS),
    )
    router.message.register(on_mood, Command("mood"))
    router.message.register(on_mood, MenuButton("diary"))
    mood, button = kb.MoodAction.filter, kb.MoodButton
    router.callback_query.register(on_cancel, mood(F.action == button.CANCEL))
    router.callback_query.register(on_invalid_score, mood(~F.score.in_(range(1, 11))))
    for handler, action in (
        (on_score, button.SCORE),
        (on_tag, button.TAG),
        (on_tags_done, button.TAGS_DONE),
        (on_tags_skip, button.TAGS_SKIP),
        (on_note_skip, button.NOTE_SKIP),
    ):
        router.callback_query.register(handler, mood(F.action == action))
    return router
