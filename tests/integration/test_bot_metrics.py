"""The bot reports its updates (type, outcome, time) and Telegram's errors (code) as metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import Update

from innertalk.presentation.telegram.transport.client import create_bot
from tests.fakes.metrics import RecordingMetrics
from tests.fakes.telegram import FakeTelegram
from tests.integration.bot_harness import running_bot


async def test_updates_are_counted_by_type_and_outcome(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A handled message, a duplicate, a rate-limited one and a button press each count once
    with their outcome and a non-negative duration."""
    metrics = RecordingMetrics()
    async with running_bot(
        monkeypatch, tmp_path, metrics=metrics, RATE_LIMIT="6/minute"
    ) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        raw = alex.send("hello")
        await alex.wait_for_messages(5)
        running.bot.lanes.submit(Update.model_validate(raw, context={"bot": running.bot.bot}))
        for _ in range(4):
            alex.send("more")
        await running.idle()
        outcomes = {(kind, outcome) for kind, outcome, _ in metrics.updates}
        assert ("message", "handled") in outcomes
        assert ("callback_query", "handled") in outcomes
        assert ("message", "rate_limited") in outcomes
        assert ("message", "duplicate") in outcomes
        assert all(seconds >= 0 for _, _, seconds in metrics.updates)


async def test_every_bot_api_error_is_reported_by_code_inside_the_retries() -> None:
    """Each 429 attempt and a 403 are reported; the retried call still succeeds."""
    async with FakeTelegram() as telegram:
        alex = telegram.user()
        codes: list[str] = []

        async def no_wait(_: float) -> None:
            return None

        bot = create_bot(
            telegram.token, sleep=no_wait, session=telegram.session(), on_api_error=codes.append
        )
        try:
            telegram.rate_limit("sendMessage", retry_after=1, times=2)
            await bot.send_message(alex.id, "hi")
            assert codes == ["429", "429"]
            telegram.rate_limit("sendMessage", retry_after=1, times=3)
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(alex.id, "hi")
            telegram.block(alex.id)
            with pytest.raises(TelegramForbiddenError):
                await bot.send_message(alex.id, "hi")
            assert codes == ["429"] * 5 + ["403"]
        finally:
            await bot.session.close()
