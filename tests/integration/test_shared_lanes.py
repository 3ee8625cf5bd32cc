"""Per-person lanes shared by two bot instances (over the in-process twin of the Redis queue)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiogram import Bot
from aiogram.types import Update

from innertalk.infrastructure.lane_queue import LocalLaneBoard, LocalLaneQueue
from innertalk.presentation.telegram.transport.lanes import UpdateLanes
from innertalk.presentation.telegram.transport.shared_lanes import SharedUpdateLanes
from tests.fakes.clock import FakeClock


class Ticker:
    """The lanes' ``sleep``: sleepers wake only when the test ticks (renewals, sweeps)."""

    def __init__(self) -> None:
        self._tick = asyncio.Event()
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        tick = self._tick
        await tick.wait()

    def tick(self) -> None:
        self._tick.set()
        self._tick = asyncio.Event()


def raw_update(update_id: int, user_id: int, text: str = "hi") -> bytes:
    person = {"id": user_id, "is_bot": False, "first_name": "P"}
    message = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": user_id, "type": "private"},
        "from": person,
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


@dataclass
class Instance:
    name: str
    lanes: SharedUpdateLanes
    bot: Bot
    handled: list[tuple[str, int, int]]
    settled: list[int] = field(default_factory=list)

    async def deliver(self, raw: bytes) -> bool:
        update = Update.model_validate_json(raw, context={"bot": self.bot})
        return await self.lanes.take(update, raw)


@dataclass
class Cluster:
    board: LocalLaneBoard
    clock: FakeClock
    ticker: Ticker
    handled: list[tuple[str, int, int]]
    running: dict[int, int]
    """Updates being handled right now, per person (must never exceed one)."""
    gate: asyncio.Event
    instances: list[Instance]

    def make(self, name: str, queue: LocalLaneQueue | None = None) -> Instance:
        bot = Bot("42:TEST")

        async def handle(update: Update) -> None:
            if update.message is None:
                return  # a stop request: the local stop handler's business
            assert update.message.from_user is not None
            person = update.message.from_user.id
            self.running[person] = self.running.get(person, 0) + 1
            assert self.running[person] == 1, "two updates of one person ran at once"
            await self.gate.wait()
            await asyncio.sleep(0)
            self.handled.append((name, person, update.update_id))
            self.running[person] -= 1

        instance: Instance

        async def settle(_lane: str) -> None:
            instance.settled.append(len(self.handled))

        lanes = SharedUpdateLanes(
            handle,
            queue or LocalLaneQueue(self.board),
            bot,
            local=UpdateLanes(handle),
            settle=settle,
            sleep=self.ticker.sleep,
        )
        instance = Instance(name, lanes, bot, self.handled)
        self.instances.append(instance)
        return instance

    def busy(self) -> bool:
        return any(queue for queue in self.board.queues.values()) or any(
            instance.lanes._tasks for instance in self.instances
        )

    async def idle(self) -> None:
        """Wait until both instances have nothing queued or in hand (bounded)."""
        for _ in range(10_000):
            if not self.busy():
                return
            await asyncio.sleep(0.001)
        raise AssertionError("the lanes never went idle")


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    clock = FakeClock()
    gate = asyncio.Event()
    gate.set()
    made = Cluster(LocalLaneBoard(clock.monotonic), clock, Ticker(), [], {}, gate, [])
    yield made
    for instance in made.instances:
        await instance.lanes.drain(5)
        await instance.bot.session.close()


async def test_updates_spread_over_two_instances_run_once_each_in_order_per_person(
    cluster: Cluster,
) -> None:
    """A load balancer sends each update to a random instance, some twice: every update is
    handled exactly once and each person's updates in the order they were sent."""
    first, second = cluster.make("a"), cluster.make("b")
    rng = random.Random(7)
    sent: dict[int, list[int]] = {person: [] for person in (1, 2, 3)}
    for update_id in range(1, 61):
        person = rng.choice([1, 2, 3])
        raw = raw_update(update_id, person)
        target = rng.choice([first, second])
        assert await target.deliver(raw)
        if rng.random() < 0.3:  # redelivered while (or after) the first copy is queued
            assert await (second if target is first else first).deliver(raw)
        sent[person].append(update_id)
        if rng.random() < 0.5:
            await asyncio.sleep(0)
    await cluster.idle()
    for person, ids in sent.items():
        assert [u for _, p, u in cluster.handled if p == person] == ids
    assert {name for name, _, _ in cluster.handled} == {"a", "b"}, "both instances worked"


