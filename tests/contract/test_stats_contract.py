"""Operator statistics and mailing audiences, the same on every storage adapter."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from innertalk.application.ports import Storage
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.stats import ModelSpend, Segment
from innertalk.domain.users import Language, Profile, UserKey, new_profile
from innertalk.domain.wellbeing import Feedback, MoodEntry
from tests.contract.records import T0

BOT = "bot-s"
NOW = T0 + timedelta(days=60)


def person(user_id: int, *, days_ago: int, active_days_ago: int, **changes: Any) -> Profile:
    profile = new_profile(UserKey(BOT, user_id), NOW - timedelta(days=days_ago), consent=True)
    return replace(profile, last_active_at=NOW - timedelta(days=active_days_ago), **changes)


async def test_stats_count_people_activity_mood_and_variants(storage: Storage) -> None:
    """Users, new and active people, messages, sessions, weekly mood and per-variant outcomes."""
    a, b = UserKey(BOT, 1), UserKey(BOT, 2)
    await storage.write(
        [
            person(1, days_ago=0, active_days_ago=0),
            person(2, days_ago=3, active_days_ago=5),
            person(3, days_ago=40, active_days_ago=20, active=False),
            person(4, days_ago=40, active_days_ago=40, blocked=True),
            new_profile(UserKey("other-bot", 1), NOW, consent=True),
            Session("s1", a, NOW),
            Turn("u1", a, "s1", Role.USER, "hi", NOW),
            Turn("r1", a, "s1", Role.ASSISTANT, "hello", NOW, variant="A", latency_ms=100,
                 input_tokens=10, output_tokens=5),
            Turn("u2", a, "s1", Role.USER, "more", NOW),
            Turn("r2", a, "s1", Role.ASSISTANT, "sure", NOW, variant="B", latency_ms=300,
                 input_tokens=20, output_tokens=7),
            Feedback("f1", a, "r1", True, NOW),
            Feedback("f2", a, "r2", False, NOW),
            MoodEntry("m1", a, 8, NOW - timedelta(days=1)),
            MoodEntry("m2", b, 6, NOW - timedelta(days=2)),
            MoodEntry("m3", b, 3, NOW - timedelta(days=10)),
        ]
    )  # fmt: skip
    stats = await storage.bot_stats(BOT, NOW)
    assert (stats.users, stats.consented, stats.new_24h, stats.new_7d) == (4, 4, 1, 2)
    assert (stats.dau, stats.wau, stats.mau) == (1, 2, 3)
    assert (stats.messages, stats.sessions) == (2, 1)
    assert (stats.mood_this_week, stats.mood_last_week) == (7.0, 3.0)
    assert (stats.unreachable, stats.blocked) == (1, 1)
    variants = {v.variant: v for v in stats.variants}
    assert (variants["A"].replies, variants["A"].avg_latency_ms, variants["A"].helpful) == (
        1,
        100.0,
        1,
    )
    assert (variants["B"].output_tokens, variants["B"].not_helpful) == (7, 1)


async def test_stats_sum_the_last_day_of_reply_tokens_per_provider_and_model(
    storage: Storage,
) -> None:
    """``spend_24h``: reply tokens of the last 24 hours by provider and model, nothing older,
    no person's turns and no other bot's."""
    a = UserKey(BOT, 1)
    await storage.write(
        [
            person(1, days_ago=0, active_days_ago=0),
            Session("s1", a, NOW - timedelta(days=2)),
            Turn("old", a, "s1", Role.ASSISTANT, "x", NOW - timedelta(days=2), provider="openai",
                 model="gpt-6-luna", input_tokens=1000, output_tokens=100),
            Turn("u1", a, "s1", Role.USER, "hi", NOW),
            Turn("r1", a, "s1", Role.ASSISTANT, "y", NOW, provider="openai", model="gpt-6-luna",
                 input_tokens=10, output_tokens=5),
            Turn("r2", a, "s1", Role.ASSISTANT, "z", NOW, provider="openai", model="gpt-6-luna",
                 input_tokens=20, output_tokens=7),
            Turn("r3", a, "s1", Role.ASSISTANT, "w", NOW, provider="anthropic",
                 model="claude-sonnet-5-5", input_tokens=30, output_tokens=9),
            Turn("r4", UserKey("other-bot", 1), "s9", Role.ASSISTANT, "v", NOW,
                 provider="openai", model="gpt-6-luna", input_tokens=500, output_tokens=50),
        ]
    )  # fmt: skip
    stats = await storage.bot_stats(BOT, NOW)
    assert stats.spend_24h == (
        ModelSpend("anthropic", "claude-sonnet-5-5", 30, 9),
        ModelSpend("openai", "gpt-6-luna", 30, 12),
    )


async def test_mailing_audiences_leave_out_unreachable_blocked_and_unconsented(
    storage: Storage,
) -> None:
    """Segments pick by language or recent activity, and never include anyone who opted out."""
    await storage.write(
        [
            person(1, days_ago=10, active_days_ago=1, language=Language.RU),
            person(2, days_ago=10, active_days_ago=9),
            person(3, days_ago=10, active_days_ago=1, active=False),
            person(4, days_ago=10, active_days_ago=1, blocked=True),
            replace(person(5, days_ago=10, active_days_ago=1), consent_at=None),
        ]
    )
    everyone = await storage.audience(BOT, Segment.ALL, NOW)
    assert [key.user_id for key in everyone] == [1, 2]
    assert [k.user_id for k in await storage.audience(BOT, Segment.ACTIVE_7D, NOW)] == [1]
    assert [k.user_id for k in await storage.audience(BOT, Segment.RUSSIAN, NOW)] == [1]
    assert [k.user_id for k in await storage.audience(BOT, Segment.ENGLISH, NOW)] == [2]
