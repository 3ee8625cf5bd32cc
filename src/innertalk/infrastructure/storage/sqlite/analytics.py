"""Analytics over many realms in SQLite, mixed into ``SqliteStorage``: every figure is one
statement (GROUP BY, correlated sub-queries); realms travel as one JSON array parameter.

Moments are fixed-width UTC text; ``strftime('%s', …)`` turns them into whole seconds where
a span is measured (day-N return, the 1-7 days after a session ended).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from innertalk.domain.analytics import (
    RETURN_DAYS,
    WEEK,
    ArmCounts,
    CohortCounts,
    CrisisCount,
    CrisisMark,
    WeeklyMood,
)
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.mood_weeks import mood_weeks
from innertalk.infrastructure.storage.sqlite.rows import SqliteCodec
from innertalk.infrastructure.storage.sqlite.values import moment_text

_REALMS = "bot_id IN (SELECT value FROM json_each(:realms))"
_SECONDS = "CAST(strftime('%s', {}) AS INTEGER)"

_COHORTS = f"""
WITH people AS (
    SELECT bot_id, user_id, {_SECONDS.format("created_at")} AS started FROM profiles
    WHERE {_REALMS} AND created_at >= :origin AND created_at < :until
), latest AS (
    SELECT p.bot_id, p.user_id, max(t.created_at) AS last_at
    FROM people AS p JOIN turns AS t
      ON t.bot_id = p.bot_id AND t.user_id = p.user_id AND t.role = 'user'
    GROUP BY p.bot_id, p.user_id
)
SELECT (p.started - :origin_s) / 604800 AS week, count(*) AS size,
       {
    ", ".join(
        f"coalesce(sum({_SECONDS.format('l.last_at')} - p.started >= {days * 86400}), 0)"
        f" AS d{days}"
        for days in RETURN_DAYS
    )
}
FROM people AS p LEFT JOIN latest AS l ON l.bot_id = p.bot_id AND l.user_id = p.user_id
GROUP BY week ORDER BY week
"""  # noqa: S608 (only constants are put in)

_OWN = "bot_id = p.bot_id AND user_id = p.user_id"
_FUNNEL = f"""
WITH reached AS (
    SELECT p.bot_id, p.user_id, p.consent_at IS NOT NULL AS consented,
           p.consent_at IS NOT NULL AND EXISTS (
               SELECT 1 FROM turns WHERE {_OWN} AND role = 'user') AS wrote,
           (SELECT min(ended_at) FROM sessions WHERE {_OWN} AND ended_at IS NOT NULL)
               AS first_end
    FROM profiles AS p
    WHERE p.{_REALMS} AND p.created_at >= :since AND p.created_at < :until
)
SELECT count(*) AS started,
       coalesce(sum(consented), 0) AS consented,
       coalesce(sum(wrote), 0) AS wrote,
       coalesce(sum(wrote AND first_end IS NOT NULL), 0) AS ended,
       coalesce(sum(wrote AND first_end IS NOT NULL AND EXISTS (
           SELECT 1 FROM turns AS t
           WHERE t.bot_id = r.bot_id AND t.user_id = r.user_id AND t.role = 'user'
             AND {_SECONDS.format("t.created_at")} - {_SECONDS.format("r.first_end")}
                 BETWEEN 86400 AND 604800)), 0) AS returned
FROM reached AS r
"""  # noqa: S608 (only constants are put in)

_ARMS = f"""
SELECT t.variant AS variant, count(*) AS replies, sum(t.latency_ms > 0) AS timed,
       sum(t.latency_ms) AS latency_sum, sum(t.latency_ms * t.latency_ms) AS squares,
       sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
       coalesce(sum(f.helpful = 1), 0) AS helpful, coalesce(sum(f.helpful = 0), 0) AS unhelpful
FROM turns AS t LEFT JOIN feedback AS f ON f.turn_id = t.id AND f.bot_id = t.bot_id
WHERE t.{_REALMS} AND t.role = 'assistant' AND t.variant != ''
  AND t.created_at >= :since AND t.created_at < :until
