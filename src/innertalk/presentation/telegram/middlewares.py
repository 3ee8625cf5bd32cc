"""Update middlewares, outermost first: log context → metrics → errors → dedupe → identity →
rate limit.

They run inside ``UpdateLanes``, which already hands a person's updates over one at a time in
arrival order. Each sets up what the next relies on: the identity middleware puts ``key``,
``profile`` and ``language`` into the handler data for everything after it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import structlog
from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.types import Chat, TelegramObject, Update, User
from cachetools import TTLCache

from innertalk.application.ports import Clock, RateLimiter, UpdateDedupe
from innertalk.application.profiles import ProfileService
from innertalk.application.telemetry import BotMetrics
from innertalk.domain.users import Language, Pseudonyms, UserKey
from innertalk.presentation.telegram.keyboards.menus import PrivacyAction
from innertalk.presentation.telegram.texts.bot import known_language, language_of, plain
from innertalk.presentation.telegram.transport.sender import Sender

log = structlog.get_logger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

OUTCOME = "update_outcome"
"""Where an inner middleware notes why an update ended early (the metrics middleware reads it)."""


class UpdateOutcome(StrEnum):
    """How an update ended: the ``outcome`` label of ``innertalk_updates_total``."""

    HANDLED = "handled"
    UNHANDLED = "unhandled"
    ERROR = "error"
    UNREACHABLE = "unreachable"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    RATE_LIMITED = "rate_limited"


PERSONAL_UPDATES = frozenset({"message", "edited_message", "callback_query"})
"""Updates a person sends themselves (the ones rate-limited and proving they're reachable)."""


def _user(data: dict[str, Any]) -> User | None:
    user = data.get("event_from_user")
    return user if isinstance(user, User) else None


def _private_chat(data: dict[str, Any]) -> Chat | None:
    chat = data.get("event_chat")
    return chat if isinstance(chat, Chat) and chat.type == ChatType.PRIVATE else None


class LogContextMiddleware(BaseMiddleware):
    """Binds update id, a pseudonym of the person and a request id to every log line."""

    def __init__(self, bot_id: str, pseudonyms: Pseudonyms) -> None:
        self._bot_id = bot_id
        self._pseudonyms = pseudonyms

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        user = _user(data)
        person = self._pseudonyms.of(UserKey(self._bot_id, user.id)) if user else None
        with structlog.contextvars.bound_contextvars(
            update_id=event.update_id, user=person, request_id=uuid.uuid4().hex[:12]
        ):
            return await handler(event, data)


class UpdateMetricsMiddleware(BaseMiddleware):
    """Counts every update by type and outcome and times it."""

    def __init__(self, timer: Callable[[], float], metrics: BotMetrics) -> None:
        self._timer = timer
        self._metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        started = self._timer()
        outcome = UpdateOutcome.ERROR
        try:
            result = await handler(event, data)
            outcome = data.get(OUTCOME) or (
                UpdateOutcome.UNHANDLED if result is UNHANDLED else UpdateOutcome.HANDLED
            )
            return result
        finally:
            _report(self._metrics, event.event_type, outcome, self._timer() - started)


def _report(metrics: BotMetrics, update_type: str, outcome: str, seconds: float) -> None:
    try:
        metrics.update_handled(update_type, outcome, seconds)
    except Exception as error:  # counting must never cost a reply
        log.warning("bot.metrics_failed", error=type(error).__name__)


class ErrorMiddleware(BaseMiddleware):
    """No handler failure reaches the person as silence: they get a short apology, the log gets
    the exception's type (never its message, which may quote them). A 403 means the person
    blocked the bot: they are marked unreachable and nothing is retried."""

    def __init__(self, profiles: ProfileService, sender: Sender) -> None:
        self._profiles = profiles
        self._sender = sender

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        try:
            return await handler(event, data)
        except TelegramForbiddenError:
            data[OUTCOME] = UpdateOutcome.UNREACHABLE
            await self._unreachable(data.get("key"))
        except Exception as error:
            data[OUTCOME] = UpdateOutcome.ERROR
            log.error(
                "bot.handler_failed", update_type=event.event_type, error=type(error).__name__
            )
            await self._apologize(event, data)
        return None

    async def _unreachable(self, key: object) -> None:
        log.info("telegram.blocked_by_user")
        if isinstance(key, UserKey):
            try:
                await self._profiles.set_reachable(key, False)
            except Exception as error:
                log.warning("bot.reachability_not_saved", error=type(error).__name__)

    async def _apologize(self, event: Update, data: dict[str, Any]) -> None:
        language = data.get("language")
        if not isinstance(language, Language):
            user = _user(data)
            language = language_of(user.language_code if user else None)
        with contextlib.suppress(Exception):
            if event.callback_query is not None:
                await event.callback_query.answer()
            if (chat := _private_chat(data)) is not None:
                await self._sender.say(chat.id, language, "error")


REPLAYED = "replayed"
"""Set in the handler data for an update replayed from the inbox after a restart."""


class DedupeMiddleware(BaseMiddleware):
    """An update Telegram delivers twice (a retried webhook, a restart) is handled once.

    An update replayed from the inbox passes: it was seen before the crash, but its reply was
    never sent (the inbox's ``answered`` mark keeps answered ones from being replayed).
    """

    def __init__(self, dedupe: UpdateDedupe, bot_id: str) -> None:
        self._dedupe = dedupe
        self._bot_id = bot_id

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if data.get(REPLAYED):
            return await handler(event, data)
        try:
            first = await self._dedupe.first_time(self._bot_id, event.update_id)
        except Exception as error:  # better a rare duplicate than a lost message
            log.warning("bot.dedupe_unavailable", error=type(error).__name__)
            first = True
        if not first:
            log.info("bot.duplicate_update")
            data[OUTCOME] = UpdateOutcome.DUPLICATE
            return None
        return await handler(event, data)


class IdentityMiddleware(BaseMiddleware):
    """Who is writing: ``key``, ``profile`` (``None`` before consent) and ``language``.

    Admin-blocked people get no conversation — but they can still see, export and erase their
    data (/privacy, /export, /delete). Someone Telegram reported unreachable who writes again
    is reachable again. It only reads for anyone without a profile (no "last seen", no
    language kept), so an operator using /health or /admin before consent leaves no record.
    """

    def __init__(self, profiles: ProfileService, bot_id: str) -> None:
        self._profiles = profiles
        self._bot_id = bot_id

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        user = _user(data)
        data["key"], data["profile"] = None, None
        data["language"] = language_of(user.language_code if user else None)
        if user is None or user.is_bot or _private_chat(data) is None:
            return await handler(event, data)
        key = UserKey(self._bot_id, user.id)
        profile = await self._profiles.get(key)
        if profile is not None and profile.blocked and not _about_privacy(event):
            log.info("bot.blocked_person_ignored", update_type=event.event_type)
            data[OUTCOME] = UpdateOutcome.IGNORED
            if event.callback_query is not None:
                await event.callback_query.answer()
            return None
        if profile is not None and not profile.active and event.event_type in PERSONAL_UPDATES:
            await self._profiles.set_reachable(key, True)
        data["key"], data["profile"] = key, profile
        if profile is not None and profile.has_consented:
            data["language"] = profile.language
            return await handler(event, data)
        if known_language(user.language_code) is None:  # one we do not speak: the tenant's
            data["language"] = await self._profiles.default_language(key)
        if isinstance(state := data.get("state"), FSMContext):
            chosen = (await state.get_data()).get("language")
            if chosen in {language.value for language in Language}:
                data["language"] = Language(chosen)
        return await handler(event, data)


PRIVACY_COMMANDS = frozenset({"privacy", "export", "delete"})


def _about_privacy(update: Update) -> bool:
    """A privacy command, or a button of the privacy screen."""
    if update.callback_query is not None:
        prefix = PrivacyAction.__prefix__ + PrivacyAction.__separator__
        return (update.callback_query.data or "").startswith(prefix)
    text = update.message.text if update.message is not None else None
    if not text or not text.startswith("/"):
        return False
    command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    return command in PRIVACY_COMMANDS


class RateLimitMiddleware(BaseMiddleware):
    """Messages over the rate limit never reach the model; the person is told so once per
    window, and the rest of a flood is dropped quietly."""

    def __init__(
        self, limiter: RateLimiter, sender: Sender, clock: Clock, *, window: float
    ) -> None:
        self._limiter = limiter
        self._sender = sender
        self._told: TTLCache[UserKey, bool] = TTLCache(
            maxsize=100_000, ttl=window, timer=clock.monotonic
        )

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        key = data.get("key")
        if event.event_type not in PERSONAL_UPDATES or not isinstance(key, UserKey):
            return await handler(event, data)
        if await self._limiter.allow(key):
            return await handler(event, data)
        log.info("bot.rate_limited")
        data[OUTCOME] = UpdateOutcome.RATE_LIMITED
        tell = key not in self._told
        if tell:
            self._told[key] = True
        language = data["language"]
        if event.callback_query is not None:
            text = plain(language, "rate_limited") if tell else None
            with contextlib.suppress(TelegramAPIError):
                await event.callback_query.answer(text)
        elif tell:
            await self._sender.say(key.user_id, language, "rate_limited")
        return None
