"""Talk sessions: Talk (/talk), End (/end), and free text — which always goes to the companion.

A reply streams as drafts while the model writes it; the person may stop it (Telegram's
``stopped_message_generation`` update), and then gets what was written so far.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction, ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message, MessageGenerationStopped

from innertalk.application.conversation.talk import (
    ConsentRequiredError,
    DailyTokenBudgetExhaustedError,
    ReplyStoppedError,
    SessionBudgetExhaustedError,
)
from innertalk.application.ports import ModelRefusedError
from innertalk.application.services import Services
from innertalk.domain.language import detect_language
from innertalk.domain.messages import EmptyMessageError
from innertalk.domain.sessions import DailySessionLimitError
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.telegram.filters import CommandLike, MenuButton
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.keyboards.hotlines import choose_country
from innertalk.presentation.telegram.keyboards.menus import TalkAction, TalkButton
from innertalk.presentation.telegram.render.crisis_notice import notice_html
from innertalk.presentation.telegram.render.markdown import render_markdown
from innertalk.presentation.telegram.texts.bot import duration, local_time, say
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.telegram.transport.streaming import Generations

_DECLINED: dict[type[Exception], str] = {  # what TalkService refuses → the text that says so
    EmptyMessageError: "empty",
    ModelRefusedError: "refused",
    ReplyStoppedError: "stopped_empty",
    ConsentRequiredError: "error",  # consent was withdrawn (data deleted) mid-message
}


async def converse(
    message: Message,
    text: str,
    *,
    key: UserKey,
    profile: Profile,
    services: Services,
    sender: Sender,
    generations: Generations,
) -> None:
    """Answer ``text``: stream the reply as drafts, then send it with 👍/👎 under it.

    A crisis signal in ``text`` gets the safety notice with hotlines first, whatever happens
    to the reply itself (a daily limit or a model failure never hides it).
    """
    chat_id, draft_id, language = message.chat.id, message.message_id, profile.language
    screening = await services.talk.examine(text, detect_language(text) or language, profile)
    notice = screening.notice
    if notice is not None:
        await sender.html(chat_id, notice_html(notice), choose_country(notice))
    with generations.running(chat_id, draft_id) as stop:
        try:
            async with sender.stream(chat_id, draft_id) as stream:
                reply = await services.talk.reply(
                    key, text, stream.show, stop=stop, screened=screening
                )
        except DailySessionLimitError as error:
            await limit_reached(chat_id, error, profile, services, sender)
            return
        except DailyTokenBudgetExhaustedError as error:
            await sender.say(
                chat_id, language, "daily_tokens", wait=duration(language, error.retry_after)
            )
            return
        except SessionBudgetExhaustedError:
            await sender.say(
                chat_id, language, "budget_exhausted", keyboards.end_session(language)
            )
            return
        except tuple(_DECLINED) as error:
            kind = next(text for known, text in _DECLINED.items() if isinstance(error, known))
            await sender.say(chat_id, language, kind)
            return
    await sender.reply(
        chat_id, reply.text, language=language, turn_id=reply.turn_id, stopped=reply.stopped
    )
    late = reply.late_safety  # the provider's opinion saw a crisis the local layers doubted
    if late is not None:
        await sender.html(chat_id, notice_html(late), choose_country(late))


async def limit_reached(
    chat_id: int,
    error: DailySessionLimitError,
    profile: Profile,
    services: Services,
    sender: Sender,
) -> None:
    """Today's sessions are used up: when new ones open, on the person's own clock."""
    wait = (error.resets_at - services.clock.now()).total_seconds()
    await sender.say(
        chat_id,
        profile.language,
        "daily_limit",
        limit=error.limit,
        time=local_time(error.resets_at, profile.timezone),
        timezone=profile.timezone,
        wait=duration(profile.language, wait),
    )


async def on_text(
    message: Message,
    key: UserKey,
    profile: Profile,
    services: Services,
    sender: Sender,
    generations: Generations,
) -> None:
    assert message.text is not None
    await converse(
        message,
        message.text,
        key=key,
        profile=profile,
        services=services,
        sender=sender,
        generations=generations,
    )


async def on_talk(
    message: Message, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    try:
        _, is_new = await services.sessions.start(key)
    except DailySessionLimitError as error:
        await limit_reached(message.chat.id, error, profile, services, sender)
        return
    await sender.say(
        message.chat.id, profile.language, "session_new" if is_new else "session_continued"
    )


async def on_end(
    message: Message, key: UserKey, language: Language, services: Services, sender: Sender
) -> None:
    await end_session(message.bot, key, language, services, sender)


async def on_end_button(
    query: CallbackQuery, key: UserKey, language: Language, services: Services, sender: Sender
) -> None:
    await query.answer()
    await end_session(query.bot, key, language, services, sender)


async def end_session(
    bot: Bot | None, key: UserKey, language: Language, services: Services, sender: Sender
) -> None:
    """Close the open session with a summary, and show what will be remembered."""
    if bot is not None:
        await bot.send_chat_action(key.user_id, ChatAction.TYPING)  # a summary takes a moment
    ended = await services.sessions.end(key)
    if ended is None:
        await sender.say(key.user_id, language, "no_session")
    elif ended.summary:
        parts = (say(language, "session_ended"), render_markdown(ended.summary))
        html = "\n\n".join((*parts, say(language, "session_ended_next")))
        await sender.html(key.user_id, html)
    else:
        await sender.say(key.user_id, language, "session_ended_empty")


async def on_stop(stopped: MessageGenerationStopped, generations: Generations) -> None:
    """The person pressed stop on a streaming reply."""
    generations.stop(stopped.chat.id, stopped.draft_id)


def build_stop() -> Router:
    """Stop requests, handled before anything else (they arrive while a reply holds the lane)."""
    router = Router(name="talk-stop")
    router.stopped_message_generation.register(on_stop)
    return router


def build() -> Router:
    router = Router(name="talk")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_talk, Command("talk"))
    router.message.register(on_talk, MenuButton("talk"))
    router.message.register(on_end, Command("end"))
    router.message.register(on_end, MenuButton("end"))
    router.callback_query.register(on_end_button, TalkAction.filter(F.action == TalkButton.END))
    router.message.register(on_text, F.text, ~CommandLike())
    return router
