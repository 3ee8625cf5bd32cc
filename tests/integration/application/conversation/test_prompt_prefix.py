"""Prompt prefix stability: consecutive requests of a long session share their beginning."""

from __future__ import annotations

import itertools

from bench.prompt_prefix import messages_of, prefix_reuse, reuse_per_request, serialized
from innertalk.application.conversation.talk import TalkPolicy
from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ModelReply, ModelRequest, Purpose
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.llm.errors import ErrorKind
from innertalk.infrastructure.storage.local.storage import LocalStorage
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.llm import FakeProvider, fail, ok, router_over
from tests.fakes.models import ScriptedModel

ALICE = UserKey("bot-a", 1)
FOLD_TEXT = "The person talked about work and sleep; they felt tired."
WINDOW = 40
"""Loaded turns, as bootstrap wires them (2 x CONTEXT_TURNS); the first 20 are pinned."""


def _answer(request: ModelRequest) -> str:
    if request.purpose is Purpose.SUMMARY:
        return FOLD_TEXT
    return f"I hear you about {request.message[:24]}. What feels heaviest right now?"


async def _talk(core: Core, messages: range, language: Language = Language.EN) -> None:
    await core.profiles.ensure(ALICE, language=language, consent=True)
    for n in messages:
        await core.talk.reply(ALICE, f"message {n}: work was long and I slept badly again")


def _core(model: ScriptedModel, clock: FakeClock, storage: LocalStorage | None = None) -> Core:
    policy = TalkPolicy(session_token_budget=0)
    return build_core(model, clock, storage=storage, policy=policy, context_turns=WINDOW)


def _replies(model: ScriptedModel) -> list[ModelRequest]:
    return [request for request in model.requests if request.purpose is Purpose.REPLY]


def _folds(model: ScriptedModel) -> list[int]:
    """The index (among replies) of each reply that a fold preceded."""
    found, replies = [], 0
    for request in model.requests:
        if request.purpose is Purpose.SUMMARY:
            found.append(replies)
        else:
            replies += 1
    return found


async def test_consecutive_requests_of_a_long_session_share_everything_but_the_newest(
    clock: FakeClock,
) -> None:
    """In a 60-turn session the next request starts with all of the previous one's messages."""
    model = ScriptedModel(_answer)
    await _talk(_core(model, clock), range(30))
    first, second = (messages_of(request) for request in _replies(model)[-2:])
    assert second[: len(first) - 1] == first[:-1]
    assert second[len(first) - 1] == first[-1]  # the newest user turn, now in the history
    assert [m["role"] for m in second[len(first) :]] == ["assistant", "user"]
    assert prefix_reuse(first, second) > 0.9


async def test_the_fold_request_repeats_the_previous_reply_request(clock: FakeClock) -> None:
    """A fold request is the beginning of the reply request before it (the system prompt, the
    pinned opening, the summary so far and the turns it folds) and the instruction: the
    provider's cache serves all but the last."""
    model = ScriptedModel(_answer)
    await _talk(_core(model, clock), range(60))
    pairs = [
        (model.requests[index - 1], request)
        for index, request in enumerate(model.requests)
        if request.purpose is Purpose.SUMMARY
    ]
    assert len(pairs) >= 2
    for previous, fold in pairs:
        assert previous.purpose is Purpose.REPLY
        before, now = messages_of(previous), messages_of(fold)
        assert now[:-1] == before[: len(now) - 1]
        assert len(now) - 2 - fold.kept_from >= 10  # the older kept turns
        assert now[-1]["role"] == "user"
        assert prefix_reuse(before, now) > 0.6  # short turns here; ~90 % in the benchmark


async def test_the_system_prompt_is_byte_identical_while_nothing_changes(
    clock: FakeClock,
) -> None:
    """The system prompt never changes in a session; the rolling summary follows the opening."""
    model = ScriptedModel(_answer)
    await _talk(_core(model, clock), range(40))
    replies = _replies(model)
    assert {request.system for request in replies} == {replies[0].system}
    last = replies[-1]
    assert last.history[last.pinned].role is Role.USER
    assert last.history[last.pinned].text.endswith(FOLD_TEXT)
    assert last.kept_from == last.pinned + 1


async def test_the_reply_after_a_fold_repeats_the_system_prompt_and_the_opening(
    clock: FakeClock,
) -> None:
    """After every fold the next reply starts with the same system prompt and pinned opening
    as every request before it, and that part is at least half of it (issue 17)."""
    model = ScriptedModel(_answer)
    await _talk(_core(model, clock), range(60))
    requests = model.requests
    after_folds = [
        (requests[index - 1], request)
        for index, request in enumerate(requests)
        if index and requests[index - 1].purpose is Purpose.SUMMARY
    ]
    assert len(after_folds) >= 2
    opening = messages_of(_replies(model)[10])[:21]  # the system prompt and 20 opening turns
    for fold, reply in after_folds:
        assert reply.pinned == 20
        assert messages_of(reply)[:21] == opening == messages_of(fold)[:21]
        assert prefix_reuse(messages_of(fold), messages_of(reply)) >= 0.5


