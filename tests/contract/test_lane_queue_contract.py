"""The shared lane queue: the Redis adapter and its in-process twin obey one contract.

Two queue objects over one backend stand for two instances of the bot.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from redis.asyncio import Redis

from innertalk.application.ports import LaneQueue, LaneQueueUnavailableError
from innertalk.infrastructure.crypto import FieldCipher, generate_key, parse_key
from innertalk.infrastructure.lane_queue import LocalLaneBoard, LocalLaneQueue, RedisLaneQueue
from innertalk.infrastructure.redis.connection import connect_redis
from tests.fakes.clock import FakeClock

Pair = tuple[LaneQueue, LaneQueue, Callable[[], AbstractAsyncContextManager[None]]]
"""Two instances' queues and a way to let the first one's leases expire."""


@asynccontextmanager
async def local_pair(_redis_url: str) -> AsyncIterator[Pair]:
    clock = FakeClock()
    board = LocalLaneBoard(clock.monotonic)

    @asynccontextmanager
    async def expire() -> AsyncIterator[None]:
        clock.advance(31)
        yield

    yield LocalLaneQueue(board), LocalLaneQueue(board), expire


@asynccontextmanager
async def redis_pair(redis_url: str, cipher: FieldCipher | None = None) -> AsyncIterator[Pair]:
    bot = f"bot-{uuid.uuid4().hex[:8]}"
    clients = [connect_redis(redis_url), connect_redis(redis_url)]
    first, second = (RedisLaneQueue(client, bot, lease=30, cipher=cipher) for client in clients)

    @asynccontextmanager
    async def expire() -> AsyncIterator[None]:
        # Redis's clock cannot be moved: drop the leases as their expiry would
        async with Redis.from_url(redis_url) as redis:
            async for key in redis.scan_iter(f"innertalk:lanes:{bot}:l:*"):
                await redis.delete(key)
        yield

    try:
        yield first, second, expire
    finally:
        for client in clients:
            await client.aclose()


def sealed_redis_pair(redis_url: str) -> AbstractAsyncContextManager[Pair]:
    """Both instances seal queued payloads with the same at-rest key."""
    return redis_pair(redis_url, FieldCipher([parse_key(generate_key())]))


@pytest.fixture(
    params=[local_pair, redis_pair, sealed_redis_pair], ids=["local", "redis", "redis+encrypted"]
)
async def pair(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[Pair]:
    async with request.param(redis_url) as opened:
        yield opened


async def test_entries_come_out_in_sequence_order_whoever_pushed_them(pair: Pair) -> None:
    """Entries pushed by two instances are stepped through oldest sequence first, once each."""
    first, second, _ = pair
    assert await second.push("user:1", 12, b"twelve")
    assert await first.push("user:1", 10, b"ten")
    assert await second.push("user:1", 11, b"eleven")
    assert await first.acquire("user:1")
    seen = []
    done = None
    while (entry := await first.step("user:1", done)) is not None:
        done, payload = entry
        seen.append((done, payload))
    assert seen == [(10, b"ten"), (11, b"eleven"), (12, b"twelve")]
    assert await first.release("user:1") == 0
    assert await first.pending_lanes(10) == []


async def test_a_sequence_already_queued_is_not_queued_twice(pair: Pair) -> None:
    """A duplicate delivery while the first copy is still queued adds nothing."""
    first, second, _ = pair
    assert await first.push("user:2", 5, b"five")
    assert not await second.push("user:2", 5, b"five again")
    assert await second.acquire("user:2")
    assert await second.step("user:2", None) == (5, b"five")
    assert await second.step("user:2", 5) is None


async def test_only_one_instance_holds_a_lane(pair: Pair) -> None:
    """While one instance holds a lane the other can neither acquire nor step it."""
    first, second, _ = pair
    await first.push("user:3", 1, b"one")
    assert await first.acquire("user:3")
    assert not await second.acquire("user:3")
    assert await second.step("user:3", None) is None
    assert await first.acquire("user:3"), "the holder may re-acquire (and so extend) its lease"
    assert await first.renew("user:3")
    assert not await second.renew("user:3")


async def test_release_reports_what_arrived_while_held(pair: Pair) -> None:
    """An entry pushed while the lane was held is counted by release, and stays pending."""
    first, second, _ = pair
    await first.push("user:4", 1, b"one")
    assert await first.acquire("user:4")
    assert await first.step("user:4", None) == (1, b"one")
    assert await first.step("user:4", 1) is None
    await second.push("user:4", 2, b"two")
    assert not await second.acquire("user:4")
    assert await first.release("user:4") == 1
    assert await second.pending_lanes(10) == ["user:4"]
    assert await second.acquire("user:4")
    assert await second.step("user:4", None) == (2, b"two")


async def test_a_dead_holders_lane_is_taken_over_with_its_unfinished_entry(pair: Pair) -> None:
    """When a holder's lease expires, another instance takes the lane from the entry the dead
    holder had not finished."""
    first, second, expire = pair
    for seq in (1, 2, 3):
        await first.push("user:5", seq, f"#{seq}".encode())
    assert await first.acquire("user:5")
    assert await first.step("user:5", None) == (1, b"#1")
    assert await first.step("user:5", 1) == (2, b"#2")  # ... and then the instance dies
    async with expire():
        assert await second.pending_lanes(10) == ["user:5"]
        assert await second.acquire("user:5")
        assert await first.step("user:5", 2) is None, "a lost lease steps nothing"
        assert not await first.renew("user:5")
        assert await second.step("user:5", None) == (2, b"#2")


async def test_lanes_are_independent(pair: Pair) -> None:
    """Two people's lanes are held and drained independently."""
    first, second, _ = pair
    await first.push("user:6", 1, b"a")
    await first.push("user:7", 2, b"b")
    assert await first.acquire("user:6")
    assert await second.acquire("user:7")
    assert await second.step("user:7", None) == (2, b"b")
    assert sorted(await first.pending_lanes(10)) == ["user:6", "user:7"]


async def test_an_unreachable_redis_raises_the_ports_error(unused_tcp_port: int) -> None:
    """Every operation on an unreachable Redis raises LaneQueueUnavailableError, promptly."""
    client = connect_redis(f"redis://127.0.0.1:{unused_tcp_port}/0")
    queue = RedisLaneQueue(client, "bot")
    try:
        async with asyncio.timeout(5):
            for operation in (
                queue.push("user:1", 1, b"x"),
                queue.acquire("user:1"),
                queue.step("user:1", None),
                queue.renew("user:1"),
                queue.release("user:1"),
                queue.pending_lanes(1),
            ):
                with pytest.raises(LaneQueueUnavailableError):
                    await operation
    finally:
        await client.aclose()


async def test_a_stop_announced_by_one_instance_reaches_every_listener(pair: Pair) -> None:
    """announce_stop on one instance is heard by every instance iterating stops()."""
    first, second, _ = pair
    heard: list[tuple[str, tuple[int, int]]] = []

    async def listen(name: str, queue: LaneQueue) -> None:
        async for stop in queue.stops():
            heard.append((name, stop))

    listeners = [
        asyncio.create_task(listen("first", first)),
        asyncio.create_task(listen("second", second)),
    ]
    try:
        async with asyncio.timeout(5):
            while {name for name, _ in heard} != {"first", "second"}:
                await second.announce_stop(3, 12)  # until both have subscribed and heard it
                await asyncio.sleep(0.02)
        assert {stop for _, stop in heard} == {(3, 12)}
    finally:
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
