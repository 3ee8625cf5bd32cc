"""/admin for the operators in ``ADMIN_IDS``: statistics, mailings, blocking people.

Everyone else gets exactly the answer to an unknown command (the fallback router), and the
menu's buttons answer them as stale ones. A mailing goes: segment → the admin's text →
a preview exactly as it will be sent → Send / Cancel → sent in the background, paced, with
one status message edited as it goes and a summary at the end.

It works before the operator consents (its router comes before onboarding), and keeps what
it remembers between steps in memory, so an operator who never consents leaves no record.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from innertalk.domain.stats import Segment
from innertalk.domain.users import Language
from innertalk.presentation.telegram.admin_console import AdminConsole, Awaiting, Draft
from innertalk.presentation.telegram.admin_texts import (
    mail_log_text,
    say,
    segment_name,
    stats_text,
)
from innertalk.presentation.telegram.filters import IsAdmin
from innertalk.presentation.telegram.render import render_markdown


class AdminAction(CallbackData, prefix="adm"):
    action: str
    """``stats``, ``mail``, ``segment``, ``send``, ``cancel``, ``log``, ``who``, ``block``,
    ``unblock``."""
    arg: str = ""


class ConsoleInstalled(Filter):
    """The composition root gave this bot an admin console."""

    async def __call__(self, event: Message | CallbackQuery, **data: Any) -> bool:
        return isinstance(data.get("admin_console"), AdminConsole)


class AwaitingInput(Filter):
    """A plain (non-command) message from an admin the menu asked for something."""

    async def __call__(self, message: Message, admin_console: AdminConsole) -> bool:
        user = message.from_user
        text = message.text or ""
        return user is not None and user.id in admin_console.awaiting and not text.startswith("/")


def _button(language: Language, key: str, action: str, arg: str = "") -> InlineKeyboardButton:
    data = AdminAction(action=action, arg=arg).pack()
    return InlineKeyboardButton(text=say(language, key), callback_data=data)


def _menu(language: Language) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(language, "button_stats", "stats"),
                _button(language, "button_mailing", "mail"),
            ],
            [
                _button(language, "button_mail_log", "log"),
                _button(language, "button_block", "who"),
            ],
        ]
    )


def _segments(language: Language) -> InlineKeyboardMarkup:
    rows = [
        [_button(language, f"segment_{segment.value}", "segment", segment.value)]
        for segment in Segment
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[*rows, [_button(language, "button_cancel", "cancel")]]
    )


async def on_admin(message: Message, language: Language, admin_console: AdminConsole) -> None:
    assert message.from_user is not None
    admin_console.reset(message.from_user.id)
    await admin_console.sender.html(message.chat.id, say(language, "menu"), _menu(language))


async def on_action(
    query: CallbackQuery,
    callback_data: AdminAction,
    language: Language,
    admin_console: AdminConsole,
) -> None:
    await query.answer()
    admin_id, action, arg = query.from_user.id, callback_data.action, callback_data.arg
    console, send = admin_console, admin_console.sender.html
    if action == "stats":
        await send(admin_id, stats_text(await console.admin.stats(console.bot_id), language))
    elif action == "log":
        await send(admin_id, mail_log_text(console.admin.history, language))
    elif action == "mail":
        await send(admin_id, say(language, "choose_segment"), _segments(language))
    elif action == "segment":
        segment = Segment(arg)
        count = len(await console.admin.audience(console.bot_id, segment))
        console.awaiting[admin_id] = (Awaiting.MAIL_TEXT, segment)
        name = segment_name(language, segment)
        await send(admin_id, say(language, "ask_mail_text", segment=name, count=count))
    elif action == "send":
        await _send(admin_id, language, console)
    elif action == "cancel":
        console.reset(admin_id)
        await send(admin_id, say(language, "mail_cancelled"))
    elif action == "who":
        console.awaiting[admin_id] = (Awaiting.USER_ID, None)
        await send(admin_id, say(language, "ask_user_id"))
    elif action in {"block", "unblock"}:
        user_id = int(arg)
        found = await console.admin.block(console.key(user_id), blocked=action == "block")
        key = (
            ("user_blocked" if action == "block" else "user_unblocked")
            if found
            else "user_unknown"
        )
        await send(admin_id, say(language, key, user_id=user_id))


async def _send(admin_id: int, language: Language, console: AdminConsole) -> None:
    draft = console.drafts.pop(admin_id, None)
    if draft is None:
        await console.sender.html(admin_id, say(language, "mail_expired"))
    elif console.busy:
        await console.sender.html(admin_id, say(language, "mail_busy"))
    else:
        console.start_mailing(admin_id, draft, language)


async def on_input(message: Message, language: Language, admin_console: AdminConsole) -> None:
    assert message.from_user is not None
    admin_id = message.from_user.id
    awaiting, segment = admin_console.awaiting[admin_id]
    if awaiting is Awaiting.USER_ID:
        await _who(admin_id, (message.text or "").strip(), language, admin_console)
    elif segment is not None:
        await _preview(admin_id, message.text or "", segment, language, admin_console)


async def _who(admin_id: int, typed: str, language: Language, console: AdminConsole) -> None:
    send = console.sender.html
    if not typed.isdigit() or len(typed) > 19:
        await send(admin_id, say(language, "bad_user_id"))
        return
    console.awaiting.pop(admin_id, None)
    user_id = int(typed)
    profile = await console.admin.profiles.get(console.key(user_id))
    if profile is None:
        await send(admin_id, say(language, "user_unknown", user_id=user_id))
        return
    state = say(language, "user_state_blocked" if profile.blocked else "user_state_active")
    buttons = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(language, "button_block_user", "block", str(user_id)),
                _button(language, "button_unblock_user", "unblock", str(user_id)),
            ]
        ]
    )
    await send(admin_id, say(language, "user_state", user_id=user_id, state=state), buttons)


async def _preview(
    admin_id: int, text: str, segment: Segment, language: Language, console: AdminConsole
) -> None:
    rendered = render_markdown(text.strip())
    if not rendered.strip():
        await console.sender.html(admin_id, say(language, "mail_empty"))
        return
    console.awaiting.pop(admin_id, None)
    count = len(await console.admin.audience(console.bot_id, segment))
    console.drafts[admin_id] = Draft(segment, rendered, count)
    await console.sender.html(admin_id, rendered)  # exactly what people will get
    confirm = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(language, "button_send", "send"),
                _button(language, "button_cancel", "cancel"),
            ]
        ]
    )
    name = segment_name(language, segment)
    await console.sender.html(
        admin_id, say(language, "preview", count=count, segment=name), confirm
    )


def build() -> Router:
    router = Router(name="admin_menu")
    router.message.filter(F.chat.type == "private", ConsoleInstalled(), IsAdmin())
    router.callback_query.filter(ConsoleInstalled(), IsAdmin())
    router.message.register(on_admin, Command("admin"))
    router.message.register(on_input, F.text, AwaitingInput())
    router.callback_query.register(on_action, AdminAction.filter())
    return router
