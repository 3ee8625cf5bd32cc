"""Everything a model wrote is screened before a person sees it: streamed drafts, the final
reply, session summaries (shown and stored), portraits and ``/memory``."""

from __future__ import annotations

import itertools
from datetime import timedelta

from innertalk.application.conversation.memory import MemoryService
from innertalk.application.safety import SafetyService
from innertalk.application.wellbeing.portraits import PortraitService
from innertalk.domain.prompting import Purpose
from innertalk.domain.safety import DEFAULT_HOTLINES, withheld_reasons
from innertalk.domain.safety.drafts import STEP_CHARS
from innertalk.domain.users import Language, UserKey
from innertalk.domain.wellbeing import Portrait
from innertalk.presentation.reply_words import withheld_summary
from innertalk.presentation.texts import catalog
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ChunkedModel, ScriptedModel

ALICE = UserKey("bot", 1)
CALM = [
    "I hear you, and I am glad you wrote to me tonight. ",
    "Let us slow down together for a moment. ",
]
PHRASE = ["The **le", "thal** ", "dose "]
FILLER = "and more words after it. "
SPLIT_METHOD = [*CALM, *PHRASE, "of paracetamol ", "is 10 g. ", *[FILLER] * 20, "Bye."]
SAFE_REPLY = "Breathe in slowly and let it go. Notice where the air goes in your body. " * 3


def screened_core(model: ScriptedModel, clock: FakeClock) -> Core:
    return build_core(model, clock, safety=SafetyService(directory=DEFAULT_HOTLINES))


async def test_a_method_split_across_chunks_is_never_streamed(clock: FakeClock) -> None:
    """ "**le" + "thal** dose": no draft shows it, the stream stops within a screening step
    of the phrase, and the replacement is stored."""
    model = ChunkedModel(SPLIT_METHOD)
    core = screened_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    shown: list[str] = []

    async def show(so_far: str) -> None:
        shown.append(so_far)

    reply = await core.talk.reply(ALICE, "tell me", on_chunk=show)
    assert reply.withheld
    assert withheld_reasons(reply.text) == ()
    assert shown  # the calm opening was screened and shown
    assert all("".join(SPLIT_METHOD).startswith(draft) for draft in shown)
    assert all(withheld_reasons(draft) == () and "dose" not in draft for draft in shown)
    read_past_phrase = "".join(SPLIT_METHOD[len(CALM) + len(PHRASE) : model.sent])
    assert len(read_past_phrase) < STEP_CHARS + len(FILLER)  # stopped at the next screening
    assert model.closed_streams == 1
    turns = await core.storage.session_turns(ALICE, reply.session_id, 10)
    assert turns[-1].text == reply.text


async def test_without_a_safety_service_drafts_pass_through(clock: FakeClock) -> None:
    """Embedding without safety keeps streaming as it was: every word, then the whole."""
    model = ChunkedModel(["Breathe ", "in ", "slow", "ly"])
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    shown: list[str] = []

    async def show(so_far: str) -> None:
        shown.append(so_far)

    reply = await core.talk.reply(ALICE, "hi", on_chunk=show)
    assert shown == ["Breathe ", "Breathe in ", "Breathe in slow", "Breathe in slowly"]
    assert not reply.withheld


async def test_a_screened_stream_shows_screened_prefixes_then_the_whole_reply(
    clock: FakeClock,
) -> None:
    """With the screen on, a safe reply streams as growing whole-word prefixes (more than
    one draft before the end), and the last draft is the complete reply."""
    model = ChunkedModel([f"{word} " for word in SAFE_REPLY.split()])
    core = screened_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    shown: list[str] = []

    async def show(so_far: str) -> None:
        shown.append(so_far)

    reply = await core.talk.reply(ALICE, "hi", on_chunk=show)
    assert len(shown) > 2
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(shown))
    assert all(draft.endswith(" ") for draft in shown)
    assert shown[-1] == SAFE_REPLY
    assert reply.text == SAFE_REPLY