async def test_a_fold_happens_once_per_block_not_per_message(clock: FakeClock) -> None:
    """A 120-turn session folds a few times, blocks apart; every other request only extends."""
    model = ScriptedModel(_answer)
    await _talk(_core(model, clock), range(60))
    folds = _folds(model)
    assert 2 <= len(folds) <= 5
    assert all(later - earlier >= 5 for earlier, later in itertools.pairwise(folds))
    rendered = [messages_of(request) for request in _replies(model)]
    for index in range(1, len(rendered)):
        previous, current = rendered[index - 1], rendered[index]
        extends = current[: len(previous)] == previous
        assert extends is (index not in folds), index
    shares = reuse_per_request(model.requests)
    assert sum(shares) / len(shares) > 0.85
    assert min(shares) >= 0.5


async def test_the_kept_turns_start_with_the_person_and_hold_the_newest(
    clock: FakeClock,
) -> None:
    """After a fold the kept turns start with the person and end with the last reply."""
    model = ScriptedModel(_answer)
    await _talk(_core(model, clock), range(40))
    last = _replies(model)[-1]
    assert _folds(model)
    assert last.history[0].role is Role.USER
    assert last.history[last.kept_from].role is Role.USER
    assert last.history[-1].text.startswith("I hear you about message 38")
    verbatim = len(last.history) - (last.kept_from - last.pinned)  # all but the summary note
    assert verbatim >= 20  # never fewer than CONTEXT_TURNS verbatim


async def test_the_prefix_survives_a_restart(clock: FakeClock) -> None:
    """With an empty cache (a restart), the fold point and rolling summary come from the store."""
    model = ScriptedModel(_answer)
    core = _core(model, clock)
    await _talk(core, range(35))
    assert _folds(model)
    before = messages_of(_replies(model)[-1])
    restarted = _core(model, clock, storage=core.storage)
    await restarted.talk.reply(ALICE, "one more thing")
    after = messages_of(_replies(model)[-1])
    assert after[: len(before)] == before


async def test_a_failing_fold_falls_back_to_the_offline_summary(clock: FakeClock) -> None:
    """When the model cannot fold, the offline summary of the folded turns is used."""

    class FoldFails(ScriptedModel):
        async def complete(self, request: ModelRequest) -> ModelReply:
            if request.purpose is Purpose.SUMMARY:
                raise TimeoutError("slow")
            return await super().complete(request)

    failing = FoldFails(_answer)
    core = _core(failing, clock)
    await _talk(core, range(32))
    last = _replies(failing)[-1]
    note = last.history[last.pinned].text
    assert note.startswith("(A note from the app")
    assert ") The person" in note
    assert FOLD_TEXT not in note


async def test_the_reply_language_note_follows_the_stable_part(clock: FakeClock) -> None:
    """A message in another language than the profile's changes only the message, at the end."""
    model = ScriptedModel(_answer)
    core = _core(model, clock)
    await _talk(core, range(3))
    await core.talk.reply(ALICE, "Мне сегодня тревожно и грустно")
    english, russian = _replies(model)[-2:]
    assert russian.system == english.system
    assert russian.prompt_message.endswith("(Ответь на это сообщение по-русски.)")
    assert messages_of(russian)[: len(messages_of(english)) - 1] == messages_of(english)[:-1]


async def test_the_overflow_path_still_trims_a_folded_request(clock: FakeClock) -> None:
    """A provider's context overflow retries with the newer half of a folded request's kept
    turns, the system prompt, pinned opening and rolling summary unchanged."""
    model = ScriptedModel(_answer)
    await _talk(_core(model, clock), range(40))
    request = _replies(model)[-1]
    provider = FakeProvider("a", fail(ErrorKind.CONTEXT_OVERFLOW), ok("fits now"))
    reply = await router_over(provider, clock=clock).complete(request)
    assert reply.text == "fits now"
    retried = provider.calls[1].request
    lead = request.kept_from
    assert retried.history[:lead] == request.history[:lead]
    kept, was = retried.history[lead:], request.history[lead:]
    assert 0 < len(kept) <= len(was) // 2 + 1
    assert kept[0].role is Role.USER
    assert kept[-1] == was[-1]
    assert (retried.system, retried.message) == (request.system, request.message)


def test_prefix_reuse_counts_the_shared_beginning_in_characters() -> None:
    """An extended request reuses almost all of itself; a changed first message reuses little."""
    first = [{"role": "system", "content": "s" * 100}, {"role": "user", "content": "hi"}]
    extended = [
        *first,
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "x"},
    ]
    changed = [{"role": "system", "content": "t" * 100}, *first[1:]]
    assert 0.6 < prefix_reuse(first, extended) < 1.0
    framing = len('[{"role":"system","content":"')  # only the JSON before the first change
    assert prefix_reuse(first, changed) == framing / len(serialized(changed))
    assert prefix_reuse(first, first) == 1.0
