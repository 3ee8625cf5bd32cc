"""Shared lanes (webhook mode with Redis): the stop button works while every slot is busy.

Over the in-process twin of the queue and over a real Redis (its pub/sub stop channel).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from aiogram import Bot
from aiogram.types import Update

from innertalk.application.ports import LaneQueue, LaneQueueUnavailableError
from innertalk.infrastructure.lane_queue import LocalLaneBoard, LocalLaneQueue, RedisLaneQueue
from innertalk.infrastructure.redis.connection import connect_redis
from innertalk.presentation.telegram.transport.lanes import UpdateLanes
from innertalk.presentation.telegram.transport.shared_lanes import SharedUpdateLanes
from tests.fakes.clock import FakeClock

Queues = tuple[LaneQueue, LaneQueue]


@asynccontextmanager
async def local_queues(_redis_url: str) -> AsyncIterator[Queues]:
    board = LocalLaneBoard(FakeClock().monotonic)
    yield LocalLaneQueue(board), LocalLaneQueue(board)


@asynccontextmanager
async def redis_queues(redis_url: str) -> AsyncIterator[Queues]:
    bot = f"bot-{uuid.uuid4().hex[:8]}"
    clients = [connect_redis(redis_url), connect_redis(redis_url)]
    try:
        yield RedisLaneQueue(clients[0], bot), RedisLaneQueue(clients[1], bot)
    finally:
        for client in clients:
            await client.aclose()


@pytest.fixture(params=[local_queues, redis_queues], ids=["local", "redis"])
async def queues(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[Queues]:
    opened: Callable[[str], AbstractAsyncContextManager[Queues]] = request.param
    async with opened(redis_url) as pair:
        yield pair


def message(update_id: int, user_id: int) -> bytes:
    person = {"id": user_id, "is_bot": False, "first_name": "P"}
    chat = {"id": user_id, "type": "private"}
    sent = {"message_id": update_id, "date": 0, "chat": chat, "from": person, "text": "hi"}
    return json.dumps({"update_id": update_id, "message": sent}).encode()


def stop_press(update_id: int, chat_id: int, draft_id: int) -> bytes:
    stopped = {"chat": {"id": chat_id, "type": "private"}, "draft_id": draft_id}
    return json.dumps({"update_id": update_id, "stopped_message_generation": stopped}).encode()


async def _never(_seconds: float) -> None:
    """The lanes' sleep: no renewal or sweep happens during these short tests."""
    await asyncio.Event().wait()


class Instance:
    """One bot instance with a single slot for shared lanes and one for local ones; its
    replies are written until ``finish`` is set."""

    def __init__(self, queue: LaneQueue, finish: asyncio.Event, changed: asyncio.Event) -> None:
        self.bot = Bot("42:TEST")
        self.finish, self.changed = finish, changed
        self.writing = 0
        self.handled_stops: list[tuple[int, int]] = []
        self.heard_stops: list[tuple[int, int]] = []
        self.local = UpdateLanes(self._handle, concurrency=1)
        self.lanes = SharedUpdateLanes(
            self._handle,
            queue,
            self.bot,
            local=self.local,
            settle=self._settle,
            on_stop=self._heard,
            sleep=_never,
            concurrency=1,
        )

    async def deliver(self, raw: bytes) -> bool:
        update = Update.model_validate_json(raw, context={"bot": self.bot})
        return await self.lanes.take(update, raw)

    def _heard(self, chat_id: int, draft_id: int) -> None:
        self.heard_stops.append((chat_id, draft_id))
        self.changed.set()

    async def _handle(self, update: Update) -> None:
        stopped = update.stopped_message_generation
        if stopped is not None:
            self.handled_stops.append((stopped.chat.id, stopped.draft_id))
            self.changed.set()
            return
        self.writing += 1
        self.changed.set()
        await self.finish.wait()  # a reply being written
        self.writing -= 1

    async def _settle(self, _lane: str) -> None:
        """Nothing is written in these tests."""


async def eventually(check: Callable[[], bool], changed: asyncio.Event) -> None:
    """Wait until ``check()`` holds, re-checked whenever an instance noted a change, within
    5 s (pub/sub is real I/O: there is no clock to tick)."""
    async with asyncio.timeout(5):
        while True:
            changed.clear()
            if check():
                return
            await changed.wait()


async def test_a_stop_is_handled_and_announced_while_every_slot_holds_a_reply(
    queues: Queues,
) -> None:
    """With an instance's shared slot and local slot each held by a reply that does not
    finish, a stop delivered to it is still handled there, and every instance hears it on
    the stop channel, while both replies keep their slots."""
    finish, changed = asyncio.Event(), asyncio.Event()
    writer, other = (Instance(queue, finish, changed) for queue in queues)
    for instance in (writer, other):
        instance.lanes.start()
    try:
        async with asyncio.timeout(5):
            while not (writer.heard_stops and other.heard_stops):  # until both subscribed
                with contextlib.suppress(LaneQueueUnavailableError):  # a slow first connect
                    await queues[0].announce_stop(0, 0)
                await asyncio.sleep(0.01)
        assert await writer.deliver(message(1, user_id=3))  # a shared lane's reply
        writer.local.submit(Update.model_validate_json(message(2, user_id=4)))  # a local one
        await eventually(lambda: writer.writing == 2, changed)
        assert await writer.deliver(stop_press(3, chat_id=3, draft_id=12))
        await eventually(lambda: writer.handled_stops == [(3, 12)], changed)
        for instance in (writer, other):
            await eventually(lambda instance=instance: (3, 12) in instance.heard_stops, changed)
        assert writer.writing == 2
    finally:
        finish.set()
        for instance in (writer, other):
            await instance.lanes.drain(5)
            await instance.bot.session.close()
