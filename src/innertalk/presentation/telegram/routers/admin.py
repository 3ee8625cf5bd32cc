"""/admin for the operators in ``ADMIN_IDS``: statistics, mailings, blocking people.

Everyone else gets exactly the answer to an unknown command (the fallback router), and the
menu's buttons answer them as stale ones. A mailing goes: segment → the admin's text →
a preview exactly as it will be sent → Send / Cancel → sent in the background, paced, with
one status message edited as it goes and a summary at the end.

It works before the operator consents (its router comes before onboarding), and keeps what
it remembers between steps in memory, so an operator who never consents leaves no record.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from innertalk.domain.stats import Segment
from innertalk.domain.users import Language
from innertalk.presentation.telegram.admin_console import AdminConsole, Awaiting, Draft
from innertalk.presentation.telegram.filters import IsAdmin
from innertalk.presentation.telegram.render.markdown import render_markdown
from innertalk.presentation.telegram.texts.admin import (
    mail_log_text,
    say,
    segment_name,
    stats_text,
)


class AdminButton(StrEnum):
    STATS = "stats"
    MAIL = "mail"
    SEGMENT = "segment"
    """``arg`` is the segment."""
    SEND = "send"
    CANCEL = "cancel"
    LOG = "log"
    WHO = "who"
    BLOCK = "block"
    """``arg`` is the Telegram user id, as for ``UNBLOCK``."""
    UNBLOCK = "unblock"


class AdminAction(CallbackData, prefix="adm"):
    action: AdminButton
    arg: str = ""


class AwaitingInput(Filter):
    """A plain (non-command) message from an admin the menu asked for something."""

    async def __call__(self, message: Message, admin_console: AdminConsole) -> bool:
        user = message.from_user
        text = message.text or ""
        return user is not None and user.id in admin_console.awaiting and not text.startswith("/")


def _button(
    language: Language, key: str, action: AdminButton, arg: str = ""
) -> InlineKeyboardButton:
    data = AdminAction(action=action, arg=arg).pack()
    return InlineKeyboardButton(text=say(language, key), callback_data=data)


def _menu(language: Language) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(language, "button_stats", AdminButton.STATS),
                _button(language, "button_mailing", AdminButton.MAIL),
            ],
            [
                _button(language, "button_mail_log", AdminButton.LOG),
                _button(language, "button_block", AdminButton.WHO),
            ],
        ]
    )


def _segments(language: Language) -> InlineKeyboardMarkup:
    rows = [
        [_button(language, f"segment_{segment.value}", AdminButton.SEGMENT, segment.value)]
        for segment in Segment
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[*rows, [_button(language, "button_cancel", AdminButton.CANCEL)]]
    )


async def on_admin(message: Message, language: Language, admin_console: AdminConsole) -> None:
    assert message.from_user is not None
    admin_console.reset(message.from_user.id)
    await admin_console.sender.html(message.chat.id, say(language, "menu"), _menu(language))


async def on_stats(query: CallbackQuery, language: Language, admin_console: AdminConsole) -> None:
    await query.answer()
    stats = await admin_console.admin.stats(admin_console.bot_id)
    await admin_console.sender.html(query.from_user.id, stats_text(stats, language))


async def on_log(query: CallbackQuery, language: Language, admin_console: AdminConsole) -> None:
    await query.answer()
    history = admin_console.admin.history
    await admin_console.sender.html(query.from_user.id, mail_log_text(history, language))


async def on_mail(query: CallbackQuery, language: Language, admin_console: AdminConsole) -> None:
    await query.answer()
    await admin_console.sender.html(
        query.from_user.id, say(language, "choose_segment"), _segments(language)
    )


async def on_segment(
    query: CallbackQuery,
    callback_data: AdminAction,
    language: Language,
    admin_console: AdminConsole,
) -> None:
    await query.answer()
    admin_id, console, segment = query.from_user.id, admin_console, Segment(callback_data.arg)
    count = len(await console.admin.audience(console.bot_id, segment))
    console.awaiting[admin_id] = (Awaiting.MAIL_TEXT, segment)
    name = segment_name(language, segment)
    await console.sender.html(admin_id, say(language, "ask_mail_text", segment=name, count=count))


async def on_send(query: CallbackQuery, language: Language, admin_console: AdminConsole) -> None:
    await query.answer()
    await _send(query.from_user.id, language, admin_console)


async def on_cancel(query: CallbackQuery, language: Language, admin_console: AdminConsole) -> None:
    await query.answer()
    admin_console.reset(query.from_user.id)
    await admin_console.sender.html(query.from_user.id, say(language, "mail_cancelled"))


async def on_who(query: CallbackQuery, language: Language, admin_console: AdminConsole) -> None:
    await query.answer()
    admin_console.awaiting[query.from_user.id] = (Awaiting.USER_ID, None)
    await admin_console.sender.html(query.from_user.id, say(language, "ask_user_id"))


async def on_block(
    query: CallbackQuery,
    callback_data: AdminAction,
    language: Language,
    admin_console: AdminConsole,
) -> None:
    await _set_blocked(query, int(callback_data.arg), True, language, admin_console)


async def on_unblock(
    query: CallbackQuery,
    callback_data: AdminAction,
    language: Language,
    admin_console: AdminConsole,
) -> None:
    await _set_blocked(query, int(callback_data.arg), False, language, admin_console)


async def _set_blocked(
    query: CallbackQuery, user_id: int, blocked: bool, language: Language, console: AdminConsole
) -> None:
    await query.answer()
    found = await console.admin.block(console.key(user_id), blocked=blocked)
    key = ("user_blocked" if blocked else "user_unblocked") if found else "user_unknown"
    await console.sender.html(query.from_user.id, say(language, key, user_id=user_id))


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
                _button(language, "button_block_user", AdminButton.BLOCK, str(user_id)),
                _button(language, "button_unblock_user", AdminButton.UNBLOCK, str(user_id)),
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
                _button(language, "button_send", AdminButton.SEND),
                _button(language, "button_cancel", AdminButton.CANCEL),
            ]
        ]
    )
    name = segment_name(language, segment)
    await console.sender.html(
        admin_id, say(language, "preview", count=count, segment=name), confirm
    )


def build() -> Router:
    router = Router(name="admin_menu")
    router.message.filter(F.chat.type == ChatType.PRIVATE, IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.message.register(on_admin, Command("admin"))
    router.message.register(on_input, F.text, AwaitingInput())
    # arguments a button never carries (a forged or garbled one) match nothing here and get
    # the stale-button answer from the fallback router
    is_segment = F.arg.in_({segment.value for segment in Segment})
    is_user_id = F.arg.regexp(r"\d{1,19}\Z")
    for handler, rule in (
        (on_stats, F.action == AdminButton.STATS),
        (on_log, F.action == AdminButton.LOG),
        (on_mail, F.action == AdminButton.MAIL),
        (on_segment, (F.action == AdminButton.SEGMENT) & is_segment),
        (on_send, F.action == AdminButton.SEND),
        (on_cancel, F.action == AdminButton.CANCEL),
        (on_who, F.action == AdminButton.WHO),
        (on_block, (F.action == AdminButton.BLOCK) & is_user_id),
        (on_unblock, (F.action == AdminButton.UNBLOCK) & is_user_id),
    ):
        router.callback_query.register(handler, AdminAction.filter(rule))
    return router
