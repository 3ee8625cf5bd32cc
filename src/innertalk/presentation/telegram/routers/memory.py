"""Memory the person controls: /memory (what is remembered), /forget (remove chosen parts),
and /private (an off-the-record session: nothing of it is stored, not even a summary)."""

from __future__ import annotations

import contextlib
import html

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from innertalk.application.conversation.memory import Memory
from innertalk.application.services import Services
from innertalk.domain.questionnaires import result_context_line
from innertalk.domain.sessions import DailySessionLimitError
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.reply_words import withheld_summary
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.keyboards import wellbeing as kb
from innertalk.presentation.telegram.routers.wellbeing.questionnaires import INSTRUMENTS
from innertalk.presentation.telegram.texts.bot import language_name, style_name
from innertalk.presentation.telegram.texts.wellbeing import label, say
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.texts import Markup, local_time

SUMMARY_CHARS = 1500


async def on_memory(
    message: Message, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    memory = await services.memory.show(key)
    await sender.html(message.chat.id, memory_text(memory, profile))


def memory_text(memory: Memory, profile: Profile) -> str:
    """The /memory screen: profile facts, the last summary (or why it is not shown), results."""
    language = profile.language
    shown = memory.profile or profile
    parts = [
        say(
            language,
            "memory_profile",
            name=shown.display_name or label(language, "memory_no_name"),
            language_name=language_name(shown.language),
            style=style_name(language, shown.style),
            timezone=shown.timezone,
        )
    ]
    parts.append(_summary_text(memory, language))
    lines = [
        "• " + html.escape(result_context_line(INSTRUMENTS[r.instrument], r, language,
                                                shown.timezone), quote=False)
        for r in memory.results
        if r.instrument in INSTRUMENTS
    ]  # fmt: skip
    if lines:
        parts.append(say(language, "memory_results", results=Markup("\n".join(lines))))
    else:
        parts.append(say(language, "memory_no_results"))
    parts.append(say(language, "memory_footer"))
    return "\n\n".join(parts)


def _summary_text(memory: Memory, language: Language) -> str:
    if memory.summary_withheld:  # the stored summary failed the output screen
        return say(language, "memory_summary", summary=withheld_summary(language))
    if not memory.summary:
        return say(language, "memory_no_summary")
    summary = memory.summary.strip()
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rstrip() + "…"
    return say(language, "memory_summary", summary=summary)


async def on_forget(message: Message, profile: Profile, sender: Sender) -> None:
    language = profile.language
    await sender.html(message.chat.id, say(language, "forget_ask"), kb.forget(language))


async def on_forget_name(
    query: CallbackQuery, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await query.answer()
    await services.profiles.update(key, display_name="")
    await _forgotten(query, say(profile.language, "forgot_name"), sender)


async def on_forget_summaries(
    query: CallbackQuery, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await query.answer()
    count = await services.memory.forget_summaries(key)
    await _forgotten(query, say(profile.language, "forgot_summaries", count=count), sender)


async def on_forget_results(
    query: CallbackQuery, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await query.answer()
    count = await services.memory.forget_results(key)
    await _forgotten(query, say(profile.language, "forgot_results", count=count), sender)


async def on_forget_cancel(query: CallbackQuery, profile: Profile, sender: Sender) -> None:
    await query.answer()
    await _forgotten(query, say(profile.language, "forget_cancelled"), sender)


async def _forgotten(query: CallbackQuery, html: str, sender: Sender) -> None:
    """Take the choices away, and say what happened."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)
    await sender.html(query.from_user.id, html)


async def on_private(
    message: Message, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    language = profile.language
    try:
        _session, new = await services.sessions.start(key, off_record=True)
    except DailySessionLimitError as error:
        at = local_time(error.resets_at, profile.timezone)
        await sender.html(message.chat.id, say(language, "private_limit", time=at))
        return
    text = say(language, "private_started" if new else "private_already")
    await sender.html(message.chat.id, text, keyboards.end_session(language))


def build() -> Router:
    router = Router(name="memory")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_memory, Command("memory"))
    router.message.register(on_forget, Command("forget"))
    router.message.register(on_private, Command("private"))
    part = kb.ForgetPart
    for handler, what in (
        (on_forget_name, part.NAME),
        (on_forget_summaries, part.SUMMARIES),
        (on_forget_results, part.RESULTS),
        (on_forget_cancel, part.CANCEL),
    ):
        router.callback_query.register(handler, kb.ForgetChoice.filter(F.what == what))
    return router
