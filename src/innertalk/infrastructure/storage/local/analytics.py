"""Analytics over many realms in this process, mixed into ``LocalStorage``: the figures the
SQLite statements compute, from ``LocalStorage``'s tables (spans in whole seconds, as there)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from innertalk.domain.analytics import (
    DAY,
    RETURN_DAYS,
    WEEK,
    ArmCounts,
    CohortCounts,
    CrisisCount,
    CrisisMark,
    WeeklyMood,
)
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry


def _seconds(moment: datetime) -> int:
    return math.floor(moment.timestamp())


class LocalAnalyticsStore:
    """``AnalyticsStore`` and ``CrisisSignalLog`` over ``LocalStorage``'s tables."""

    _profiles: dict[UserKey, Profile]
    _crisis: list[CrisisMark]

    def _all(self, kind: type) -> Iterable[Any]:
        raise NotImplementedError  # provided by LocalStorage

    def _messages(self, realms: Sequence[str]) -> dict[UserKey, list[int]]:
        messages: dict[UserKey, list[int]] = {}
        for turn in self._all(Turn):
            if turn.key.bot_id in realms and turn.role is Role.USER:
                messages.setdefault(turn.key, []).append(_seconds(turn.created_at))
        return messages

    def _started(self, realms: Sequence[str], since: datetime, until: datetime) -> list[Profile]:
        return [
            p
            for key, p in self._profiles.items()
            if key.bot_id in realms and since <= p.created_at < until
        ]

    async def known_realms(self) -> list[str]:
        return sorted({key.bot_id for key in self._profiles})

    async def cohort_counts(
        self, realms: Sequence[str], origin: datetime, weeks: int
    ) -> list[CohortCounts]:
        messages = self._messages(realms)
        sizes: dict[int, int] = {}
        returned: dict[int, list[int]] = {}
        for person in self._started(realms, origin, origin + weeks * WEEK):
            week = (person.created_at - origin) // WEEK
            sizes[week] = sizes.get(week, 0) + 1
            counts = returned.setdefault(week, [0] * len(RETURN_DAYS))
            latest = max(messages.get(person.key, []), default=None)
            for index, days in enumerate(RETURN_DAYS):
                span = days * DAY // timedelta(seconds=1)
                if latest is not None and latest - _seconds(person.created_at) >= span:
                    counts[index] += 1
        return [CohortCounts(w, sizes[w], tuple(returned[w])) for w in sorted(sizes)]

    async def funnel_counts(
        self, realms: Sequence[str], since: datetime, until: datetime
    ) -> tuple[int, int, int, int, int]:
        messages = self._messages(realms)
        first_end: dict[UserKey, datetime] = {}
        for session in self._all(Session):
            if session.key.bot_id in realms and session.ended_at is not None:
                known = first_end.get(session.key)
                first_end[session.key] = min(known or session.ended_at, session.ended_at)
        counts = [0] * 5
        for person in self._started(realms, since, until):
            wrote = person.consent_at is not None and bool(messages.get(person.key))
            end = first_end.get(person.key) if wrote else None
            returned = end is not None and any(
                86_400 <= at - _seconds(end) <= 604_800 for at in messages[person.key]
            )
            reached = (True, person.consent_at is not None, wrote, end is not None, returned)
            for index, flag in enumerate(reached):
                counts[index] += flag
        return (counts[0], counts[1], counts[2], counts[3], counts[4])

    async def arm_counts(
        self, realms: Sequence[str], since: datetime, until: datetime
    ) -> list[ArmCounts]:
        verdicts: dict[tuple[str, str], list[bool]] = {}
        for feedback in self._all(Feedback):
            verdicts.setdefault((feedback.key.bot_id, feedback.turn_id), []).append(
                feedback.helpful
            )
        arms: dict[str, list[tuple[Turn, bool | None]]] = {}
        for turn in self._all(Turn):
            if (
                turn.key.bot_id in realms
                and turn.role is Role.ASSISTANT
                and turn.variant
                and since <= turn.created_at < until
            ):
                # once per verdict on the reply (once without one), like SQLite's LEFT JOIN
                found: list[bool | None] = list(verdicts.get((turn.key.bot_id, turn.id), []))
                arms.setdefault(turn.variant, []).extend((turn, v) for v in found or [None])
        return [_arm(variant, rows) for variant, rows in sorted(arms.items())]

    async def mood_weeks(
        self, realms: Sequence[str], origin: datetime, weeks: int
    ) -> list[WeeklyMood]:
        scores: list[list[int]] = [[] for _ in range(weeks)]
        for entry in self._all(MoodEntry):
            index = (entry.created_at - origin) // WEEK
            if entry.key.bot_id in realms and 0 <= index < weeks:
                scores[index].append(entry.score)
        return [
            WeeklyMood(
                (origin + index * WEEK).date(),
                round(sum(week) / len(week), 1) if week else None,
                len(week),
            )
            for index, week in enumerate(scores)
        ]

    async def crisis_counts(self, realms: Sequence[str], since: datetime) -> list[CrisisCount]:
        counts: dict[tuple[str, str], int] = {}
        for mark in self._crisis:
            if mark.realm in realms and mark.at >= since:
                counts[(mark.category, mark.severity)] = (
                    counts.get((mark.category, mark.severity), 0) + 1
                )
        return [CrisisCount(c, s, n) for (c, s), n in sorted(counts.items())]

    async def note_crisis(self, mark: CrisisMark) -> None:
        self._crisis.append(mark)


def _arm(variant: str, rows: list[tuple[Turn, bool | None]]) -> ArmCounts:
    return ArmCounts(
        variant=variant,
        replies=len(rows),
        timed=sum(turn.latency_ms > 0 for turn, _ in rows),
        latency_sum=float(sum(turn.latency_ms for turn, _ in rows)),
        latency_squares=float(sum(turn.latency_ms**2 for turn, _ in rows)),
        input_tokens=sum(turn.input_tokens for turn, _ in rows),
        output_tokens=sum(turn.output_tokens for turn, _ in rows),
        helpful=sum(v is True for _, v in rows),
        not_helpful=sum(v is False for _, v in rows),
    )
