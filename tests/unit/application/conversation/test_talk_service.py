"""TalkService: consent, context, prompts, persistence, caching and per-user ordering."""

from __future__ import annotations

import asyncio
import hashlib
import itertools

import pytest

from innertalk.application.conversation.feedback import FeedbackService
from innertalk.application.conversation.talk import (
    ConsentRequiredError,
    SessionBudgetExhaustedError,
    TalkPolicy,
)
from innertalk.domain.conversation import Role
from innertalk.domain.messages import EmptyMessageError
from innertalk.domain.prompting import ModelRequest, Purpose, Tier
from innertalk.domain.users import Language, Style, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import PSEUDONYMS, Core, build_core
from tests.fakes.models import ScriptedModel

ALICE = UserKey("bot", 1)


async def consented(core: Core, key: UserKey = ALICE, language: Language = Language.EN) -> None:
    await core.profiles.ensure(key, language=language, consent=True)


async def test_nothing_is_processed_or_stored_before_consent(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Without consent the message never reaches the model or the store."""
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN)
    writes = core.storage.writes
    with pytest.raises(ConsentRequiredError):
        await core.talk.reply(ALICE, "hello")
    assert model.requests == []
    assert core.storage.writes == writes


async def test_both_turns_are_stored_in_one_session(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """A reply stores the user's turn and the companion's turn under one new session."""
    core = build_core(model, clock)
    await consented(core)
    reply = await core.talk.reply(ALICE, "  I feel lost  ")
    stored = await core.storage.session_turns(ALICE, reply.session_id, 10)
    assert [(t.role, t.text) for t in stored] == [
        (Role.USER, "I feel lost"),
        (Role.ASSISTANT, "echo: I feel lost"),
    ]
    assert (await core.storage.sessions(ALICE, 5))[0].id == reply.session_id


async def test_the_next_message_carries_the_history(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """The second request's history holds the first exchange, oldest first."""
    core = build_core(model, clock)
    await consented(core)
    first = await core.talk.reply(ALICE, "one")
    second = await core.talk.reply(ALICE, "two")
    assert first.session_id == second.session_id
    assert [(m.role, m.text) for m in model.requests[1].history] == [
        (Role.USER, "one"),
        (Role.ASSISTANT, "echo: one"),
    ]


async def test_a_cached_context_costs_no_store_read(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """After the first message, replies read the context from the cache only."""
    core = build_core(model, clock)
    await consented(core)
    await core.talk.reply(ALICE, "one")
    reads = core.storage.reads
    for n in range(5):
        await core.talk.reply(ALICE, f"message {n}")
    assert core.storage.reads == reads


async def test_a_cold_cache_rebuilds_the_same_context(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """After a restart (empty cache) the history comes back from the store."""
    core = build_core(model, clock)
    await consented(core)
    await core.talk.reply(ALICE, "remember me")
    restarted = build_core(model, clock, storage=core.storage)
    await restarted.talk.reply(ALICE, "again")
    assert [m.text for m in model.requests[-1].history] == ["remember me", "echo: remember me"]


async def test_reply_language_follows_the_message(model: ScriptedModel, clock: FakeClock) -> None:
    """A Russian message is answered in Russian: asked after the message, so an English
    profile's system prompt stays the same (the prompt's cacheable prefix)."""
    core = build_core(model, clock)
    await consented(core, language=Language.EN)
    reply = await core.talk.reply(ALICE, "Мне сегодня тревожно")
    assert reply.language is Language.RU
    assert model.requests[0].prompt_message.endswith("(Ответь на это сообщение по-русски.)")
    assert "по-русски" not in model.requests[0].system
    await core.talk.reply(ALICE, "🙂")
    assert model.requests[1].language is Language.EN


async def test_the_style_shapes_the_system_prompt(model: ScriptedModel, clock: FakeClock) -> None:
    """A practical style asks the model for a concrete next step."""
    core = build_core(model, clock)
    await consented(core)
    await core.profiles.update(ALICE, style=Style.ACTION)
    await core.talk.reply(ALICE, "work is too much")
    assert "concrete next step" in model.requests[0].system


async def test_history_is_trimmed_to_the_token_budget(clock: FakeClock) -> None:
    """Old turns are dropped from the prompt once the history budget is spent."""
    model = ScriptedModel(lambda request: "ok")
    core = build_core(model, clock, policy=TalkPolicy(history_token_budget=700))
    await consented(core)
    for n in range(10):
        await core.talk.reply(ALICE, f"{n} " + "x" * 300)
    history = model.requests[-1].history
    assert 0 < len(history) < 18
    assert history[0].role is Role.USER
    assert history[-1].text == "ok"


async def test_empty_messages_are_refused_before_the_model(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Whitespace, control and zero-width characters alone are not sent to the model."""
    core = build_core(model, clock)
    await consented(core)
    for text in ("", "   ", "\u200b\u200b", "\x00\x07"):
        with pytest.raises(EmptyMessageError):
            await core.talk.reply(ALICE, text)
    assert model.requests == []


async def test_messages_of_one_person_are_answered_in_order(clock: FakeClock) -> None:
    """Concurrent messages from one person reach the model one at a time, in arrival order."""
    model = ScriptedModel()
    core = build_core(model, clock)
    await consented(core)
    model.gate = asyncio.Event()
    tasks = [asyncio.create_task(core.talk.reply(ALICE, f"m{n}")) for n in range(20)]
    await asyncio.sleep(0)
    assert len(model.requests) == 1
    model.gate.set()
    replies = await asyncio.gather(*tasks)
    assert [r.text for r in replies] == [f"echo: m{n}" for n in range(20)]
    answered = [request for request in model.requests if request.purpose is Purpose.REPLY]
    assert [request.message for request in answered] == [f"m{n}" for n in range(20)]
    # the opening (m0-m4) is pinned; the fold before m15 kept the newest exchange, m14
    last = answered[-1]
    assert [m.text for m in last.history][: last.pinned] == [
        text for n in range(5) for text in (f"m{n}", f"echo: m{n}")
    ]
    assert [m.text for m in last.history][last.kept_from :][:2] == ["m14", "echo: m14"]


async def test_different_people_are_answered_concurrently(clock: FakeClock) -> None:
    """One person's slow reply does not hold up another person."""
    model = ScriptedModel()
    core = build_core(model, clock)
    bob = UserKey("bot", 2)
    await consented(core)
    await consented(core, bob)
    model.gate = asyncio.Event()
    slow = asyncio.create_task(core.talk.reply(ALICE, "slow"))
    other = asyncio.create_task(core.talk.reply(bob, "fast"))
    await asyncio.sleep(0)
    assert len(model.requests) == 2
    model.gate.set()
    await asyncio.gather(slow, other)


async def test_streaming_shows_the_growing_reply(model: ScriptedModel, clock: FakeClock) -> None:
    """on_chunk receives ever longer prefixes ending with the full reply."""
    core = build_core(model, clock)
    await consented(core)
    seen: list[str] = []

    async def show(text: str) -> None:
        seen.append(text)

    reply = await core.talk.reply(ALICE, "a b c", on_chunk=show)
    assert seen[-1] == reply.text == "echo: a b c"
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(seen))


async def test_model_failures_store_nothing(model: ScriptedModel, clock: FakeClock) -> None:
    """When the model fails, no half exchange is stored and the error reaches the caller."""
    core = build_core(model, clock)
    await consented(core)
    model.fail_with = TimeoutError()
    with pytest.raises(TimeoutError):
        await core.talk.reply(ALICE, "hello")
    assert await core.storage.sessions(ALICE, 5) == []


def _summary_answer(request: ModelRequest) -> str:
    return "SUMMARY" if request.purpose.value == "summary" else "reply"


async def test_ending_a_session_summarizes_it_for_the_next_one(clock: FakeClock) -> None:
    """After end(), the next session's system prompt carries the model-written summary."""
    model = ScriptedModel(_summary_answer)
    core = build_core(model, clock)
    await consented(core)
    await core.talk.reply(ALICE, "work is hard")
    ended = await core.sessions.end(ALICE)
    assert ended is not None
    assert ended.summary == "SUMMARY"
    reply = await core.talk.reply(ALICE, "hi again")
    assert reply.session_id != ended.session.id
    assert "SUMMARY" in model.requests[-1].system
    assert model.requests[-1].history == ()


async def test_a_failing_model_falls_back_to_the_offline_summary(clock: FakeClock) -> None:
    """The summary is written by the offline summarizer when the model fails."""
    model = ScriptedModel()
    core = build_core(model, clock)
    await consented(core)
    await core.talk.reply(ALICE, "I am anxious about my exam tomorrow")
    model.fail_with = ConnectionError()
    ended = await core.sessions.end(ALICE)
    assert ended is not None
    assert ended.summary
    assert (await core.storage.sessions(ALICE, 1))[0].summary == ended.summary


async def test_ending_without_a_session_does_nothing(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """end() with no open session returns None and writes nothing."""
    core = build_core(model, clock)
    await consented(core)
    writes = core.storage.writes
    assert await core.sessions.end(ALICE) is None
    assert core.storage.writes == writes


async def test_each_reply_records_its_model_and_token_spend(clock: FakeClock) -> None:
    """The companion's turn names provider and model, and the session adds up the tokens."""
    model = ScriptedModel(lambda request: "a reply of some length")
    core = build_core(model, clock)
    await consented(core)
    first = await core.talk.reply(ALICE, "one")
    await core.talk.reply(ALICE, "two")
    stored = await core.storage.session_turns(ALICE, first.session_id, 10)
    answer = stored[1]
    assert (answer.provider, answer.model) == ("scripted", "scripted-1")
    assert answer.output_tokens == first.model.usage.output_tokens > 0
    spent = sum(turn.input_tokens + turn.output_tokens for turn in stored)
    assert (await core.storage.sessions(ALICE, 1))[0].tokens_used == spent


async def test_an_exhausted_session_budget_stops_before_the_model(clock: FakeClock) -> None:
    """Once a session has spent its token budget, the next message is refused unanswered."""
    model = ScriptedModel(lambda request: "y" * 300)
    core = build_core(model, clock, policy=TalkPolicy(session_token_budget=100))
    await consented(core)
    await core.talk.reply(ALICE, "first")
    calls = len(model.requests)
    with pytest.raises(SessionBudgetExhaustedError):
        await core.talk.reply(ALICE, "second")
    assert len(model.requests) == calls
    await core.sessions.end(ALICE)
    await core.talk.reply(ALICE, "a fresh session has a fresh budget")


async def test_pleasantries_are_marked_for_a_fast_model(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """A greeting asks for the fast tier; a real question asks for the standard one."""
    core = build_core(model, clock)
    await consented(core)
    await core.talk.reply(ALICE, "Привет!")
    await core.talk.reply(ALICE, "Why do I keep feeling so tired every evening?")
    assert [request.tier for request in model.requests] == [Tier.FAST, Tier.STANDARD]


async def test_requests_carry_a_pseudonym_not_the_user_id(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Experiments bucket by a stable keyed pseudonym, not the id nor a bare hash of it."""
    core = build_core(model, clock)
    await consented(core)
    await core.talk.reply(ALICE, "hello")
    await core.talk.reply(ALICE, "again")
    refs = {request.user_ref for request in model.requests}
    assert refs == {PSEUDONYMS.of(ALICE)}
    assert PSEUDONYMS.of(ALICE) != hashlib.sha256(str(ALICE).encode()).hexdigest()[:16]


async def test_feedback_on_a_reply_is_stored_and_can_be_changed(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """👍 then 👎 on the same reply leaves one verdict, the latest, tied to that reply's turn."""
    core = build_core(model, clock)
    await consented(core)
    reply = await core.talk.reply(ALICE, "hello")
    stored = await core.storage.session_turns(ALICE, reply.session_id, 10)
    assert reply.turn_id == stored[1].id
    feedback = FeedbackService(store=core.storage, clock=clock)
    await feedback.record(ALICE, reply.turn_id, helpful=True)
    await feedback.record(ALICE, reply.turn_id, helpful=False)
    verdicts = await core.storage.feedback(ALICE, 10)
    assert [(v.turn_id, v.helpful) for v in verdicts] == [(reply.turn_id, False)]


async def test_recent_results_are_summarized_into_the_prompt(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """A stored PHQ-9 result appears as one line in the next reply's system prompt."""
    from innertalk.domain.wellbeing import QuestionnaireResult

    core = build_core(model, clock)
    await consented(core)
    phq9 = QuestionnaireResult(
        "r1", ALICE, "phq9", 7, "mild", (1, 1, 1, 1, 1, 1, 1, 0, 0), clock.now()
    )
    await core.storage.write([phq9])
    await core.contexts.forget(ALICE)
    await core.talk.reply(ALICE, "hello")
    assert "PHQ-9" in model.requests[0].system
    assert "7/27" in model.requests[0].system
