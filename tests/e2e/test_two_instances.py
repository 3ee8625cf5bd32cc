"""Two real ``innertalk bot`` processes behind a load balancer, sharing Redis and one database.

The test plays the load balancer: every update goes to a random instance, and some are
delivered twice (once to each instance, as after a timeout). Each person must get exactly
one reply per message, their turns must be stored in the order they wrote them, and the
rate limit must hold across both instances.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from innertalk.domain.conversation import Role
from innertalk.domain.users import UserKey
from tests.e2e.bot_process import START_TIMEOUT, BotProcess, bot_process, onboard, stored
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser

pytestmark = pytest.mark.e2e

SECRET = "two-Instances_secret"
LIMIT = 12
"""Personal updates per minute (RATE_LIMIT); onboarding takes four of them."""
ONBOARDING_UPDATES = 4


async def ready(bot: BotProcess) -> None:
    """Until the instance serves its webhook (``/healthz`` shares the server)."""
    async with aiohttp.ClientSession() as http, asyncio.timeout(START_TIMEOUT):
        while True:
            try:
                async with http.get(f"{bot.base_url}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            assert bot.process.returncode is None, bot.output()
            await asyncio.sleep(0.1)


@asynccontextmanager
async def two_instances(
    tmp_path: Path, telegram: FakeTelegram, redis_url: str
) -> AsyncIterator[list[BotProcess]]:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}",
        "REDIS_URL": redis_url,
        "WEBHOOK_URL": "https://innertalk.example.test",
        "WEBHOOK_SECRET": SECRET,
        "RATE_LIMIT": f"{LIMIT}/minute",
    }
    async with AsyncExitStack() as stack:
        bots = []
        for name in ("a", "b"):  # one after the other: the first one creates the schema
            workdir = tmp_path / name
            workdir.mkdir()
            bot = await stack.enter_async_context(bot_process(workdir, telegram, **env))
            await ready(bot)
            bots.append(bot)
        yield bots
        for bot in bots:
            assert await bot.terminate() == 0, bot.output()


async def nothing_queued(redis_url: str, bot_id: str) -> None:
    """Until no update waits in, or is held from, the shared lanes (bounded)."""
    prefix = f"innertalk:lanes:{bot_id}"
    async with Redis.from_url(redis_url) as redis:
        for _ in range(300):
            queued = [key async for key in redis.scan_iter(f"{prefix}:[ql]:*")]
            if not queued and not await redis.scard(f"{prefix}:pending"):
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"still queued or held: {queued}")


async def handled_updates(bot: BotProcess) -> float:
    """How many updates the instance's handlers finished (its ``/metrics``)."""
    async with aiohttp.ClientSession() as http, http.get(f"{bot.base_url}/metrics") as answer:
        page = await answer.text()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in page.splitlines()
        if line.startswith("innertalk_updates_total{")
    )


def balancer(bots: list[BotProcess], rng: random.Random) -> Any:
    urls = [f"{bot.base_url}/webhook/telegram" for bot in bots]
    return lambda _update: rng.choice(urls)


async def converse(
    telegram: FakeTelegram, user: SimulatedUser, texts: list[str], urls: list[str], seed: int
) -> None:
    """Like Telegram: one update at a time per person, the next after the previous was
    acknowledged; a third of them delivered again to the other instance."""
    rng = random.Random(seed)
    for text in texts:
        update = telegram.make_update({"message": user.message(text=text)})
        first = rng.randrange(2)
        assert (await telegram.deliver_webhook(update, url=urls[first])).status == 200
        if rng.random() < 0.33:
            again = telegram.deliver_webhook(update, url=urls[1 - first])
            assert (await again).status == 200


async def test_two_instances_answer_each_update_once_in_order_with_shared_limits(
    tmp_path: Path, redis_url: str
) -> None:
    """Across two instances: one reply per update (duplicates included), each person's turns
    in the order written, and RATE_LIMIT counted once for both instances."""
    rng = random.Random(2026)
    bot_number = rng.randrange(10**8, 10**9)  # a bot of its own: no key shared with other tests
    async with FakeTelegram(token=f"{bot_number}:AAtwoInstancesToken-0123456789") as telegram:
        async with two_instances(tmp_path, telegram, redis_url) as bots:
            telegram.balance = balancer(bots, rng)
            people = [telegram.user(user_id=8100 + n, first_name=f"P{n}") for n in range(4)]
            flooder = telegram.user(user_id=8200, first_name="Flood")
            for person in [*people, flooder]:
                await onboard(telegram, person)
            urls = [f"{bot.base_url}/webhook/telegram" for bot in bots]
            before = {person.id: len(person.messages()) for person in people}
            scripts = {
                person.id: [f"{person.first_name} message {i}: I feel calm" for i in range(5)]
                for person in people
            }
            flood = [f"flood {i}" for i in range(16)]
            await asyncio.gather(
                *(
                    converse(telegram, person, scripts[person.id], urls, seed)
                    for seed, person in enumerate(people)
                ),
                converse(telegram, flooder, flood, urls, 99),
            )
            for person in people:
                await person.wait_for_messages(before[person.id] + 5, timeout=30)
            bot_id = telegram.token.split(":")[0]
            await nothing_queued(redis_url, bot_id)
            counts = [await handled_updates(bot) for bot in bots]
            assert all(count > 0 for count in counts), f"both instances work: {counts}"
        # both instances stopped: every queued write is stored, nothing more can arrive
        database = tmp_path / "shared.db"
        for person in people:
            replies = person.messages()[before[person.id] :]
            assert len(replies) == 5, [m.text for m in replies]
            _, turns = await stored(database, UserKey(bot_id, person.id))
            assert [text for role, text in turns if role is Role.USER] == scripts[person.id]
            assert [role for role, _ in turns] == [Role.USER, Role.ASSISTANT] * 5
        _, flood_turns = await stored(database, UserKey(bot_id, flooder.id))
        allowed = LIMIT - ONBOARDING_UPDATES
        assert [text for role, text in flood_turns if role is Role.USER] == flood[:allowed]
