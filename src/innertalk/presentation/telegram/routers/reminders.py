"""Reminders (/reminders, Settings → 🔔 Reminders) and the reminder message's buttons.

The screen shows the current settings; buttons enable at a common time (or a typed HH:MM),
set quiet hours or clear them, and stop. The reminder itself offers a check-in, snoozes of
1 and 3 hours, and stop.
"""

from __future__ import annotations

from datetime import time

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from innertalk.domain.reminders import (
    InvalidReminderError,
    ReminderSettings,
    parse_local_time,
)
from innertalk.domain.users import Profile, UserKey
from innertalk.presentation.telegram import wellbeing_keyboards as kb
from innertalk.presentation.telegram.filters import CommandLike, MenuButton
from innertalk.presentation.telegram.keyboards import MENU_ACTIONS
from innertalk.presentation.telegram.routers.diary import start_check_in
from innertalk.presentation.telegram.sender import Sender
from innertalk.presentation.telegram.services import BotServices
from innertalk.presentation.telegram.wellbeing_texts import plain_text, say
from innertalk.presentation.texts import local_day_text, local_time

TIME_ANSWER_WINDOW = 600.0


class ReminderStates(StatesGroup):
    time = State()
    """Waiting for a typed reminder time."""


def _hhmm(value: str) -> time:
    return time(int(value[:2]), int(value[2:4]))


def settings_html(profile: Profile, settings: ReminderSettings) -> str:
    language, zone = profile.language, profile.timezone
    if settings.enabled and settings.next_due_at is not None:
        due = settings.next_due_at
        text = say(
            language,
            "reminders_on",
            time=kb.clock(settings.at),
            timezone=zone,
            next=f"{local_day_text(language, due, zone)} {local_time(due, zone)}",
        )
    else:
        text = say(language, "reminders_off")
    if settings.quiet_start is not None and settings.quiet_end is not None:
        quiet = say(
            language,
            "reminders_quiet",
            start=kb.clock(settings.quiet_start),
            end=kb.clock(settings.quiet_end),
        )
    else:
        quiet = say(language, "reminders_no_quiet")
    return f"{text}\n{quiet}"


async def show_reminders(
    chat_id: int, key: UserKey, profile: Profile, services: BotServices, sender: Sender
) -> None:
    settings = await services.reminders.settings(key)
    await sender.html(
        chat_id,
        settings_html(profile, settings),
        kb.reminder_settings(profile.language, settings.enabled),
    )


async def on_reminders(
    message: Message, key: UserKey, profile: Profile, services: BotServices, sender: Sender
) -> None:
    await show_reminders(message.chat.id, key, profile, services, sender)


def _next(profile: Profile, settings: ReminderSettings) -> str:
    due = settings.next_due_at
    if due is None:
        return "—"
    zone = profile.timezone
    return f"{local_day_text(profile.language, due, zone)} {local_time(due, zone)}"


async def on_button(
    query: CallbackQuery,
    callback_data: kb.ReminderAction,
    key: UserKey,
    profile: Profile,
    state: FSMContext,
    services: BotServices,
    sender: Sender,
) -> None:
    language, chat_id = profile.language, query.from_user.id
    action, value = callback_data.action, callback_data.value
    reminders = services.reminders
    try:
        if action == "at":
            settings = await reminders.enable(key, _hhmm(value))
            text = say(language, "reminders_enabled", time=kb.clock(settings.at),
                       next=_next(profile, settings))  # fmt: skip
        elif action == "typed":
            await state.set_state(ReminderStates.time)
            await state.update_data(reminder_asked=services.clock.monotonic())
            await query.answer()
            await sender.html(chat_id, say(language, "reminders_ask_time"))
            return
        elif action == "quiet":
            start, end = _hhmm(value[:4]), _hhmm(value[4:8])
            await reminders.set_quiet_hours(key, start, end)
            text = say(language, "reminders_quiet_set", start=kb.clock(start), end=kb.clock(end))
        elif action == "quiet_off":
            await reminders.set_quiet_hours(key, None, None)
            text = say(language, "reminders_quiet_off")
        elif action == "stop":
            await reminders.stop(key)
            text = say(language, "reminders_stopped")
        elif action == "snooze":
            current = await reminders.settings(key)
            if not current.enabled:
                await query.answer(plain_text(say(language, "reminders_already_off")))
                return
            settings = await reminders.snooze(key, int(value))
            due = settings.next_due_at
            shown = local_time(due, profile.timezone) if due else "—"
            text = say(language, "reminders_snoozed", time=shown)
        elif action == "checkin":
            await query.answer()
            await start_check_in(chat_id, key, profile, services, sender)
            return
        else:
            await query.answer()
            return
    except (InvalidReminderError, ValueError):
        await query.answer()
        return
    await query.answer()
    await sender.html(chat_id, text)


async def on_time_typed(
    message: Message,
    key: UserKey,
    profile: Profile,
    state: FSMContext,
    services: BotServices,
    sender: Sender,
) -> None:
    typed = (message.text or "").strip()
    asked = float((await state.get_data()).get("reminder_asked", 0.0))
    stale = services.clock.monotonic() - asked > TIME_ANSWER_WINDOW
    try:
        at = parse_local_time(typed)
    except InvalidReminderError:
        at = None
    if stale or (at is None and len(typed.split()) > 2):
        await state.set_state(None)
        raise SkipHandler
    if at is None:
        await sender.html(
            message.chat.id, say(profile.language, "reminders_time_unknown", text=typed[:32])
        )
        return
    await state.set_state(None)
    settings = await services.reminders.enable(key, at)
    await sender.html(
        message.chat.id,
        say(profile.language, "reminders_enabled", time=kb.clock(settings.at),
            next=_next(profile, settings)),
    )  # fmt: skip


def build() -> Router:
    router = Router(name="reminders")
    router.message.filter(F.chat.type == "private")
    router.message.register(
        on_time_typed,
        StateFilter(ReminderStates.time),
        F.text,
        ~CommandLike(),
        ~MenuButton(*MENU_ACTIONS),
    )
    router.message.register(on_reminders, Command("reminders"))
    router.callback_query.register(on_button, kb.ReminderAction.filter())
    return router
