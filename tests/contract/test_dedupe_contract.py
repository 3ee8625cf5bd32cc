"""Update de-duplication in one process and across instances through a real Redis."""

from __future__ import annotations

import uuid

from innertalk.infrastructure.redis.dedupe import RedisUpdateDedupe
from tests.fakes.clock import FakeClock


def a_bot() -> str:
    return f"bot-{uuid.uuid4().hex[:8]}"


async def test_two_instances_on_one_redis_take_each_update_once(
    redis_url: str, clock: FakeClock
) -> None:
    """The same update delivered to two instances is handled by exactly one of them."""
    first = RedisUpdateDedupe(redis_url, clock.monotonic)
    second = RedisUpdateDedupe(redis_url, clock.monotonic)
    bot = a_bot()
    try:
        results = [await first.first_time(bot, 1), await second.first_time(bot, 1)]
        assert sorted(results) == [False, True]
        assert await second.first_time(bot, 2)
        assert not await first.first_time(bot, 2)
    finally:
        await first.close()
        await second.close()


async def test_an_unreachable_redis_lets_updates_through_once_per_instance(
    unused_tcp_port: int, clock: FakeClock
) -> None:
    """With Redis down the update is handled (fail open); this instance still drops repeats."""
    dedupe = RedisUpdateDedupe(f"redis://127.0.0.1:{unused_tcp_port}/0", clock.monotonic)
    try:
        assert await dedupe.first_time("bot", 7)
        assert not await dedupe.first_time("bot", 7)
    finally:
        await dedupe.close()
