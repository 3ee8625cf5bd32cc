"""The stop button works while every lane slot holds a reply being written."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from innertalk.presentation.telegram.options import BotOptions
from tests.fakes.models import StreamingModel
from tests.integration.bot_harness import running_bot

STOPPED = "First this,\n\n⏹ Stopped — this is what I had written so far."


async def test_stop_is_handled_while_every_slot_holds_a_streaming_reply(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two slots, two replies that never finish: a stop pressed on one of them still ends it
    at once (it does not wait for a slot), while the other reply keeps its slot."""
    model = StreamingModel(lambda _: "First this, then that, and more.", hold_after=2)
    options = BotOptions(lane_concurrency=2)
    async with running_bot(monkeypatch, tmp_path, model=model, options=options) as running:
        alex, bea = running.telegram.user(), running.telegram.user()
        for person in (alex, bea):
            await running.consent(person)
        sent = alex.send("Tell me")
        bea.send("Tell me too")
        async with asyncio.timeout(5):
            await model.until_held(2)  # both replies wrote "First this, " and wait
        assert model.streaming == 2  # both slots are held by replies that will not finish
        alex.stop_generation(sent["message"]["message_id"])
        reply = (await alex.wait_for_messages(5, timeout=2.0))[-1]
        assert reply.text == STOPPED
        assert model.streaming == 1  # bea's reply still holds its slot
        assert len(bea.messages()) == 4
        model.release.set()
        await bea.wait_for_messages(5)
