"""Operator statistics and mailing audiences in SQLite, mixed into ``SqliteStorage``."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from innertalk.domain.stats import BotStats, ModelSpend, Segment, VariantOutcome
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.sealing import weekly_moods
from innertalk.infrastructure.storage.sqlite.rows import SqliteCodec
from innertalk.infrastructure.storage.sqlite.values import moment_text

_PEOPLE = """
SELECT count(*) AS users,
       sum(consent_at IS NOT NULL) AS consented,
       sum(created_at >= :day) AS new_24h,
       sum(created_at >= :week) AS new_7d,
       sum(last_active_at >= :day) AS dau,
       sum(last_active_at >= :week) AS wau,
       sum(last_active_at >= :month) AS mau,
       sum(active = 0) AS unreachable,
       sum(blocked = 1) AS blocked
FROM profiles WHERE bot_id = :bot_id
"""

_ACTIVITY = """
SELECT (SELECT count(*) FROM turns WHERE bot_id = :bot_id AND role = 'user') AS messages,
       (SELECT count(*) FROM sessions WHERE bot_id = :bot_id) AS sessions,
       (SELECT count(*) FROM questionnaire_results WHERE bot_id = :bot_id) AS questionnaires
"""

# Scores may be sealed: averaged after opening (``weekly_moods``), never in SQL.
_MOODS = """
SELECT bot_id, user_id, score, created_at FROM mood_entries
WHERE bot_id = :bot_id AND created_at >= :fortnight
"""

_VARIANTS = """
SELECT t.variant AS variant, count(*) AS replies, avg(nullif(t.latency_ms, 0)) AS latency,
       sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
       sum(f.helpful = 1) AS helpful, sum(f.helpful = 0) AS not_helpful
FROM turns AS t LEFT JOIN feedback AS f ON f.turn_id = t.id AND f.bot_id = t.bot_id
WHERE t.bot_id = :bot_id AND t.role = 'assistant' AND t.variant != ''
GROUP BY t.variant
ORDER BY t.variant
"""

_SPEND = """
SELECT provider, model, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
FROM turns
WHERE bot_id = :bot_id AND role = 'assistant' AND provider != '' AND created_at >= :day
GROUP BY provider, model
ORDER BY provider, model
"""

_AUDIENCE = """
SELECT user_id FROM profiles
WHERE bot_id = :bot_id AND consent_at IS NOT NULL AND active = 1 AND blocked = 0
  AND (:language IS NULL OR language = :language)
  AND (:since IS NULL OR last_active_at >= :since)
ORDER BY user_id
"""


class SqliteStatsStore:
    """``StatsStore`` over the same connection and lock as the rest of ``SqliteStorage``."""

    _lock: asyncio.Lock
    codec: SqliteCodec

    @property
    def connection(self) -> aiosqlite.Connection:
        raise NotImplementedError  # provided by SqliteStorage

    async def _one(self, sql: str, params: dict[str, Any]) -> Any:
        async with self._lock:
            rows = await self.connection.execute_fetchall(sql, params)
        return next(iter(rows))

    async def bot_stats(self, bot_id: str, now: datetime) -> BotStats:
        params = {
            "bot_id": bot_id,
            "day": moment_text(now - timedelta(days=1)),
            "week": moment_text(now - timedelta(days=7)),
            "fortnight": moment_text(now - timedelta(days=14)),
            "month": moment_text(now - timedelta(days=30)),
        }
        people = await self._one(_PEOPLE, params)
        activity = await self._one(_ACTIVITY, params)
        async with self._lock:
            variants = await self.connection.execute_fetchall(_VARIANTS, params)
            moods = await self.connection.execute_fetchall(_MOODS, params)
            spend = await self.connection.execute_fetchall(_SPEND, params)
        scored = [(UserKey(r["bot_id"], r["user_id"]), r["score"], r["created_at"]) for r in moods]
        this_week, last_week = await asyncio.to_thread(
            weekly_moods, self.codec.seal, scored, params["week"]
        )
        return BotStats(
            users=people["users"],
            consented=people["consented"] or 0,
            new_24h=people["new_24h"] or 0,
            new_7d=people["new_7d"] or 0,
            dau=people["dau"] or 0,
            wau=people["wau"] or 0,
            mau=people["mau"] or 0,
            messages=activity["messages"],
            sessions=activity["sessions"],
            questionnaires=activity["questionnaires"],
            mood_this_week=_rounded(this_week),
            mood_last_week=_rounded(last_week),
            unreachable=people["unreachable"] or 0,
            blocked=people["blocked"] or 0,
            variants=tuple(
                VariantOutcome(
                    variant=row["variant"],
                    replies=row["replies"],
                    avg_latency_ms=_rounded(row["latency"]),
                    input_tokens=row["input_tokens"] or 0,
                    output_tokens=row["output_tokens"] or 0,
                    helpful=row["helpful"] or 0,
                    not_helpful=row["not_helpful"] or 0,
                )
                for row in variants
            ),
            spend_24h=tuple(
                ModelSpend(r["provider"], r["model"], r["input_tokens"], r["output_tokens"])
                for r in spend
            ),
        )

    async def audience(self, bot_id: str, segment: Segment, now: datetime) -> list[UserKey]:
        params = {
            "bot_id": bot_id,
            "language": segment.value if segment in (Segment.RUSSIAN, Segment.ENGLISH) else None,
            "since": moment_text(now - timedelta(days=7))
            if segment is Segment.ACTIVE_7D
            else None,
        }
        async with self._lock:
            rows = await self.connection.execute_fetchall(_AUDIENCE, params)
        return [UserKey(bot_id, int(row["user_id"])) for row in rows]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)