def summary_model(summary: str, *, reply: str = "I hear you.") -> ScriptedModel:
    return ScriptedModel(lambda r: summary if r.purpose is Purpose.SUMMARY else reply)


async def test_an_unsafe_summary_is_replaced_by_the_offline_one(clock: FakeClock) -> None:
    """The model's summary carries a method: the extractive summary is shown and stored."""
    core = build_core(summary_model("They asked; a lethal dose is 10 g."), clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    await core.talk.reply(ALICE, "I feel anxious about my exams")
    ended = await core.sessions.end(ALICE)
    assert ended is not None
    assert ended.summary is not None
    assert "anxious" in ended.summary
    assert withheld_reasons(ended.summary) == ()
    assert ended.session.summary == ended.summary
    [stored] = await core.storage.sessions(ALICE, 1)
    assert stored.summary == ended.summary
    assert (await core.contexts.load(ALICE)).previous_summary == ended.summary


async def test_when_both_summaries_fail_a_neutral_line_stands_in(clock: FakeClock) -> None:
    """The offline summary quotes the person's method question too: a neutral line instead."""
    core = build_core(summary_model("A lethal dose is 10 g."), clock)
    await core.profiles.ensure(ALICE, language=Language.RU, consent=True)
    await core.talk.reply(ALICE, "Какая смертельная доза парацетамола?")
    ended = await core.sessions.end(ALICE)
    assert ended is not None
    assert ended.summary == withheld_summary(Language.RU)
    assert (await core.storage.sessions(ALICE, 1))[0].summary == ended.summary


async def test_memory_never_shows_an_unsafe_stored_summary(clock: FakeClock) -> None:
    """A summary stored before the screen read it whole is not handed out, only flagged."""
    core = build_core(summary_model("The **le**thal dose is 10 g."), clock)
    memory = MemoryService(store=core.storage, contexts=core.contexts, locks=core.locks)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    await core.talk.reply(ALICE, "hello")
    [open_session] = await core.storage.sessions(ALICE, 1)
    await core.storage.write([open_session.ended(clock.now(), "The **le**thal dose is 10 g.")])
    await core.contexts.forget(ALICE)
    shown = await memory.show(ALICE)
    assert shown.summary is None
    assert shown.summary_withheld


def portrait_writer(text: str) -> ScriptedModel:
    return ScriptedModel(lambda r: text if r.purpose is Purpose.PORTRAIT else "I hear you.")


async def test_an_unsafe_portrait_gives_way_to_the_structured_one(clock: FakeClock) -> None:
    """A written portrait that fails the screen is neither shown nor stored."""
    model = portrait_writer("You keep asking about the **le**thal dose.")
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    await core.talk.reply(ALICE, "a long day")
    service = PortraitService(
        store=core.storage, model=model, clock=clock, cooldown=timedelta(hours=24)
    )
    labels = {**catalog("diary", Language.EN), **catalog("portrait", Language.EN)}
    outcome = await service.portrait(ALICE, language=Language.EN, labels=labels)
    assert outcome.portrait is not None
    assert withheld_reasons(outcome.portrait.text) == ()
    assert "lethal" not in outcome.portrait.text
    assert (await core.storage.portraits(ALICE, 1))[0].text == outcome.portrait.text


async def test_a_stored_unsafe_portrait_is_not_shown_again(clock: FakeClock) -> None:
    """A portrait stored before the screen read it whole counts as gone: a new one is drawn."""
    model = portrait_writer("You have carried a lot this week.")
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    await core.talk.reply(ALICE, "a long day")
    legacy = Portrait(id="old", key=ALICE, text="Cut along the veins.", created_at=clock.now())
    await core.storage.write([legacy])
    service = PortraitService(
        store=core.storage, model=model, clock=clock, cooldown=timedelta(hours=24)
    )
    outcome = await service.portrait(ALICE, language=Language.EN, labels={})
    assert outcome.fresh
    assert outcome.portrait is not None
    assert outcome.portrait.text == "You have carried a lot this week."
    assert await service.stored(ALICE, "old") is None
