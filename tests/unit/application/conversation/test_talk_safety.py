"""Crisis safety inside the conversation: notice, safety mode, admin alert, screened replies."""

from __future__ import annotations

import asyncio

from innertalk.application.operations.alerts import AlertKind, AlertService
from innertalk.application.safety import SafetyService
from innertalk.domain.safety import DEFAULT_HOTLINES
from innertalk.domain.users import Language, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ScriptedModel

ALICE = UserKey("bot", 1)


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[AlertKind, str]] = []

    async def send(self, kind: AlertKind, subject: str) -> None:
        self.received.append((kind, subject))


async def test_a_crisis_message_gets_a_notice_and_safety_mode_for_the_session(
    clock: FakeClock,
) -> None:
    """The reply carries the notice; this and later prompts carry the safety instruction."""
    model = ScriptedModel(lambda request: "I hear you.")
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    core = build_core(
        model, clock, safety=SafetyService(directory=DEFAULT_HOTLINES, alerts=alerts)
    )
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    await core.talk.reply(ALICE, "work was fine today")
    assert "Safety mode" not in model.requests[-1].system
    reply = await core.talk.reply(ALICE, "I want to kill myself")
    for _ in range(5):  # the alert goes out in the background, never delaying the reply
        await asyncio.sleep(0)
    assert reply.safety is not None
    assert reply.safety.hotlines
    assert "Safety mode" in model.requests[-1].system
    await core.talk.reply(ALICE, "hello")
    assert "Safety mode" in model.requests[-1].system
    assert (await core.storage.sessions(ALICE, 1))[0].safety is True
    assert [kind for kind, _ in inbox.received] == [AlertKind.CRISIS_DETECTED]
    assert "kill" not in inbox.received[0][1]


async def test_a_reply_with_method_details_is_replaced_and_never_stored(clock: FakeClock) -> None:
    """A withheld model reply is neither shown nor stored; the gentle text takes its place."""
    harmful = "Taking 40 pills of paracetamol would be a lethal dose."
    model = ScriptedModel(lambda request: harmful)
    core = build_core(model, clock, safety=SafetyService(directory=DEFAULT_HOTLINES))
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    reply = await core.talk.reply(ALICE, "tell me something")
    assert reply.withheld
    assert reply.text != harmful
    stored = await core.storage.session_turns(ALICE, reply.session_id, 10)
    assert all("paracetamol" not in turn.text for turn in stored)


async def test_without_consent_the_notice_is_still_available(clock: FakeClock) -> None:
    """screen() gives the notice for someone who has not consented, storing nothing."""
    core = build_core(ScriptedModel(), clock, safety=SafetyService(directory=DEFAULT_HOTLINES))
    notice = await core.talk.screen("не хочу больше жить", Language.RU)
    assert notice is not None
    assert notice.language is Language.RU
    assert await core.storage.export_user(ALICE) is not None
    assert (await core.storage.export_user(ALICE)).count == 0


async def test_an_entry_points_screening_is_not_repeated(clock: FakeClock) -> None:
    """Passing the entry point's own screening result means one signal, one alert count."""
    signals: list[tuple[str, str]] = []
    safety = SafetyService(
        directory=DEFAULT_HOTLINES, on_signal=lambda *signal: signals.append(signal)
    )
    core = build_core(ScriptedModel(), clock, safety=safety)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    notice = await core.talk.screen("I want to kill myself", Language.EN)
    reply = await core.talk.reply(ALICE, "I want to kill myself", screened=notice)
    assert reply.safety is notice
    assert len(signals) == 1
