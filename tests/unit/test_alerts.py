"""Admin alerts: throttled per kind, delivered to every channel, never failing the caller."""

from __future__ import annotations

from innertalk.application.alerts import AlertKind, AlertService
from tests.fakes.clock import FakeClock


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[AlertKind, str]] = []

    async def send(self, kind: AlertKind, subject: str) -> None:
        self.received.append((kind, subject))


class Broken:
    async def send(self, kind: AlertKind, subject: str) -> None:
        raise ConnectionError


async def test_one_alert_per_kind_per_minute(clock: FakeClock) -> None:
    """A second alert of the same kind within a minute is dropped; other kinds still go out."""
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    assert await alerts.notify(AlertKind.BREAKER_OPEN, "gemini")
    assert not await alerts.notify(AlertKind.BREAKER_OPEN, "openai")
    assert await alerts.notify("auth", "openai")
    clock.advance(61)
    assert await alerts.notify(AlertKind.BREAKER_OPEN, "openai")
    assert inbox.received == [
        (AlertKind.BREAKER_OPEN, "gemini"),
        (AlertKind.PROVIDER_AUTH, "openai"),
        (AlertKind.BREAKER_OPEN, "openai"),
    ]


async def test_a_broken_channel_does_not_stop_the_others(clock: FakeClock) -> None:
    """An undeliverable channel is logged; the remaining channels still receive the alert."""
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(Broken())
    alerts.add_channel(inbox)
    assert await alerts.notify(AlertKind.CRISIS_DETECTED)
    assert inbox.received == [(AlertKind.CRISIS_DETECTED, "")]
