"""SafetyService: screening before and after the model, hotlines, content-free alerts."""

from __future__ import annotations

from dataclasses import replace

from innertalk.application.operations.alerts import AlertKind, AlertService
from innertalk.application.safety import SafetyService
from innertalk.domain.analytics import CrisisMark
from innertalk.domain.safety import DEFAULT_HOTLINES, CrisisCategory
from innertalk.domain.users import Language, Pseudonyms, UserKey, new_profile
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
    notice = await service.screen(
        "я не хочу жить", Language.RU, replace(profile, timezone="Europe/Moscow")
    )
    assert notice is not None
    assert notice.signal.category is CrisisCategory.SUICIDAL_IDEATION
    assert notice.message_key in ("suicidal_ideation", "suicidal_high")
    assert any("112" in line.contact for line in notice.hotlines)


async def test_without_a_time_zone_the_language_chooses_the_hotlines(clock: FakeClock) -> None:
    """A Russian speaker on the default zone gets Russia's lines; English keeps the world list;
    a time zone naming a country wins over the language, and CRISIS_COUNTRY over both."""
    service = SafetyService(directory=DEFAULT_HOTLINES)
    profile = new_profile(UserKey("b", 1), clock.now(), language=Language.RU)
    ru = await service.screen("я не хочу жить", Language.RU, profile)
    en = await service.screen("I want to die", Language.EN, profile)
    kyiv = await service.screen(
        "я не хочу жить", Language.RU, replace(profile, timezone="Europe/Kyiv")
    )
    assert ru is not None
    assert en is not None
    assert kyiv is not None
    assert (ru.country, en.country, kyiv.country) == ("RU", None, "UA")
    assert any(line.contact == "8-800-2000-122" for line in ru.hotlines)
    assert any("findahelpline" in line.contact for line in en.hotlines)
    chosen = SafetyService(directory=DEFAULT_HOTLINES, country="BY")
    notice = await chosen.screen("я не хочу жить", Language.RU, profile)
    assert notice is not None
    assert notice.country == "BY"


async def test_a_notice_can_be_rebuilt_for_another_country() -> None:
    """``notice_in`` gives the same signal's notice with the chosen country's lines."""
    service = SafetyService(directory=DEFAULT_HOTLINES)
    first = await service.screen("я не хочу жить", Language.RU)
    assert first is not None
    other = service.notice_in(first.signal, Language.RU, "UA")
    assert other.message_key == first.message_key
    assert any(line.contact == "7333" for line in other.hotlines)
    assert {"UA", "RU"} <= set(service.countries)


async def test_ordinary_messages_and_idioms_pass() -> None:
    """No notice for everyday talk or idioms built from crisis words."""
    service = SafetyService(directory=DEFAULT_HOTLINES)
    for text in ("убил время на сериалы", "this exam is killing me", "I feel a bit tired"):
        assert await service.screen(text, Language.EN) is None


async def test_admins_get_the_category_and_a_pseudonym_never_the_words(clock: FakeClock) -> None:
    """The alert names the category and a pseudonym; the message text is nowhere in it."""
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    pseudonyms = Pseudonyms(b"a key of at least sixteen bytes")
    service = SafetyService(directory=DEFAULT_HOTLINES, alerts=alerts, pseudonyms=pseudonyms)
    key = UserKey("b", 42)
    notice = await service.screen("I want to kill myself tonight", Language.EN)
    assert notice is not None
    await service.alert(key, notice.signal)
    ((kind, subject),) = inbox.received
    assert kind is AlertKind.CRISIS_DETECTED
    assert pseudonyms.of(key) in subject
    assert "kill" not in subject
    assert "42" not in subject


async def test_three_people_in_crisis_within_a_minute_each_reach_the_admins(
    clock: FakeClock,
) -> None:
    """Crisis alerts are throttled per person: three people in one minute are three alerts."""
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    pseudonyms = Pseudonyms(b"a key of at least sixteen bytes")
    service = SafetyService(directory=DEFAULT_HOTLINES, alerts=alerts, pseudonyms=pseudonyms)
    notice = await service.screen("I want to kill myself tonight", Language.EN)
    assert notice is not None
    for user in (1, 2, 3, 1):
        await service.alert(UserKey("b", user), notice.signal)
        clock.advance(5)
    subjects = [subject for _, subject in inbox.received]
    assert len(subjects) == 3
    for user, subject in zip((1, 2, 3), subjects, strict=True):
        assert pseudonyms.of(UserKey("b", user)) in subject


def test_replies_with_method_details_are_withheld() -> None:
    """A model reply giving doses or methods is never shown; a kind reply is."""
    assert not SafetyService.allows_reply("Taking 40 pills of paracetamol would be a lethal dose.")
    assert SafetyService.allows_reply("That sounds really heavy. Are you safe right now?")


async def test_a_crisis_signal_is_noted_as_a_count_without_the_person_or_words(
    clock: FakeClock,
) -> None:
    """``alert`` notes realm, category, severity and time for the overview — nothing else."""
    noted: list[CrisisMark] = []

    class Log:
        async def note_crisis(self, mark: CrisisMark) -> None:
            noted.append(mark)

    service = SafetyService(directory=DEFAULT_HOTLINES, crisis_log=(Log(), clock))
    notice = await service.screen("I want to kill myself tonight", Language.EN)
    assert notice is not None
    await service.alert(UserKey("b", 42), notice.signal)
    signal = notice.signal
    assert noted == [
        CrisisMark("b", signal.category.value, signal.severity.value, clock.now()),
    ]


async def test_a_count_the_store_refuses_does_not_stop_the_alert(clock: FakeClock) -> None:
    """A failing crisis log is logged and skipped; the admins are still alerted."""

    class Broken:
        async def note_crisis(self, mark: CrisisMark) -> None:
            raise ConnectionError

    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    broken = (Broken(), clock)
    service = SafetyService(directory=DEFAULT_HOTLINES, alerts=alerts, crisis_log=broken)
    notice = await service.screen("I want to kill myself tonight", Language.EN)
    assert notice is not None
    await service.alert(UserKey("b", 7), notice.signal)
    assert len(inbox.received) == 1