async def test_an_update_arriving_at_the_other_instance_waits_for_the_running_one(
    cluster: Cluster,
) -> None:
    """While one instance is writing a person's reply, that person's next update, received by
    the other instance, runs only afterwards — and after the first one's writes are stored."""
    first, second = cluster.make("a"), cluster.make("b")
    cluster.gate.clear()
    await first.deliver(raw_update(1, 9))
    await asyncio.sleep(0.01)
    await second.deliver(raw_update(2, 9))
    await asyncio.sleep(0.01)
    assert cluster.running == {9: 1}
    cluster.gate.set()
    await cluster.idle()
    assert [u for _, _, u in cluster.handled] == [1, 2]
    assert first.settled, "the holder settled its writes before giving the lane up"
    assert first.settled[0] >= 1


async def test_a_lane_left_by_a_dead_instance_is_taken_over_by_the_sweeper(
    cluster: Cluster,
) -> None:
    """Updates queued under a lease whose holder died are handled by a live instance once the
    lease expires, found by its periodic sweep."""
    dead = LocalLaneQueue(cluster.board)
    await dead.push("user:5", 1, raw_update(1, 5))
    await dead.push("user:5", 2, raw_update(2, 5))
    assert await dead.acquire("user:5")
    survivor = cluster.make("b")
    survivor.lanes.start()
    await asyncio.sleep(0.01)
    cluster.ticker.tick()  # a sweep while the lease is alive takes nothing over
    await asyncio.sleep(0.01)
    assert cluster.handled == []
    cluster.clock.advance(31)
    cluster.ticker.tick()
    await cluster.idle()
    assert [(p, u) for _, p, u in cluster.handled] == [(5, 1), (5, 2)]
    assert cluster.ticker.slept, "the sweep waited on the injected sleep"


async def test_an_unreachable_queue_falls_back_to_local_lanes(cluster: Cluster) -> None:
    """With the shared queue down, updates are still handled, in order, where they arrived."""
    first = cluster.make("a")
    cluster.board.down = True
    for update_id in (1, 2, 3):
        assert await first.deliver(raw_update(update_id, 4))
    await first.lanes._local.drain(5)
    assert [u for _, _, u in cluster.handled] == [1, 2, 3]


async def test_draining_refuses_new_updates_and_leaves_queued_ones_for_others(
    cluster: Cluster,
) -> None:
    """After drain begins, take answers False (the webhook says 503); what the draining
    instance had queued but not started is left in the shared queue for another instance."""
    first, second = cluster.make("a"), cluster.make("b")
    cluster.gate.clear()
    await first.deliver(raw_update(1, 8))
    await asyncio.sleep(0.01)
    await first.deliver(raw_update(2, 8))
    draining = asyncio.create_task(first.lanes.drain(5))
    await asyncio.sleep(0.01)
    assert not await first.deliver(raw_update(3, 8))
    cluster.gate.set()
    await draining
    assert [u for _, _, u in cluster.handled] == [1]
    second.lanes.start()
    await asyncio.sleep(0.01)
    cluster.ticker.tick()
    await cluster.idle()
    assert [u for _, _, u in cluster.handled] == [1, 2]


async def test_a_stop_reaches_the_instance_writing_the_reply(cluster: Cluster) -> None:
    """A stop pressed while one instance writes the reply, delivered to the other instance,
    is announced to both; the writing instance's stop hook gets (chat, draft)."""
    stopped: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}
    first, second = cluster.make("a"), cluster.make("b")
    for instance in (first, second):
        instance.lanes._on_stop = lambda chat, draft, name=instance.name: stopped[name].append(
            (chat, draft)
        )
        instance.lanes.start()
    await asyncio.sleep(0.01)
    stop = {
        "update_id": 70,
        "stopped_message_generation": {"chat": {"id": 3, "type": "private"}, "draft_id": 12},
    }
    assert await second.deliver(json.dumps(stop).encode())
    await asyncio.sleep(0.01)
    assert stopped == {"a": [(3, 12)], "b": [(3, 12)]}


class SlowReleaseQueue(LocalLaneQueue):
    """A queue whose ``release`` answer arrives late: after another push was answered."""

    def __init__(self, board: LocalLaneBoard) -> None:
        super().__init__(board)
        self.released = asyncio.Event()
        self.answer = asyncio.Event()

    async def release(self, lane: str) -> int:
        left = await super().release(lane)
        self.released.set()
        await self.answer.wait()
        return left


async def test_an_update_pushed_while_its_lane_is_being_released_is_not_stranded(
    cluster: Cluster,
) -> None:
    """An update filed just after the drainer's release counted the lane as empty, but
    answered before that release was, is still handled at once (not at the next sweep)."""
    queue = SlowReleaseQueue(cluster.board)
    instance = cluster.make("a", queue)  # never started: no sweep could find a stranded one
    assert await instance.deliver(raw_update(1, 6))
    await asyncio.wait_for(queue.released.wait(), 5)  # the lane counted as empty...
    assert await instance.deliver(raw_update(2, 6))  # ...then the next update arrives
    queue.answer.set()
    await cluster.idle()
    assert [u for _, _, u in cluster.handled] == [1, 2]
