"""The aiogram ``Bot``: which server it talks to, its defaults, and how it waits out flood limits.

Telegram answers 429 with ``retry_after`` when a bot sends too fast. ``RetryAfterMiddleware``
(on the bot's HTTP session, so it covers every call) waits that long and tries again, a bounded
number of times. It never retries drafts, chat actions or polls — those are disposable or have
their own loop — and never retries anything else: a 403 or a network error might mean the
message was delivered (or never can be), and a duplicate is worse than a missing retry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]

ErrorReport = Callable[[str], None]

NOT_RETRIED = frozenset({"sendMessageDraft", "sendChatAction", "getUpdates"})


class RetryAfterMiddleware(BaseRequestMiddleware):
    """On 429, wait ``retry_after`` and retry: at most ``attempts`` calls, waits ≤ ``longest``."""

    def __init__(self, sleep: Sleep, *, attempts: int = 3, longest: float = 60.0) -> None:
        self._sleep = sleep
        self._attempts = attempts
        self._longest = longest

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                name = method.__api_method__
                if (
                    name in NOT_RETRIED
                    or attempt >= self._attempts
                    or error.retry_after > self._longest
                ):
                    raise
                log.warning(
                    "telegram.flood_wait",
                    method=name,
                    retry_after=error.retry_after,
                    attempt=attempt,
                )
                await self._sleep(error.retry_after)
                attempt += 1


_CODES: tuple[tuple[type[TelegramAPIError], str], ...] = (
    (TelegramRetryAfter, "429"),
    (TelegramMigrateToChat, "400"),
    (TelegramBadRequest, "400"),
    (TelegramUnauthorizedError, "401"),
    (TelegramForbiddenError, "403"),
    (TelegramNotFound, "404"),
    (TelegramConflictError, "409"),
    (TelegramEntityTooLarge, "413"),
    (TelegramServerError, "5xx"),
    (TelegramNetworkError, "network"),
)


def error_code(error: TelegramAPIError) -> str:
    """The HTTP-like code of a Bot API error (``network`` when no answer came)."""
    return next((code for kind, code in _CODES if isinstance(error, kind)), "other")


class ApiErrorMiddleware(BaseRequestMiddleware):
    """Reports every Bot API error by code (inside the retries, so each 429 counts)."""

    def __init__(self, report: ErrorReport) -> None:
        self._report = report

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramAPIError as error:
            self._report(error_code(error))
            raise


_RESPONSE_TYPES: dict[object, object] = {}


class ResponseTypePin(BaseRequestMiddleware):
    """Keeps alive each ``Response[T]`` class aiogram builds to read an answer.

    aiogram parametrizes the pydantic generic ``Response[method.__returning__]`` for every
    answer. Pydantic caches those classes only weakly and a class lives in reference cycles,
    so each full garbage collection frees it and the next call builds it again (≈2.5 ms on
    the event loop, for every ``sendMessage`` and draft under load). One strong reference per
    result type keeps every later lookup a cache hit.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _RESPONSE_TYPES:
            _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)


def create_bot(
    token: str,
    *,
    sleep: Sleep,
    api_url: str | None = None,
    session: BaseSession | None = None,
    on_api_error: ErrorReport | None = None,
) -> Bot:
    """A ``Bot`` for ``token`` on Telegram's API or ``api_url`` (a local Bot API server).

    ``on_api_error`` is told the code of every error Telegram answers (a metrics counter).
    Raises aiogram's ``TokenValidationError`` for a token that is not shaped like one.
    """
    if session is None:
        api = TelegramAPIServer.from_base(api_url) if api_url else None
        session = AiohttpSession(api=api) if api else AiohttpSession()
    session.middleware(ResponseTypePin())
    session.middleware(RetryAfterMiddleware(sleep))
    if on_api_error is not None:
        session.middleware(ApiErrorMiddleware(on_api_error))
    return Bot(
        token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