GROUP BY t.variant ORDER BY t.variant
"""  # noqa: S608 (only constants are put in)

_MOODS = f"""
SELECT bot_id, user_id, score, created_at FROM mood_entries
WHERE {_REALMS} AND created_at >= :origin AND created_at < :until
"""  # noqa: S608 (only constants are put in)

_CRISIS = f"""
SELECT category, severity, count(*) AS signals FROM crisis_signals
WHERE {_REALMS} AND at >= :since GROUP BY category, severity ORDER BY category, severity
"""  # noqa: S608 (only constants are put in)


class SqliteAnalyticsStore:
    """``AnalyticsStore`` and ``CrisisSignalLog`` over ``SqliteStorage``'s connection."""

    _lock: asyncio.Lock
    codec: SqliteCodec

    @property
    def connection(self) -> aiosqlite.Connection:
        raise NotImplementedError  # provided by SqliteStorage

    async def _analytics_rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        async with self._lock:
            return list(await self.connection.execute_fetchall(sql, params))

    async def known_realms(self) -> list[str]:
        rows = await self._analytics_rows(
            "SELECT DISTINCT bot_id FROM profiles ORDER BY bot_id", {}
        )
        return [row["bot_id"] for row in rows]

    async def cohort_counts(
        self, realms: Sequence[str], origin: datetime, weeks: int
    ) -> list[CohortCounts]:
        params = {
            "realms": json.dumps(list(realms)),
            "origin": moment_text(origin),
            "origin_s": int(origin.timestamp()),
            "until": moment_text(origin + weeks * WEEK),
        }
        rows = await self._analytics_rows(_COHORTS, params)
        return [
            CohortCounts(row["week"], row["size"], tuple(row[f"d{d}"] for d in RETURN_DAYS))
            for row in rows
        ]

    async def funnel_counts(
        self, realms: Sequence[str], since: datetime, until: datetime
    ) -> tuple[int, int, int, int, int]:
        params = {
            "realms": json.dumps(list(realms)),
            "since": moment_text(since),
            "until": moment_text(until),
        }
        row = (await self._analytics_rows(_FUNNEL, params))[0]
        return (row["started"], row["consented"], row["wrote"], row["ended"], row["returned"])

    async def arm_counts(
        self, realms: Sequence[str], since: datetime, until: datetime
    ) -> list[ArmCounts]:
        params = {
            "realms": json.dumps(list(realms)),
            "since": moment_text(since),
            "until": moment_text(until),
        }
        return [
            ArmCounts(
                variant=row["variant"],
                replies=row["replies"],
                timed=row["timed"],
                latency_sum=float(row["latency_sum"]),
                latency_squares=float(row["squares"]),
                input_tokens=row["input_tokens"],
                output_tokens=row["output_tokens"],
                helpful=row["helpful"],
                not_helpful=row["unhelpful"],
            )
            for row in await self._analytics_rows(_ARMS, params)
        ]

    async def mood_weeks(
        self, realms: Sequence[str], origin: datetime, weeks: int
    ) -> list[WeeklyMood]:
        params = {
            "realms": json.dumps(list(realms)),
            "origin": moment_text(origin),
            "until": moment_text(origin + weeks * WEEK),
        }
        rows = await self._analytics_rows(_MOODS, params)
        entries = [(UserKey(r["bot_id"], r["user_id"]), r["score"], r["created_at"]) for r in rows]
        return await asyncio.to_thread(mood_weeks, self.codec.seal, entries, origin, weeks)

    async def crisis_counts(self, realms: Sequence[str], since: datetime) -> list[CrisisCount]:
        params = {"realms": json.dumps(list(realms)), "since": moment_text(since)}
        rows = await self._analytics_rows(_CRISIS, params)
        return [CrisisCount(r["category"], r["severity"], r["signals"]) for r in rows]

    async def note_crisis(self, mark: CrisisMark) -> None:
        sql = "INSERT INTO crisis_signals (bot_id, category, severity, at) VALUES (?, ?, ?, ?)"
        async with self._lock:
            await self.connection.execute(
                sql, (mark.realm, mark.category, mark.severity, moment_text(mark.at))
            )
