"""The mood diary (/mood, 📓 Diary) and Progress (/progress, 📈 Progress) with its chart.

A check-in: a score 1-10 → optional emotion tags (toggled, then Done or Skip) → an optional
note (typed, or Skip) → saved. The score travels in every button, the chosen tags in FSM data.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message

from innertalk.application.diary import ChartWords, MoodCooldownError
from innertalk.domain.mood import TREND_MIN_ENTRIES, Trend, toggle_tag, whole_minutes
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.telegram import wellbeing_keyboards as kb
from innertalk.presentation.telegram.filters import CommandLike, MenuButton
from innertalk.presentation.telegram.keyboards import MENU_ACTIONS
from innertalk.presentation.telegram.sender import Sender
from innertalk.presentation.telegram.services import BotServices
from innertalk.presentation.telegram.wellbeing_texts import DIARY, label_in, say_in
from innertalk.presentation.texts import day_text, local_day_text, local_time

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
    message: Message, key: UserKey, profile: Profile, services: BotServices, sender: Sender
) -> None:
    await start_check_in(message.chat.id, key, profile, services, sender)


async def start_check_in(
    chat_id: int, key: UserKey, profile: Profile, services: BotServices, sender: Sender
) -> None:
    """The score question, or the kind cooldown message."""
    left = await services.diary.cooldown_left(key)
    if left is not None:
        await _cooldown(chat_id, profile, left, services, sender)
        return
    await sender.html(chat_id, _say(profile.language, "ask_score"), kb.mood_scores())


async def _cooldown(
    chat_id: int, profile: Profile, left: timedelta, services: BotServices, sender: Sender
) -> None:
    at = local_time(services.clock.now() + left, profile.timezone)
    text = _say(profile.language, "cooldown", minutes=whole_minutes(left), time=at)
    await sender.html(chat_id, text)


async def _edit(query: CallbackQuery, html: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(html, reply_markup=markup)


async def on_mood_button(
    query: CallbackQuery,
    callback_data: kb.MoodAction,
    key: UserKey,
    profile: Profile,
    state: FSMContext,
    services: BotServices,
    sender: Sender,
) -> None:
    language, action, score = profile.language, callback_data.action, callback_data.score
    chat_id = query.from_user.id
    await query.answer()
    if action == "cancel":
        await _reset(state)
        await _edit(query, _say(language, "cancelled"), None)
        return
    if not 1 <= score <= 10:
        await sender.html(chat_id, _say(language, "invalid_score"))
        return
    if action == "score":
        await state.update_data({TAGS: []})
        await _edit(query, _say(language, "ask_tags"), kb.mood_tags(language, score, []))
    elif action == "tag":
        chosen = list((await state.get_data()).get(TAGS, []))
        chosen = list(toggle_tag(chosen, callback_data.tag))
        await state.update_data({TAGS: chosen})
        if isinstance(query.message, Message):
            with contextlib.suppress(TelegramBadRequest):
                await query.message.edit_reply_markup(
                    reply_markup=kb.mood_tags(language, score, chosen)
                )
    elif action in ("tags_done", "tags_skip"):
        if action == "tags_skip":
            await state.update_data({TAGS: []})
        await state.set_state(DiaryStates.note)
        await state.update_data({"mood_score": score, ASKED: services.clock.monotonic()})
        await _edit(query, _say(language, "ask_note"), kb.mood_note(language, score))
    elif action == "note_skip":
        tags = list((await state.get_data()).get(TAGS, []))
        await _reset(state)
        await _edit(query, _say(language, "ask_note"), None)
        await _record(chat_id, key, profile, score, tags, "", services, sender)


async def on_note(
    message: Message,
    key: UserKey,
    profile: Profile,
    state: FSMContext,
    services: BotServices,
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
    services: BotServices,
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


async def on_progress(
    message: Message, key: UserKey, profile: Profile, services: BotServices, sender: Sender
) -> None:
    await show_progress(message.chat.id, key, profile, services, sender)


async def show_progress(
    chat_id: int, key: UserKey, profile: Profile, services: BotServices, sender: Sender
) -> None:
    """The statistics, then the 30-day chart with buttons for 30 and 90 days."""
    language = profile.language
    progress = await services.diary.progress(key, days=30)
    stats = progress.stats
    if stats.count == 0 or stats.latest is None:
        await sender.html(chat_id, _say(language, "no_entries"))
        return
    if stats.trend is Trend.NOT_ENOUGH_DATA:
        trend = _say(language, "trend_not_enough_data", needed=TREND_MIN_ENTRIES)
    else:
        trend = _say(language, f"trend_{stats.trend.value}")
    lines = [
        f"<b>{_say(language, 'progress_title')}</b>",
        _say(language, "progress_count", count=stats.count),
        _say(language, "progress_average", average=stats.average),
        _say(
            language,
            "progress_latest",
            score=stats.latest.score,
            date=local_day_text(language, stats.latest.created_at, progress.timezone),
        ),
        _say(language, "progress_trend", trend=trend),
        _say(language, "progress_streak", days=stats.streak)
        if stats.streak
        else _say(language, "progress_streak_none"),
    ]
    for name, day in (("best", stats.best_day), ("worst", stats.worst_day)):
        if day is not None:
            lines.append(
                _say(
                    language,
                    f"progress_{name}_day",
                    date=day_text(language, day.day),
                    average=round(day.average, 1),
                )
            )
    if stats.top_tags:
        names = ", ".join(label_in(DIARY, language, f"tag_{tag}") for tag, _ in stats.top_tags)
        lines.append(_say(language, "progress_top_tags", tags=names))
    await sender.html(chat_id, "\n".join(lines))
    await send_chart(chat_id, key, language, 30, services, sender)


async def send_chart(
    chat_id: int,
    key: UserKey,
    language: Language,
    days: int,
    services: BotServices,
    sender: Sender,
) -> None:
    progress = await services.diary.progress(key, days=days)
    words = ChartWords(
        title=label_in(DIARY, language, "chart_title").format(days=days),
        axis=label_in(DIARY, language, "chart_axis"),
        daily=label_in(DIARY, language, "chart_daily"),
        moving_average=label_in(DIARY, language, "chart_moving_average").format(window=7),
        empty=label_in(DIARY, language, "chart_empty"),
    )
    png = await services.diary.chart(progress, words)
    if png is None:
        return
    await sender.bot.send_photo(
        chat_id,
        BufferedInputFile(png, filename=f"mood-{days}.png"),
        caption=_say(language, "chart_caption", days=days),
        reply_markup=kb.chart_periods(language),
    )


async def on_chart(
    query: CallbackQuery,
    callback_data: kb.ChartPeriod,
    key: UserKey,
    profile: Profile,
    services: BotServices,
    sender: Sender,
) -> None:
    await query.answer()
    days = 90 if callback_data.days == 90 else 30
    await send_chart(query.from_user.id, key, profile.language, days, services, sender)


def build() -> Router:
    router = Router(name="diary")
    router.message.filter(F.chat.type == "private")
    router.message.register(
        on_note,
        StateFilter(DiaryStates.note),
        F.text,
        ~CommandLike(),
        ~MenuButton(*MENU_ACTIONS),
    )
    router.message.register(on_mood, Command("mood"))
    router.message.register(on_mood, MenuButton("diary"))
    router.message.register(on_progress, Command("progress"))
    router.message.register(on_progress, MenuButton("progress"))
    router.callback_query.register(on_mood_button, kb.MoodAction.filter())
    router.callback_query.register(on_chart, kb.ChartPeriod.filter())
    return router
