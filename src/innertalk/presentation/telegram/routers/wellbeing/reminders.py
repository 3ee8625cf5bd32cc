"""Reminders (/reminders, Settings → 🔔 Reminders) and the reminder message's buttons.

The screen shows the current settings; buttons enable at a common time (or a typed HH:MM),
set quiet hours or clear them, and stop. The reminder itself offers a check-in, snoozes of
1 and 3 hours, and stop.
"""

from __future__ import annotations

from datetime import time

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatType
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from innertalk.application.services import Services
from innertalk.domain.reminders import (
    InvalidReminderError,
    ReminderSettings,
    parse_local_time,
)
from innertalk.domain.users import Profile, UserKey
from innertalk.presentation.telegram.filters import CommandLike, MenuButton
from innertalk.presentation.telegram.keyboards import wellbeing as kb
from innertalk.presentation.telegram.keyboards.menus import MENU_ACTIONS
from innertalk.presentation.telegram.routers.fallback import answer_stale
from innertalk.presentation.telegram.routers.wellbeing.diary import start_check_in
from innertalk.presentation.telegram.texts.wellbeing import plain_text, say
from innertalk.presentation.telegram.transport.sender import Sender
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
    chat_id: int, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    settings = await services.reminders.settings(key)
    await sender.html(
        chat_id,
        settings_html(profile, settings),
        kb.reminder_settings(profile.language, settings.enabled),
    )


async def on_reminders(
    message: Message, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await show_reminders(message.chat.id, key, profile, services, sender)


def _next(profile: Profile, settings: ReminderSettings) -> str:
    due = settings.next_due_at
    if due is None:
        return "—"
    zone = profile.timezone
    return f"{local_day_text(profile.language, due, zone)} {local_time(due, zone)}"


async def on_at(
    query: CallbackQuery,
    callback_data: kb.ReminderAction,
    key: UserKey,
    profile: Profile,
    services: Services,
    sender: Sender,
) -> None:
    await query.answer()
    settings = await services.reminders.enable(key, _hhmm(callback_data.value))
    text = say(profile.language, "reminders_enabled", time=kb.clock(settings.at),
               next=_next(profile, settings))  # fmt: skip
    await sender.html(query.from_user.id, text)


async def on_typed(
    query: CallbackQuery,
    profile: Profile,
    state: FSMContext,
    services: Services,
    sender: Sender,
) -> None:
    await state.set_state(ReminderStates.time)
    await state.update_data(reminder_asked=services.clock.monotonic())
    await query.answer()
    await sender.html(query.from_user.id, say(profile.language, "reminders_ask_time"))


async def on_quiet(
    query: CallbackQuery,
    callback_data: kb.ReminderAction,
    key: UserKey,
    profile: Profile,
    services: Services,
    sender: Sender,
) -> None:
    start, end = _hhmm(callback_data.value[:4]), _hhmm(callback_data.value[4:])
    try:
        await services.reminders.set_quiet_hours(key, start, end)
    except InvalidReminderError:  # starting and ending at once: no button offers that
        await answer_stale(query, profile.language)
        return
    await query.answer()
    text = say(profile.language, "reminders_quiet_set", start=kb.clock(start), end=kb.clock(end))
    await sender.html(query.from_user.id, text)


async def on_quiet_off(
    query: CallbackQuery, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await query.answer()
    await services.reminders.set_quiet_hours(key, None, None)
    await sender.html(query.from_user.id, say(profile.language, "reminders_quiet_off"))


async def on_stop(
    query: CallbackQuery, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await query.answer()
    await services.reminders.stop(key)
    await sender.html(query.from_user.id, say(profile.language, "reminders_stopped"))


async def on_snooze(
    query: CallbackQuery,
    callback_data: kb.ReminderAction,
    key: UserKey,
    profile: Profile,
    services: Services,
    sender: Sender,
) -> None:
    language, reminders = profile.language, services.reminders
    if not (await reminders.settings(key)).enabled:
        await query.answer(plain_text(say(language, "reminders_already_off")))
        return
    await query.answer()
    settings = await reminders.snooze(key, int(callback_data.value))
    due = settings.next_due_at
    shown = local_time(due, profile.timezone) if due else "—"
    await sender.html(query.from_user.id, say(language, "reminders_snoozed", time=shown))


async def on_checkin(
    query: CallbackQuery, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await query.answer()
    await start_check_in(query.from_user.id, key, profile, services, sender)


async def on_time_typed(
    message: Message,
    key: UserKey,
    profile: Profile,
    state: FSMContext,
    services: Services,
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
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(
        on_time_typed,
        StateFilter(ReminderStates.time),
        F.text,
        ~CommandLike(),
        ~MenuButton(*MENU_ACTIONS),
    )
    router.message.register(on_reminders, Command("reminders"))
    # values only a forged or garbled button carries match nothing here and get the
    # stale-button answer from the fallback router
    hhmm = r"(?:[01][0-9]|2[0-3])[0-5][0-9]"
    button, value = kb.ReminderButton, F.value
    for handler, rule in (
        (on_at, (F.action == button.AT) & value.regexp(rf"{hhmm}\Z")),
        (on_typed, F.action == button.TYPED),
        (on_quiet, (F.action == button.QUIET) & value.regexp(rf"{hhmm}{hhmm}\Z")),
        (on_quiet_off, F.action == button.QUIET_OFF),
        (on_stop, F.action == button.STOP),
        (on_snooze, (F.action == button.SNOOZE) & value.regexp(r"[1-9][0-9]{0,3}\Z")),
        (on_checkin, F.action == button.CHECKIN),
    ):
        router.callback_query.register(handler, kb.ReminderAction.filter(rule))
    return router
