"""UpdateLanes: one person's updates strictly in arrival order, people in parallel, a stop
request never waits behind the reply it stops, and draining tells what never finished."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from aiogram.types import Update

from innertalk.presentation.telegram.transport.lanes import UpdateLanes

_ids = itertools.count(1)


def message(user_id: int, text: str) -> Update:
    chat = {"id": user_id, "type": "private", "first_name": "P"}
    payload: dict[str, Any] = {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids), "date": 0, "chat": chat, "text": text,
            "from": {"id": user_id, "is_bot": False, "first_name": "P"},
        },
    }  # fmt: skip
    return Update.model_validate(payload)


def stop_request(user_id: int) -> Update:
    chat = {"id": user_id, "type": "private", "first_name": "P"}
    payload = {
        "update_id": next(_ids),
        "stopped_message_generation": {"chat": chat, "draft_id": 1},
    }
    return Update.model_validate(payload)


class Recorder:
    """Handles updates, remembering when each started and ended; some wait for a gate."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.running: dict[int, int] = {}
        self.most_at_once: dict[int, int] = {}

    async def __call__(self, update: Update) -> None:
        text = update.message.text if update.message and update.message.text else "stop"
        person = update.message.chat.id if update.message else 0
        self.running[person] = self.running.get(person, 0) + 1
        self.most_at_once[person] = max(self.most_at_once.get(person, 0), self.running[person])
        self.events.append(("start", text))
        if text in self.gates:
            await self.gates[text].wait()
        await asyncio.sleep(0)
        self.events.append(("end", text))
        self.running[person] -= 1


async def test_one_persons_updates_run_one_at_a_time_in_arrival_order() -> None:
    """Ten updates of one person: each starts only after the previous one ended, in order."""
    recorder = Recorder()
    lanes = UpdateLanes(recorder)
    for number in range(10):
        assert lanes.submit(message(1, f"m{number}"))
    assert await lanes.drain(timeout=5) == 0
    expected = [event for n in range(10) for event in (("start", f"m{n}"), ("end", f"m{n}"))]
    assert recorder.events == expected
    assert recorder.most_at_once[1] == 1


async def test_people_do_not_wait_for_each_other() -> None:
    """A person whose update is stuck does not hold up anyone else."""
    recorder = Recorder()
    recorder.gates["slow"] = asyncio.Event()
    lanes = UpdateLanes(recorder)
    lanes.submit(message(1, "slow"))
    lanes.submit(message(1, "after slow"))
    lanes.submit(message(2, "quick"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert ("end", "quick") in recorder.events
    assert ("start", "after slow") not in recorder.events
    recorder.gates["slow"].set()
    assert await lanes.drain(timeout=5) == 0
    assert recorder.events.index(("end", "slow")) < recorder.events.index(("start", "after slow"))


async def test_a_stop_request_skips_the_queue() -> None:
    """A stop request runs while the same person's reply is still running."""
    recorder = Recorder()
    recorder.gates["long reply"] = asyncio.Event()
    lanes = UpdateLanes(recorder)
    lanes.submit(message(1, "long reply"))
    lanes.submit(stop_request(1))
    for _ in range(5):
        await asyncio.sleep(0)
    assert ("end", "stop") in recorder.events
    recorder.gates["long reply"].set()
    await lanes.drain(timeout=5)


async def test_a_stop_request_needs_no_free_slot() -> None:
    """With every slot held by a reply that is not finishing, a stop request still runs."""
    recorder = Recorder()
    recorder.gates["reply 1"] = recorder.gates["reply 2"] = asyncio.Event()
    lanes = UpdateLanes(recorder, concurrency=2)
    lanes.submit(message(1, "reply 1"))
    lanes.submit(message(2, "reply 2"))
    lanes.submit(message(3, "waits for a slot"))
    lanes.submit(stop_request(1))
    for _ in range(5):
        await asyncio.sleep(0)
    assert ("end", "stop") in recorder.events
    assert ("start", "waits for a slot") not in recorder.events  # the slots are all held
    recorder.gates["reply 1"].set()
    assert await lanes.drain(timeout=5) == 0


async def test_draining_refuses_new_updates_and_reports_the_unfinished() -> None:
    """After drain begins nothing is taken in; what outlives the timeout is cancelled and its
    id is the first unfinished one (so polling confirms nothing from it on)."""
    recorder = Recorder()
    recorder.gates["stuck"] = asyncio.Event()
    lanes = UpdateLanes(recorder)
    done, stuck, queued = message(1, "done"), message(2, "stuck"), message(2, "queued")
    for update in (done, stuck, queued):
        lanes.submit(update)
    assert await lanes.drain(timeout=0.05) == 2
    assert lanes.first_unfinished() == stuck.update_id
    assert not lanes.submit(message(3, "late"))
    assert ("end", "done") in recorder.events


async def test_a_flood_beyond_the_pending_limit_is_dropped() -> None:
    """A person with ``max_pending`` updates waiting gets no more queued (memory stays bounded)."""
    recorder = Recorder()
    recorder.gates["first"] = asyncio.Event()
    lanes = UpdateLanes(recorder, max_pending=3)
    for text in ("first", "a", "b", "c", "d"):
        lanes.submit(message(1, text))
    recorder.gates["first"].set()
    await lanes.drain(timeout=5)
    assert [text for kind, text in recorder.events if kind == "end"] == ["first", "a", "b"]
