"""Operational metrics: event-loop lag, the bot's metrics adapter, crisis counts, API codes."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from prometheus_client import REGISTRY

from innertalk.application.safety import SafetyService
from innertalk.domain.safety import DEFAULT_HOTLINES
from innertalk.domain.users import Language
from innertalk.infrastructure.observability.loop_lag import watch_event_loop_lag
from innertalk.infrastructure.observability.metrics import (
    PrometheusBotMetrics,
    count_crisis,
    count_telegram_error,
)
from innertalk.presentation.telegram.transport.client import error_code
from tests.fakes.clock import FakeClock


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_event_loop_lag_is_the_overshoot_of_each_sleep() -> None:
    """Each 0.5 s sleep reports how much longer it took, and never a negative lag."""
    clock = FakeClock()
    overshoots = iter([0.25, 0.0, -0.1])
    reported: list[float] = []

    async def late_sleep(seconds: float) -> None:
        await clock.sleep(seconds + next(overshoots))

    def report(lag: float) -> None:
        reported.append(lag)
        if len(reported) == 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await watch_event_loop_lag(report, monotonic=clock.monotonic, sleep=late_sleep)
    assert reported == pytest.approx([0.25, 0.0, 0.0])
    assert clock.slept[:1] == [0.75]


def test_bot_metrics_count_updates_latency_and_api_errors() -> None:
    """Updates are counted by type and outcome and timed; API errors by code only."""
    metrics = PrometheusBotMetrics()
    before = _sample("innertalk_updates_total", type="message", outcome="rate_limited")
    timed = _sample("innertalk_handler_seconds_count", type="message")
    errors = _sample("innertalk_telegram_api_errors_total", code="429")
    metrics.update_handled("message", "rate_limited", 0.2)
    count_telegram_error("429")
    assert _sample("innertalk_updates_total", type="message", outcome="rate_limited") == before + 1
    assert _sample("innertalk_handler_seconds_count", type="message") == timed + 1
    assert _sample("innertalk_telegram_api_errors_total", code="429") == errors + 1


async def test_a_crisis_signal_is_counted_by_category_and_severity_only() -> None:
    """SafetyService tells ``on_signal`` the category and severity; calm text tells nothing."""
    seen: list[tuple[str, str]] = []
    service = SafetyService(directory=DEFAULT_HOTLINES, on_signal=lambda *s: seen.append(s))
    assert await service.screen("what a lovely morning", Language.EN) is None
    assert seen == []
    notice = await service.screen("I want to kill myself", Language.EN)
    assert notice is not None
    assert seen == [(notice.signal.category.value, notice.signal.severity.value)]
    category, severity = seen[0]
    before = _sample("innertalk_crisis_detections_total", category=category, severity=severity)
    count_crisis(category, severity)
    after = _sample("innertalk_crisis_detections_total", category=category, severity=severity)
    assert after == before + 1


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (TelegramRetryAfter(SendMessage(chat_id=1, text="x"), "flood", 3), "429"),
        (TelegramForbiddenError(SendMessage(chat_id=1, text="x"), "blocked"), "403"),
        (TelegramBadRequest(SendMessage(chat_id=1, text="x"), "bad"), "400"),
        (TelegramServerError(SendMessage(chat_id=1, text="x"), "down"), "5xx"),
        (TelegramNetworkError(SendMessage(chat_id=1, text="x"), "reset"), "network"),
    ],
)
def test_bot_api_errors_are_labelled_by_their_code(error: Exception, code: str) -> None:
    """The error label is the Bot API's code class, never the description (it may quote)."""
    assert error_code(error) == code  # type: ignore[arg-type]
