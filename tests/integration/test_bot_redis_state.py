"""The bot with REDIS_URL: screen (FSM) state, the mailing lock and the daily token budget are
shared through Redis, so another instance sees and respects them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from innertalk.infrastructure.fsm import SharedRedisFsmStorage
from innertalk.infrastructure.redis.connection import connect_redis
from innertalk.infrastructure.redis.locks import RedisJobLocks
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser
from tests.integration.bot_harness import BOT_ID, running_bot


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """Another instance's client; the database starts empty (bot and user ids repeat)."""
    client = connect_redis(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


def _last(user: SimulatedUser) -> str:
    return user.messages()[-1].text if user.messages() else ""


async def test_screen_state_is_kept_in_redis_for_every_instance(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_url: str, redis: Redis
) -> None:
    """A diary check-in half done is in Redis under the bot's id, where another instance
    reads the same screen; finishing it clears it there."""
    async with running_bot(monkeypatch, tmp_path, REDIS_URL=redis_url) as running:
        assert isinstance(running.bot.dispatcher.storage, SharedRedisFsmStorage)
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("📓 Diary")
        await running.telegram.wait_for(lambda: "Choose from 1" in _last(alex))
        alex.press("md:score:6:")
        await running.telegram.wait_for(lambda: "feelings fit" in _last(alex))
        alex.press("md:tags_done:6:")
        await running.telegram.wait_for(lambda: "add a few words" in _last(alex))

        elsewhere = SharedRedisFsmStorage(redis)
        screen = StorageKey(bot_id=int(BOT_ID), chat_id=alex.id, user_id=alex.id)
        assert await elsewhere.get_state(screen) == "DiaryStates:note"
        assert [key async for key in redis.scan_iter(f"innertalk:fsm:{BOT_ID}:*:state")]

        alex.send("an ordinary day")
        await running.telegram.wait_for(lambda: "Saved: 6/10" in _last(alex))
        assert await elsewhere.get_state(screen) is None


async def test_a_mailing_running_on_another_instance_blocks_this_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_url: str, redis: Redis
) -> None:
    """While another instance holds the bot's mailing lock, Send answers that a mailing is
    running and nobody gets anything; once it is released, the mailing goes out."""
    async with FakeTelegram() as telegram:
        ops = telegram.user(first_name="Ops")
        async with running_bot(
            monkeypatch, tmp_path, admins=(ops,), telegram=telegram, REDIS_URL=redis_url
        ) as running:
            alex = telegram.user()
            for person in (ops, alex):
                await running.consent(person)
            other_instance = await RedisJobLocks(redis).try_acquire(f"mailing:{BOT_ID}")
            assert other_instance is not None

            async def send_mailing() -> None:
                ops.send("/admin")
                await telegram.wait_for(lambda: _last(ops).startswith("Admin:"))
                ops.press(text="📣 Mailing")
                await telegram.wait_for(lambda: _last(ops) == "Who gets the mailing?")
                ops.press(text="Everyone")
                await telegram.wait_for(lambda: "(2 people)" in _last(ops))
                ops.send("Hello from the team")
                await telegram.wait_for(lambda: _last(ops).startswith("⬆️"))
                ops.press(text="✅ Send")

            received = len(alex.messages())
            await send_mailing()
            await telegram.wait_for(
                lambda: any("A mailing is still running" in m.text for m in ops.messages())
            )
            assert len(alex.messages()) == received

            await other_instance.release()
            await send_mailing()
            await telegram.wait_for(
                lambda: any("finished: sent 2 of 2" in m.text for m in ops.messages())
            )
            assert _last(alex) == "Hello from the team"


async def test_the_daily_token_budget_is_kept_in_redis(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_url: str, redis: Redis
) -> None:
    """Past USER_DAILY_TOKENS a person gets a kind note in their language and the model is
    not asked; the count lives in Redis (another instance would refuse too)."""
    async with running_bot(
        monkeypatch, tmp_path, REDIS_URL=redis_url, USER_DAILY_TOKENS="5"
    ) as running:
        for language, note in (("en", "talked a lot today"), ("ru", "много говорили")):
            person = running.telegram.user(language_code=language)
            await running.consent(person)
            person.send("Tell me something kind, please")
            await running.telegram.wait_for(lambda p=person: "echo:" in _last(p))
            asked = len(running.model.requests)  # type: ignore[attr-defined]
            person.send("And one more thing")
            await running.telegram.wait_for(lambda p=person, n=note: n in _last(p))
            assert len(running.model.requests) == asked  # type: ignore[attr-defined]
        assert [key async for key in redis.scan_iter("LIMITS:*tokens*")]
