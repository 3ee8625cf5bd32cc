"""The provider's third opinion inside the conversation: asked only in doubt, never a delay."""

from __future__ import annotations

import asyncio

import pytest

from innertalk.application.operations.alerts import AlertKind, AlertService
from innertalk.application.safety import ClassifierVerdict, SafetyService
from innertalk.application.safety_opinion import SecondOpinion
from innertalk.domain.safety import DEFAULT_HOTLINES, CrisisCategory
from innertalk.domain.users import Language, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ScriptedModel

ALICE = UserKey("bot", 1)
DOUBTFUL = "everything feels pointless lately"
BOUND = 0.05
"""``SAFETY_OPINION_TIMEOUT`` in these tests: tiny, so a hanging opinion costs nothing."""


class FixedClassifier:
    """The local learned layer, answering one fixed probability (threshold 0.6, doubt ≥ 0.3;
    it backs a doubtful rule hit from 0.45)."""

    def __init__(self, probability: float) -> None:
        self.probability = probability

    async def assess(self, text: str) -> ClassifierVerdict:
        return ClassifierVerdict(self.probability, CrisisCategory.SELF_HARM, 0.6, 0.3)


class FakeOpinion:
    """A provider's opinion: ``answer``, or never any answer when ``hang``."""

    def __init__(self, answer: CrisisCategory | None = None, *, hang: bool = False) -> None:
        self.answer = answer
        self.hang = hang
        self.asked: list[str] = []
        self.waiting = False
        self.started = asyncio.Event()
        self.cancelled = False

    async def assess(self, text: str) -> CrisisCategory | None:
        self.asked.append(text)
        if not self.hang:
            return self.answer
        self.waiting = True
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return None


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[AlertKind, str]] = []

    async def send(self, kind: AlertKind, subject: str) -> None:
        self.received.append((kind, subject))


async def _core(
    clock: FakeClock,
    model: ScriptedModel,
    opinion: FakeOpinion | None,
    probability: float = 0.5,
    outcomes: list[str] | None = None,
) -> tuple[Core, Inbox]:
    alerts, inbox = AlertService(clock), Inbox()
    alerts.add_channel(inbox)
    safety = SafetyService(
        directory=DEFAULT_HOTLINES, alerts=alerts, classifier=FixedClassifier(probability)
    )
    count = outcomes.append if outcomes is not None else None
    second = None if opinion is None else SecondOpinion(opinion, timeout=BOUND, on_outcome=count)
    core = build_core(model, clock, safety=safety, opinion=second)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    return core, inbox


async def test_a_crisis_opinion_gets_the_notice_after_the_reply_safety_mode_and_an_alert(
    clock: FakeClock,
) -> None:
    """In doubt, a crisis opinion adds hotlines after the reply, safety mode and an alert."""
    model = ScriptedModel(lambda request: "I'm here with you.")
    opinion, outcomes = FakeOpinion(CrisisCategory.SUICIDAL_IDEATION), list[str]()
    core, inbox = await _core(clock, model, opinion, outcomes=outcomes)
    reply = await core.talk.reply(ALICE, DOUBTFUL)
    for _ in range(5):  # the alert goes out in the background
        await asyncio.sleep(0)
    assert opinion.asked == [DOUBTFUL]
    assert reply.safety is None
    assert reply.text == "I'm here with you."
    assert reply.late_safety is not None
    assert reply.late_safety.hotlines
    assert reply.late_safety.signal.rules == ("opinion:suicidal_ideation",)
    assert (await core.storage.sessions(ALICE, 1))[0].safety is True
    assert [kind for kind, _ in inbox.received] == [AlertKind.CRISIS_DETECTED]
    assert "pointless" not in inbox.received[0][1]
    assert outcomes == ["crisis"]
    await core.talk.reply(ALICE, "thanks")
    assert "Safety mode" in model.requests[-1].system


async def test_a_clear_opinion_changes_nothing(clock: FakeClock) -> None:
    """An opinion of no crisis leaves the reply and the session as they were."""
    core, inbox = await _core(clock, ScriptedModel(), FakeOpinion(None))
    reply = await core.talk.reply(ALICE, DOUBTFUL)
    assert reply.late_safety is None
    assert (await core.storage.sessions(ALICE, 1))[0].safety is False
    assert inbox.received == []


