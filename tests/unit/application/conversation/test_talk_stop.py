"""Stopping a reply midway: the stream is closed at once, and what was written is kept."""

from __future__ import annotations

import asyncio

import pytest

from innertalk.application.conversation.talk import ReplyStoppedError
from innertalk.domain.conversation import Role
from innertalk.domain.users import Language, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import StreamingModel

ALICE = UserKey("bot", 1)


async def test_stopping_keeps_the_partial_reply_and_closes_the_stream(clock: FakeClock) -> None:
    """Stop after two words: the reply is those words, marked stopped, stored as the turn."""
    model = StreamingModel(lambda _: "one two three four", hold_after=2)
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    seen: list[str] = []

    async def show(text: str) -> None:
        seen.append(text)
        if text == "one two ":
            stop.set()

    stop = asyncio.Event()
    reply = await core.talk.reply(ALICE, "talk to me", show, stop=stop)
    assert (reply.text, reply.stopped) == ("one two ", True)
    assert seen == ["one ", "one two "]
    assert model.closed_streams == 1
    turns = await core.storage.session_turns(ALICE, reply.session_id, 10)
    assert [(t.role, t.text, t.provider) for t in turns] == [
        (Role.USER, "talk to me", ""),
        (Role.ASSISTANT, "one two ", ""),
    ]
    assert turns[1].output_tokens > 0


async def test_stopping_before_any_text_stores_nothing(clock: FakeClock) -> None:
    """Stopped before the first word: ``ReplyStoppedError`` and no write at all."""
    model = StreamingModel(hold_after=0)
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    writes = core.storage.writes
    stop = asyncio.Event()

    async def stop_when_held() -> None:
        await model.holding.wait()
        stop.set()

    waiter = asyncio.create_task(stop_when_held())
    with pytest.raises(ReplyStoppedError):
        await core.talk.reply(ALICE, "hello", stop=stop)
    await waiter
    assert core.storage.writes == writes
    assert model.closed_streams == 1


async def test_an_unset_stop_changes_nothing(clock: FakeClock) -> None:
    """With a stop signal that is never set the reply is the whole, unstopped answer."""
    model = StreamingModel(lambda _: "all of it")
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    reply = await core.talk.reply(ALICE, "hi", stop=asyncio.Event())
    assert (reply.text, reply.stopped, reply.model.provider) == ("all of it", False, "scripted")
