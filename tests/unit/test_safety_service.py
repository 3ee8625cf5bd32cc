"""SafetyService: screening before and after the model, hotlines, content-free alerts."""

from __future__ import annotations

from dataclasses import replace

from innertalk.application.alerts import AlertKind, AlertService
from innertalk.application.safety import SafetyService
from innertalk.domain.safety import DEFAULT_HOTLINES, CrisisCategory
from innertalk.domain.users import Language, UserKey, new_profile
from tests.fakes.clock import FakeClock


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[AlertKind, str]] = []

    async def send(self, kind: AlertKind, subject: str) -> None:
        self.received.append((kind, subject))


async def test_a_crisis_message_gets_hotlines_of_the_persons_country(clock: FakeClock) -> None:
    """A Moscow time zone yields Russian hotlines, emergency number first."""
    service = SafetyService(directory=DEFAULT_HOTLINES)
    profile = new_profile(UserKey("b", 1), clock.now(), language=Language.RU)
    notice = service.screen(
        "я не хочу жить", Language.RU, replace(profile, timezone="Europe/Moscow")
    )
    assert notice is not None
    assert notice.signal.category is CrisisCategory.SUICIDAL_IDEATION
    assert notice.message_key in ("suicidal_ideation", "suicidal_high")
    assert any("112" in line.contact for line in notice.hotlines)


def test_ordinary_messages_and_idioms_pass() -> None:
    """No notice for everyday talk or idioms built from crisis words."""
    service = SafetyService(directory=DEFAULT_HOTLINES)
    for text in ("убил время на сериалы", "this exam is killing me", "I feel a bit tired"):
        assert service.screen(text, Language.EN) is None


async def test_admins_get_the_category_and_a_pseudonym_never_the_words(clock: FakeClock) -> None:
    """The alert names the category and a pseudonym; the message text is nowhere in it."""
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    service = SafetyService(directory=DEFAULT_HOTLINES, alerts=alerts)
    key = UserKey("b", 42)
    notice = service.screen("I want to kill myself tonight", Language.EN)
    assert notice is not None
    await service.alert(key, notice.signal)
    ((kind, subject),) = inbox.received
    assert kind is AlertKind.CRISIS_DETECTED
    assert key.pseudonym in subject
    assert "kill" not in subject
    assert "42" not in subject


def test_replies_with_method_details_are_withheld() -> None:
    """A model reply giving doses or methods is never shown; a kind reply is."""
    assert not SafetyService.allows_reply("Taking 40 pills of paracetamol would be a lethal dose.")
    assert SafetyService.allows_reply("That sounds really heavy. Are you safe right now?")