async def test_a_hanging_opinion_delays_the_reply_by_at_most_its_bound(clock: FakeClock) -> None:
    """The reply streams while the opinion hangs; it returns within the bound, opinion dropped."""
    opinion, outcomes = FakeOpinion(hang=True), list[str]()
    core, _ = await _core(
        clock, ScriptedModel(lambda request: "Tell me more."), opinion, outcomes=outcomes
    )
    shown: list[tuple[str, bool]] = []

    async def show(so_far: str) -> None:
        shown.append((so_far, opinion.waiting))

    loop = asyncio.get_running_loop()
    started = loop.time()
    reply = await asyncio.wait_for(core.talk.reply(ALICE, DOUBTFUL, show), timeout=2.0)
    elapsed = loop.time() - started
    assert shown[-1] == ("Tell me more.", True)  # the whole reply was shown while it hung
    assert elapsed < BOUND + 0.5
    assert reply.late_safety is None
    assert reply.text == "Tell me more."
    assert opinion.cancelled
    assert outcomes == ["timeout"]


async def test_a_failing_opinion_fails_open(clock: FakeClock) -> None:
    """An opinion that raises leaves the local verdict standing and the reply untouched."""

    class Broken(FakeOpinion):
        async def assess(self, text: str) -> CrisisCategory | None:
            raise ConnectionError("provider down")

    outcomes: list[str] = []
    core, inbox = await _core(clock, ScriptedModel(), Broken(), outcomes=outcomes)
    reply = await core.talk.reply(ALICE, DOUBTFUL)
    assert reply.late_safety is None
    assert reply.text
    assert outcomes == ["error"]
    assert inbox.received == []


async def test_a_failed_reply_abandons_the_opinion(clock: FakeClock) -> None:
    """When the model fails, the opinion's task is cancelled with it, not left running."""
    model, opinion = ScriptedModel(), FakeOpinion(hang=True)
    model.fail_with = RuntimeError("model down")
    model.gate = asyncio.Event()
    core, _ = await _core(clock, model, opinion)
    replying = asyncio.ensure_future(core.talk.reply(ALICE, DOUBTFUL))
    await opinion.started.wait()  # both the opinion and the model call are under way
    model.gate.set()
    with pytest.raises(RuntimeError):
        await replying
    await asyncio.sleep(0)
    assert opinion.cancelled


async def test_without_an_opinion_configured_none_is_asked(clock: FakeClock) -> None:
    """SAFETY_OPINION=off wires no opinion: a doubtful message is answered locally only."""
    core, inbox = await _core(clock, ScriptedModel(), None)
    reply = await core.talk.reply(ALICE, DOUBTFUL)
    assert reply.late_safety is None
    assert reply.safety is None
    assert inbox.received == []


@pytest.mark.parametrize(
    ("message", "probability"),
    [
        ("I want to kill myself tonight", 0.4),  # the rules fired
        (DOUBTFUL, 0.05),  # the classifier is confident: no crisis
        (DOUBTFUL, 0.9),  # the classifier is confident: crisis
    ],
)
async def test_certain_messages_are_never_sent_for_an_opinion(
    clock: FakeClock, message: str, probability: float
) -> None:
    """Only the classifier's doubt band goes to the provider; certain verdicts stay local."""
    opinion = FakeOpinion(CrisisCategory.SELF_HARM)
    core, _ = await _core(clock, ScriptedModel(), opinion, probability)
    reply = await core.talk.reply(ALICE, message)
    assert opinion.asked == []
    assert reply.late_safety is None


async def test_an_entry_points_screening_carries_the_doubt(clock: FakeClock) -> None:
    """examine() at the entry point, passed as ``screened``, still gets the opinion asked."""
    opinion = FakeOpinion(CrisisCategory.SELF_HARM)
    core, _ = await _core(clock, ScriptedModel(), opinion)
    screening = await core.talk.examine(DOUBTFUL, Language.EN)
    assert screening.uncertain
    assert screening.notice is None
    reply = await core.talk.reply(ALICE, DOUBTFUL, screened=screening)
    assert opinion.asked == [DOUBTFUL]
    assert reply.late_safety is not None


