"""Records for the storage contract: two people on one bot, one of them on a second bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from innertalk.application.ports import Record
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import Language, Profile, UserKey, new_profile
from innertalk.domain.wellbeing import MoodEntry, Portrait, QuestionnaireResult

T0 = datetime(2024, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)
ALICE = UserKey("bot-a", 1001)
BOB = UserKey("bot-a", 1002)
ALICE_ON_BOT_B = UserKey("bot-b", 1001)
STRANGER = UserKey("bot-a", 9999)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def profile(key: UserKey = ALICE) -> Profile:
    return new_profile(key, T0, language=Language.RU, display_name="Алиса", consent=True)


def session(
    session_id: str,
    key: UserKey = ALICE,
    start: float = 0,
    *,
    ended: float | None = None,
    summary: str | None = None,
) -> Session:
    return Session(session_id, key, at(start), None if ended is None else at(ended), summary)


def turns(of: Session, count: int, *, start: float = 0, first: int = 0) -> list[Turn]:
    return [
        Turn(
            id=f"{of.id}:turn-{n}",
            key=of.key,
            session_id=of.id,
            role=Role.USER if n % 2 == 0 else Role.ASSISTANT,
            text=f"message {n} of {of.id}",
            created_at=at(start + n),
        )
        for n in range(first, first + count)
    ]


def mood(mood_id: str, key: UserKey = ALICE, minutes: float = 0, score: int = 5) -> MoodEntry:
    return MoodEntry(mood_id, key, score, at(minutes), tags=("calm", "tired"), note="ok")


def result(
    result_id: str, key: UserKey = ALICE, minutes: float = 0, instrument: str = "phq9"
) -> QuestionnaireResult:
    return QuestionnaireResult(
        result_id, key, instrument, 7, "mild", answers=(1, 2, None, 0), created_at=at(minutes)
    )


def portrait(portrait_id: str, key: UserKey = ALICE, minutes: float = 0) -> Portrait:
    return Portrait(portrait_id, key, f"portrait {portrait_id}", at(minutes))


def everything(key: UserKey) -> list[Record]:
    """One of each record for ``key``, ids prefixed by the key so owners never collide."""
    ended = session(f"{key}:s0", key, 0, ended=10, summary=f"summary of {key}")
    opened = session(f"{key}:s1", key, 20)
    return [
        profile(key),
        ended,
        opened,
        *turns(ended, 2),
        *turns(opened, 3, start=20),
        mood(f"{key}:m", key),
        result(f"{key}:q", key),
        portrait(f"{key}:p", key),
    ]
