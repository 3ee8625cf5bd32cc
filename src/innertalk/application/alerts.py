"""Admin alerts: things that need a human, sent to the admins at most once per kind a minute.

Alerts carry a kind and a subject (a provider's name, a count) — never anything a person wrote.
Entry points register channels (the Telegram bot sends to ``ADMIN_IDS``); without a channel
an alert is a log line only.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Protocol

import structlog

from innertalk.application.ports import Clock

log = structlog.get_logger(__name__)


class AlertKind(StrEnum):
    BREAKER_OPEN = "breaker_open"
    ALL_PROVIDERS_DOWN = "all_providers_down"
    PROVIDER_AUTH = "auth"
    WRITE_BEHIND_FAILING = "write_behind_failing"
    WRITE_BEHIND_DEAD_LETTER = "write_behind_dead_letter"
    CRISIS_DETECTED = "crisis_detected"


class AlertChannel(Protocol):
    """Somewhere admins read alerts."""

    async def send(self, kind: AlertKind, subject: str) -> None: ...


class AlertService:
    """Throttles alerts per kind and fans them out to every channel."""

    def __init__(self, clock: Clock, *, interval: float = 60.0) -> None:
        self._clock = clock
        self._interval = interval
        self._last: dict[AlertKind, float] = {}
        self._channels: list[AlertChannel] = []

    def add_channel(self, channel: AlertChannel) -> None:
        self._channels.append(channel)

    async def notify(self, kind: AlertKind | str, subject: str = "") -> bool:
        """Send ``kind`` unless one went out within the interval; ``True`` when sent."""
        kind = AlertKind(kind)
        now = self._clock.monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < self._interval:
            return False
        self._last[kind] = now
        log.error("admin.alert", kind=kind.value, subject=subject)
        results = await asyncio.gather(
            *(channel.send(kind, subject) for channel in self._channels), return_exceptions=True
        )
        for result in results:
            if isinstance(result, Exception):
                log.warning(
                    "admin.alert_undelivered", kind=kind.value, error=type(result).__name__
                )
        return True