JOKE = "if i have to redo this spreadsheet again i'll shoot myself lol"
"""A rule hit in a joking, exasperated shape: doubtful, so a configured opinion decides."""


async def test_a_doubtful_rule_signal_cleared_by_the_opinion_raises_nothing(
    clock: FakeClock,
) -> None:
    """With an opinion configured, a joke-shaped rule hit it calls clear is answered normally."""
    opinion = FakeOpinion(None)
    core, inbox = await _core(clock, ScriptedModel(lambda request: "Ha, rough day?"), opinion)
    reply = await core.talk.reply(ALICE, JOKE)
    assert opinion.asked == [JOKE]
    assert reply.safety is None
    assert reply.late_safety is None
    assert reply.text == "Ha, rough day?"
    assert inbox.received == []


async def test_a_doubtful_rule_signal_the_opinion_confirms_gets_the_notice(
    clock: FakeClock,
) -> None:
    """A crisis opinion on a joke-shaped rule hit brings the hotlines after the reply."""
    core, _ = await _core(clock, ScriptedModel(), FakeOpinion(CrisisCategory.SUICIDAL_IDEATION))
    reply = await core.talk.reply(ALICE, JOKE)
    assert reply.late_safety is not None
    assert reply.late_safety.hotlines


@pytest.mark.parametrize("hang", [False, True], ids=["opinion fails", "opinion late"])
async def test_a_doubtful_rule_signal_stands_when_the_opinion_fails(
    clock: FakeClock, hang: bool
) -> None:
    """Failing open: no answer from the opinion leaves the rules' own signal and its notice."""

    class Broken(FakeOpinion):
        async def assess(self, text: str) -> CrisisCategory | None:
            raise ConnectionError("provider down")

    opinion = FakeOpinion(hang=True) if hang else Broken()
    core, inbox = await _core(clock, ScriptedModel(), opinion)
    reply = await core.talk.reply(ALICE, JOKE)
    for _ in range(5):  # the alert goes out in the background
        await asyncio.sleep(0)
    assert reply.late_safety is not None
    assert not any(rule.startswith("opinion:") for rule in reply.late_safety.signal.rules)
    assert [kind for kind, _ in inbox.received] == [AlertKind.CRISIS_DETECTED]


async def test_without_an_opinion_a_doubtful_rule_signal_gets_the_notice_at_once(
    clock: FakeClock,
) -> None:
    """SAFETY_OPINION=off keeps today's safe behaviour: the notice comes before any reply."""
    core, _ = await _core(clock, ScriptedModel(), None)
    reply = await core.talk.reply(ALICE, JOKE)
    assert reply.safety is not None
    assert reply.late_safety is None


async def test_a_doubtful_rule_signal_the_classifier_clears_gets_no_notice_at_once(
    clock: FakeClock,
) -> None:
    """No opinion configured, the classifier below its doubt band: the joke is answered as
    a joke, with no notice and no alert."""
    model = ScriptedModel(lambda request: "Spreadsheets again? Ugh.")
    core, inbox = await _core(clock, model, None, probability=0.1)
    reply = await core.talk.reply(ALICE, JOKE)
    assert reply.safety is None
    assert reply.late_safety is None
    assert reply.text == "Spreadsheets again? Ugh."
    assert inbox.received == []


async def test_a_cleared_doubtful_rule_signal_is_still_asked_about(clock: FakeClock) -> None:
    """The classifier cleared the hit, but a configured opinion is still asked: its crisis
    answer brings the hotlines after the reply; its failure leaves the reply alone."""
    opinion = FakeOpinion(CrisisCategory.SUICIDAL_IDEATION)
    core, _ = await _core(clock, ScriptedModel(), opinion, probability=0.1)
    reply = await core.talk.reply(ALICE, JOKE)
    assert opinion.asked == [JOKE]
    assert reply.safety is None
    assert reply.late_safety is not None

    class Broken(FakeOpinion):
        async def assess(self, text: str) -> CrisisCategory | None:
            raise ConnectionError("provider down")

    core, _ = await _core(clock, ScriptedModel(), Broken(), probability=0.1)
    reply = await core.talk.reply(ALICE, JOKE)
    assert reply.safety is None
    assert reply.late_safety is None
