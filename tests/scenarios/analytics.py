"""A small, fixed world whose analytics are worked out by hand (``tests/contract`` checks every
backend reproduces them; the page and API tests render them).

Realms ``bot-a`` and ``api:t`` belong to tenant ``t``; ``bot-x`` is another tenant's, and its
person 1 shares user id 1 with ``bot-a``'s person 1 (a join that forgets the realm would mix
them). Weeks start on Monday: ORIGIN is Monday 2026-01-05 00:00 UTC; week 0 is Jan 5-11,
week 1 Jan 12-18, week 2 Jan 19-25.

| person     | started      | consent | messages                      | sessions ended   |
|------------|--------------|---------|-------------------------------|------------------|
| a1         | Jan 5 10:00  | yes     | Jan 5 10:05, Jan 6 10:00      | Jan 5 11:00      |
| a2         | Jan 6 09:00  | yes     | Jan 6 09:10, Jan 13 10:00,    | Jan 6 10:00      |
|            |              |         | Jan 14 09:00, Feb 10 09:00    |                  |
| t3 (api:t) | Jan 7 12:00  | yes     | Jan 7 12:01                   | —                |
| a4         | Jan 13 08:00 | no      | —                             | —                |
| a5         | Jan 14 08:00 | yes     | Jan 14 08:30, Jan 21 08:00    | Jan 14 09:00,    |
|            |              |         |                               | Jan 21 09:00     |
| a6         | Jan 20 10:00 | yes     | Jan 20 10:01, Jan 21 11:00    | Jan 20 11:00     |
| a7         | Jan 2 10:00  | yes     | Jan 2 10:01                   | —   (before ORIGIN)
| x1 (bot-x) | Jan 5 10:00  | yes     | Jan 5 10:01, Feb 20 10:00     | Jan 6 10:00      |
| x3 (bot-x) | —            | —       | —                             | Jan 7 13:00 (no profile)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from innertalk.application.ports import Record
from innertalk.domain.analytics import CrisisMark
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import UserKey, new_profile
from innertalk.domain.wellbeing import Feedback, MoodEntry

ORIGIN = datetime(2026, 1, 5, tzinfo=UTC)
REALMS = ("bot-a", "api:t")
A1, A2, T3, A4 = UserKey("bot-a", 1), UserKey("bot-a", 2), UserKey("api:t", 3), UserKey("bot-a", 4)
A5, A6, A7 = UserKey("bot-a", 5), UserKey("bot-a", 6), UserKey("bot-a", 7)
X1, X3 = UserKey("bot-x", 1), UserKey("bot-x", 3)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _messages(key: UserKey, session: str, *moments: datetime) -> list[Record]:
    return [
        Turn(f"{key.bot_id}-{key.user_id}-m{i}", key, session, Role.USER, "private words", moment)
        for i, moment in enumerate(moments)
    ]


def _reply(
    turn: str, key: UserKey, variant: str, moment: datetime, latency: int, tokens: tuple[int, int]
) -> Turn:
    return Turn(turn, key, "s", Role.ASSISTANT, "a private reply", moment, provider="openai",
                model="gpt", input_tokens=tokens[0], output_tokens=tokens[1], variant=variant,
                latency_ms=latency)  # fmt: skip


def records() -> list[Record]:
    people: list[Record] = [
        new_profile(A1, at(1, 5, 10), consent=True),
        new_profile(A2, at(1, 6, 9), consent=True),
        new_profile(T3, at(1, 7, 12), consent=True),
        new_profile(A4, at(1, 13, 8)),
        new_profile(A5, at(1, 14, 8), consent=True),
        new_profile(A6, at(1, 20, 10), consent=True),
        new_profile(A7, at(1, 2, 10), consent=True),
        new_profile(X1, at(1, 5, 10), consent=True),
    ]
    sessions: list[Record] = [
        Session("sa1", A1, at(1, 5, 10), ended_at=at(1, 5, 11)),
        Session("sa2", A2, at(1, 6, 9), ended_at=at(1, 6, 10)),
        Session("st3", T3, at(1, 7, 12)),
        Session("sa5", A5, at(1, 14, 8), ended_at=at(1, 14, 9)),
        Session("sa5b", A5, at(1, 21, 8), ended_at=at(1, 21, 9)),
        Session("sa6", A6, at(1, 20, 10), ended_at=at(1, 20, 11)),
        Session("sx1", X1, at(1, 5, 10), ended_at=at(1, 6, 10)),
        Session("sx3", X3, at(1, 7, 12), ended_at=at(1, 7, 13)),
    ]
    messages = [
        *_messages(A1, "sa1", at(1, 5, 10, 5), at(1, 6, 10)),
        *_messages(A2, "sa2", at(1, 6, 9, 10), at(1, 13, 10), at(1, 14, 9), at(2, 10, 9)),
        *_messages(T3, "st3", at(1, 7, 12, 1)),
        *_messages(A5, "sa5", at(1, 14, 8, 30), at(1, 21, 8)),
        *_messages(A6, "sa6", at(1, 20, 10, 1), at(1, 21, 11)),
        *_messages(A7, "sa7", at(1, 2, 10, 1)),
        *_messages(X1, "sx1", at(1, 5, 10, 1), at(2, 20, 10)),
    ]
    replies: list[Record] = [
        _reply("r1", A1, "A", at(1, 5, 10, 6), 100, (10, 5)),
        _reply("r2", A2, "A", at(1, 6, 9, 11), 300, (20, 7)),
        _reply("r3", T3, "A", at(1, 7, 12, 2), 0, (5, 1)),
        _reply("r4", A5, "B", at(1, 14, 8, 31), 200, (30, 8)),
        _reply("r5", A6, "B", at(1, 20, 10, 2), 400, (40, 9)),
        _reply("r6", A6, "B", at(2, 2, 10), 999, (1, 1)),  # after the period
        _reply("rx", X1, "A", at(1, 5, 10, 2), 5000, (99, 99)),  # another tenant's
        Feedback("f1", A1, "r1", True, at(1, 5, 10, 7)),
        Feedback("f2", A2, "r2", False, at(1, 6, 9, 12)),
        Feedback("f4", A5, "r4", True, at(1, 14, 8, 32)),
        Feedback("f5", A6, "r5", True, at(1, 20, 10, 3)),
        Feedback("fx", X1, "rx", True, at(1, 5, 10, 3)),
        Feedback("fx4", X1, "r4", False, at(1, 5, 10, 4)),  # names bot-a's reply id: not its
    ]
    moods: list[Record] = [
        MoodEntry("m1", A1, 8, at(1, 6, 12), note="a private note"),
        MoodEntry("m2", A2, 6, at(1, 8, 12)),
        MoodEntry("m3", A6, 3, at(1, 20, 12)),
        MoodEntry("mx", X1, 1, at(1, 6, 12)),
    ]
    return [*people, *sessions, *messages, *replies, *moods]


CRISIS = (
    CrisisMark("bot-a", "suicide", "high", at(1, 10, 12)),
    CrisisMark("bot-a", "suicide", "high", at(1, 20, 12)),
    CrisisMark("api:t", "abuse", "medium", at(1, 21, 12)),
    CrisisMark("bot-x", "suicide", "high", at(1, 10, 12)),
    CrisisMark("bot-a", "suicide", "high", at(1, 1, 0)),  # before the window
)


def records_in(realms: dict[str, str]) -> list[Record]:
    """The scenario with its realms renamed (``bot-a`` → a tenant's bot, …)."""
    return [
        replace(record, key=UserKey(realms[record.key.bot_id], record.key.user_id))
        for record in records()
    ]
