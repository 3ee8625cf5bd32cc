"""The real bot SIGKILLed with ten replies in flight: after a restart, all ten are answered
once and stored (the durable inbox, replayed at start)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from innertalk.domain.conversation import Role
from innertalk.domain.users import UserKey
from tests.e2e.bot_process import bot_process, onboard, stored_when
from tests.fakes.providers.base import Behaviour
from tests.fakes.providers.openai_server import OpenAIServer
from tests.fakes.telegram import FakeTelegram

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

REPLY = "I am here with you."


async def test_sigkill_with_ten_replies_in_flight_loses_none(tmp_path: Path) -> None:
    """Ten people wait on a slow model, the process is killed (no shutdown at all); the next
    process answers each of the ten exactly once and stores both turns of each."""
    async with FakeTelegram() as telegram, OpenAIServer() as openai:
        env = {
            "LLM_PROVIDERS": "openai",
            "OPENAI_API_KEY": "sk-test-inbox",
            "OPENAI_BASE_URL": openai.base_url,
            "LLM_FIRST_TOKEN_TIMEOUT": "120",
            "LLM_TOTAL_TIMEOUT": "240",
            "RATE_LIMIT": "100/minute",
        }
        people = [telegram.user(language_code="en") for _ in range(10)]
        async with bot_process(tmp_path, telegram, **env) as bot:
            for person in people:
                await onboard(telegram, person)
            seen = {person.id: len(person.messages()) for person in people}
            openai.default = Behaviour.ok(REPLY, first_token_delay=120)  # still streaming
            asked = openai.count
            for number, person in enumerate(people):
                person.send(f"a question about the train timetable, number {number}")
            async with asyncio.timeout(30):
                while openai.count < asked + 10:  # noqa: ASYNC110 - the fake counts, nothing to await
                    await asyncio.sleep(0.05)
            bot.process.send_signal(signal.SIGKILL)
            await bot.process.wait()
            assert all(len(person.messages()) == seen[person.id] for person in people)
        openai.default = Behaviour.ok(REPLY)
        async with bot_process(tmp_path, telegram, **env) as bot:
            for person in people:
                await person.wait_for_messages(seen[person.id] + 1, timeout=30)
            # a clean stop finishes everything the process took, so a second (wrong) answer
            # would have been sent by the time it exits: no waiting for one to show up
            assert await bot.terminate() == 0, bot.output()
            bot_id = telegram.token.split(":")[0]
            for number, person in enumerate(people):
                replies = [m.text for m in person.messages()[seen[person.id] :]]
                assert replies == [REPLY], (number, replies)
                _, turns = await stored_when(
                    bot.database, UserKey(bot_id, person.id), lambda _s, t: len(t) >= 2
                )
                assert turns == [
                    (Role.USER, f"a question about the train timetable, number {number}"),
                    (Role.ASSISTANT, REPLY),
                ]
            assert telegram.pending_update_count() == 0
