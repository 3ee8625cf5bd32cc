"""Telegram's 429: waited out and retried a bounded number of times, never for disposables."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, SendMessage, SendMessageDraft, TelegramMethod

from innertalk.presentation.telegram.transport.client import RetryAfterMiddleware
from tests.fakes.telegram import DEFAULT_TOKEN


class FloodedServer:
    """Answers 429 (``retry_after``) ``floods`` times, then succeeds; counts calls."""

    def __init__(self, floods: int, retry_after: int = 2) -> None:
        self.floods, self.retry_after, self.calls = floods, retry_after, 0

    async def __call__(self, bot: Bot, method: TelegramMethod[bool]) -> Response[bool]:
        self.calls += 1
        if self.calls <= self.floods:
            raise TelegramRetryAfter(method, "Too Many Requests", self.retry_after)
        return Response[bool](ok=True, result=True)


@pytest.fixture
def bot() -> Bot:
    return Bot(DEFAULT_TOKEN)


async def test_a_429_is_waited_out_then_retried(bot: Bot) -> None:
    """Two floods: two waits of retry_after, then the call succeeds."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    server = FloodedServer(floods=2)
    response = await RetryAfterMiddleware(sleep)(server, bot, SendMessage(chat_id=1, text="hi"))
    assert response.result is True
    assert (server.calls, waits) == (3, [2, 2])


async def test_retries_are_bounded(bot: Bot) -> None:
    """After ``attempts`` calls, or for a wait longer than ``longest``, the 429 is raised."""

    async def sleep(seconds: float) -> None:
        return None

    server = FloodedServer(floods=5)
    with pytest.raises(TelegramRetryAfter):
        await RetryAfterMiddleware(sleep, attempts=3)(
            server, bot, SendMessage(chat_id=1, text="x")
        )
    assert server.calls == 3
    patient = FloodedServer(floods=1, retry_after=600)
    with pytest.raises(TelegramRetryAfter):
        await RetryAfterMiddleware(sleep, longest=60)(
            patient, bot, SendMessage(chat_id=1, text="x")
        )
    assert patient.calls == 1


async def test_drafts_are_never_retried(bot: Bot) -> None:
    """A throttled draft is skipped (the next one supersedes it), not waited for."""

    async def sleep(seconds: float) -> None:
        raise AssertionError("no wait expected")

    server = FloodedServer(floods=1)
    draft = SendMessageDraft(chat_id=1, draft_id=1, text="…")
    with pytest.raises(TelegramRetryAfter):
        await RetryAfterMiddleware(sleep)(server, bot, draft)
    assert server.calls == 1
