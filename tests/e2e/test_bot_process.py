"""The real ``innertalk bot`` process over ``TELEGRAM_API_URL`` (the loopback Bot API fake):
journeys in both languages, odd input, a burst, admins, health routes, SIGTERM.

One process serves the tests of this module (starting one costs seconds); the last test stops
it with SIGTERM. Webhook mode runs a process of its own (``test_bot_webhook.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
import pytest_asyncio

from innertalk.domain.conversation import Role
from innertalk.domain.users import UserKey
from tests.e2e.bot_process import BotProcess, bot_process, onboard, stored, stored_when
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


@dataclass
class World:
    telegram: FakeTelegram
    bot: BotProcess
    admin: SimulatedUser

    def key(self, user: SimulatedUser) -> UserKey:
        return UserKey(self.telegram.token.split(":")[0], user.id)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with FakeTelegram() as telegram:
        admin = telegram.user(first_name="Ops")
        workdir = tmp_path_factory.mktemp("bot")
        async with bot_process(
            workdir, telegram, ADMIN_IDS=str(admin.id), RATE_LIMIT="100/minute"
        ) as bot:
            yield World(telegram, bot, admin)


async def _journey(world: World, user: SimulatedUser, first: str, second: str) -> list[str]:
    """Onboard, talk (streamed), End, talk again; the texts the person saw after onboarding."""
    await onboard(world.telegram, user)
    start = len(user.messages())
    sent = user.send(first)
    await world.telegram.wait_for(lambda: user.messages()[-1].buttons(), timeout=10)
    drafts = user.drafts()
    assert drafts, "the reply was streamed as drafts"
    assert all(d.can_stop and d.draft_id == sent["message"]["message_id"] for d in drafts)
    user.send("/end")
    await user.wait_for_messages(start + 2, timeout=10)
    user.send(second)
    await world.telegram.wait_for(
        lambda: len(user.messages()) >= start + 3 and user.messages()[-1].buttons(), timeout=10
    )
    return [m.text for m in user.messages()[start:]]


async def test_english_journey_from_consent_to_a_second_session(world: World) -> None:
    """Onboarding with consent, a streamed reply with feedback buttons, End with a summary, and
    a second session opened after the first one was summarized."""
    alex = world.telegram.user(first_name="Alex", language_code="en")
    reply, ended, again = await _journey(
        world, alex, "I'm anxious about my exam tomorrow", "I slept a bit better"
    )
    assert reply
    assert ended.startswith("Session ended.")
    sessions, turns = await stored_when(
        world.bot.database, world.key(alex), lambda sessions, turns: len(turns) == 4
    )
    assert len(sessions) == 2
    assert sessions[1].summary
    assert sessions[1].summary in ended
    assert sessions[0].is_open
    assert [text for role, text in turns if role is Role.USER] == [
        "I'm anxious about my exam tomorrow",
        "I slept a bit better",
    ]
    assert again == turns[-1][1]


async def test_russian_journey_from_consent_to_a_second_session(world: World) -> None:
    """The same journey in Russian: Russian texts throughout, Russian replies."""
    masha = world.telegram.user(first_name="Маша", language_code="ru")
    reply, ended, _ = await _journey(world, masha, "Мне сегодня тревожно", "Сегодня получше")
    assert any("а" <= char <= "я" for char in reply.lower())
    assert ended.startswith("Сессия завершена.")
    sessions, _ = await stored_when(
        world.bot.database, world.key(masha), lambda sessions, turns: len(turns) == 4
    )
    assert len(sessions) == 2


async def test_odd_inputs_get_friendly_answers(world: World) -> None:
    """Stickers, photos, voice, documents, places, polls, edits and unusual text: each answered,
    no apology for a failure anywhere."""
    sam = world.telegram.user(language_code="en")
    await onboard(world.telegram, sam)
    start = len(sam.messages())
    first = sam.send("🥺")
    await world.telegram.wait_for(lambda: sam.messages()[-1].buttons(), timeout=10)
    for send in (
        sam.send_sticker, sam.send_photo, sam.send_voice, sam.send_video_note, sam.send_document,
        sam.send_location, sam.send_contact, sam.send_poll, sam.send_dice,
    ):  # fmt: skip
        send()
    sam.edit(first, "🥺🥺")
    for text in ("שלום, אני עייף", "<b>hi</b> & <i>", "zero\u200bwidth"):
        sam.send(text)
    await world.telegram.wait_for(
        lambda: len(sam.messages()) >= start + 14 and sam.messages()[-1].buttons(), timeout=15
    )
    texts = [m.text for m in sam.messages()[start:]]
    assert "Nice sticker" in texts[1]
    assert "I noticed you edited a message" in texts[10]
    assert not any("went wrong" in text for text in texts)
    _, turns = await stored_when(
        world.bot.database, world.key(sam), lambda sessions, turns: len(turns) == 8
    )
    assert [t for r, t in turns if r is Role.USER] == [
        "🥺", "שלום, אני עייף", "<b>hi</b> & <i>", "zero\u200bwidth",
    ]  # fmt: skip


async def test_a_burst_of_twenty_is_answered_in_order(world: World) -> None:
    """Twenty messages sent at once are answered one by one, in the order they were sent."""
    kim = world.telegram.user(language_code="en")
    await onboard(world.telegram, kim)
    start = len(kim.messages())
    for number in range(1, 21):
        kim.send(f"Thought number {number}")
    await world.telegram.wait_for(lambda: len(kim.messages()) >= start + 20, timeout=30)
    _, turns = await stored_when(
        world.bot.database, world.key(kim), lambda sessions, turns: len(turns) == 40
    )
    assert [t for r, t in turns if r is Role.USER] == [f"Thought number {n}" for n in range(1, 21)]
    replies = [t for r, t in turns if r is Role.ASSISTANT]
    assert [m.text for m in kim.messages()[start:]] == replies


async def test_health_for_the_admin_and_nothing_for_others(world: World) -> None:
    """/health: the component table for ADMIN_IDS, the unknown-command answer for others."""
    await onboard(world.telegram, world.admin)
    world.admin.send("/health")
    await world.telegram.wait_for(
        lambda: any(m.text.startswith("Health:") for m in world.admin.messages()), timeout=10
    )
    table = next(m.text for m in world.admin.messages() if m.text.startswith("Health:"))
    assert table.startswith("Health: ready ✅")
    assert "telegram" in table
    lee = world.telegram.user()
    await onboard(world.telegram, lee)
    lee.send("/health")
    answer = (await lee.wait_for_messages(5, timeout=10))[-1].text
    assert answer == "I don't know that command. /help lists what I understand."


async def test_liveness_and_readiness_are_served(world: World) -> None:
    """/healthz and /readyz answer on HTTP_PORT while the bot polls."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{world.bot.base_url}/healthz") as live:
            assert live.status == 200
        async with http.get(f"{world.bot.base_url}/readyz") as ready:
            assert ready.status == 200
            names = {c["name"] for c in (await ready.json())["components"]}
    assert {"storage", "telegram"} <= names


async def test_sigterm_finishes_what_was_taken_in_and_exits_zero(world: World) -> None:
    """SIGTERM mid-conversation: exit 0; every message is either answered and stored, or left
    unconfirmed at Telegram for the next start — none lost, none half-done."""
    ray = world.telegram.user()
    await onboard(world.telegram, ray)
    start = len(ray.messages())
    for number in range(5):
        ray.send(f"we bought {number} apples at the market")
    await ray.wait_for_messages(start + 1, timeout=10)
    assert await world.bot.terminate() == 0, world.bot.output()
    answered = len(ray.messages()) - start
    _, turns = await stored(world.bot.database, world.key(ray))
    assert [t for r, t in turns if r is Role.USER] == [
        f"we bought {n} apples at the market" for n in range(answered)
    ]
    assert len(turns) == 2 * answered
    assert answered + world.telegram.pending_update_count() == 5
