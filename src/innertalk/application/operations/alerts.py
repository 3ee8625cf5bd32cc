"""Admin alerts: things that need a human, sent to every admin channel, never flooding them.

Alerts carry a kind and a subject (a provider's name, a category and a pseudonym) — never
anything a person wrote. Each alert is throttled per (kind, what it is about): one provider's
breaker does not hide another's, and one person's crisis never hides another person's. A
repeat within the interval is held, logged and counted, and the next alert about the same
thing says how many were held ("+2 more since the last alert"): nothing is dropped unseen.
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

_PRUNE_AT = 1024
"""Throttle entries kept before the ones past their interval are forgotten."""


class AlertKind(StrEnum):
    BREAKER_OPEN = "breaker_open"
    ALL_PROVIDERS_DOWN = "all_providers_down"
    PROVIDER_AUTH = "auth"
    WRITE_BEHIND_DEAD_LETTER = "write_behind_dead_letter"
    CRISIS_DETECTED = "crisis_detected"


class AlertChannel(Protocol):
    """Somewhere admins read alerts."""

    async def send(self, kind: AlertKind, subject: str) -> None: ...


class AlertService:
    """Throttles alerts per (kind, subject of the alert) and fans them out to every channel."""

    def __init__(self, clock: Clock, *, interval: float = 60.0) -> None:
        self._clock = clock
        self._interval = interval
        self._last: dict[tuple[AlertKind, str], float] = {}
        self._held: dict[tuple[AlertKind, str], int] = {}
        self._channels: list[AlertChannel] = []

    def add_channel(self, channel: AlertChannel) -> None:
        self._channels.append(channel)

    async def notify(self, kind: AlertKind | str, subject: str = "", *, about: str = "") -> bool:
        """Send ``kind`` unless one ``about`` the same thing (a provider, a person's pseudonym;
        empty: the kind as a whole) went out within the interval; ``True`` when sent."""
        kind = AlertKind(kind)
        key, now = (kind, about), self._clock.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            self._held[key] = held = self._held.get(key, 0) + 1
            log.warning("admin.alert_held", kind=kind.value, about=about, held=held)
            return False
        self._forget_old(now)
        self._last[key] = now
        if held := self._held.pop(key, 0):
            subject = f"{subject} (+{held} more since the last alert)".lstrip()
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

    def _forget_old(self, now: float) -> None:
        """Bound the throttle table: drop entries whose interval is over and nothing is held."""
        if len(self._last) < _PRUNE_AT:
            return
        for key, sent in list(self._last.items()):
            if now - sent >= self._interval and key not in self._held:
                del self._last[key]
