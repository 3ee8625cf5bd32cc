"""Admin alerts: throttled per kind and subject, never dropped unseen, never failing the caller."""

from __future__ import annotations

from structlog.testing import capture_logs

from innertalk.application.operations.alerts import AlertKind, AlertService
from tests.fakes.clock import FakeClock


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[AlertKind, str]] = []

    async def send(self, kind: AlertKind, subject: str) -> None:
        self.received.append((kind, subject))


class Broken:
    async def send(self, kind: AlertKind, subject: str) -> None:
        raise ConnectionError


async def test_one_alert_per_kind_and_subject_per_minute(clock: FakeClock) -> None:
    """A repeat about the same thing within a minute is held; other subjects still go out."""
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    assert await alerts.notify(AlertKind.BREAKER_OPEN, "gemini", about="gemini")
    assert not await alerts.notify(AlertKind.BREAKER_OPEN, "gemini", about="gemini")
    assert await alerts.notify(AlertKind.BREAKER_OPEN, "openai", about="openai")
    assert await alerts.notify("auth", "openai")
    clock.advance(61)
    assert await alerts.notify(AlertKind.BREAKER_OPEN, "gemini", about="gemini")
    assert inbox.received == [
        (AlertKind.BREAKER_OPEN, "gemini"),
        (AlertKind.BREAKER_OPEN, "openai"),
        (AlertKind.PROVIDER_AUTH, "openai"),
        (AlertKind.BREAKER_OPEN, "gemini (+1 more since the last alert)"),
    ]


async def test_three_people_in_crisis_within_a_minute_make_three_alerts(clock: FakeClock) -> None:
    """Crisis alerts are per person: three people within a minute are three alerts."""
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    for person in ("p1", "p2", "p3"):
        assert await alerts.notify(
            AlertKind.CRISIS_DETECTED, f"self_harm/high {person}", about=person
        )
    assert [subject for _, subject in inbox.received] == [
        "self_harm/high p1",
        "self_harm/high p2",
        "self_harm/high p3",
    ]


async def test_held_repeats_are_logged_and_rolled_into_the_next_alert(clock: FakeClock) -> None:
    """A held repeat leaves a log line and a count that the next alert for the person carries."""
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    await alerts.notify(AlertKind.CRISIS_DETECTED, "suicidal_ideation/high p1", about="p1")
    with capture_logs() as logs:
        for _ in range(2):
            assert not await alerts.notify(
                AlertKind.CRISIS_DETECTED, "suicidal_ideation/high p1", about="p1"
            )
    held = [e for e in logs if e["event"] == "admin.alert_held"]
    assert [e["held"] for e in held] == [1, 2]
    clock.advance(60)
    await alerts.notify(AlertKind.CRISIS_DETECTED, "suicidal_ideation/high p1", about="p1")
    assert inbox.received[-1][1] == "suicidal_ideation/high p1 (+2 more since the last alert)"


async def test_the_throttle_table_stays_bounded(clock: FakeClock) -> None:
    """Entries whose interval is over are forgotten, so a year of people does not grow memory."""
    alerts = AlertService(clock)
    for person in range(3000):
        await alerts.notify(AlertKind.CRISIS_DETECTED, "x", about=str(person))
        clock.advance(1)
    assert len(alerts._last) <= 1100


async def test_a_broken_channel_does_not_stop_the_others(clock: FakeClock) -> None:
    """An undeliverable channel is logged; the remaining channels still receive the alert."""
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(Broken())
    alerts.add_channel(inbox)
    assert await alerts.notify(AlertKind.CRISIS_DETECTED)
    assert inbox.received == [(AlertKind.CRISIS_DETECTED, "")]
