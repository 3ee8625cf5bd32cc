"""Mailing jobs as a table (``mailing_jobs``, migration 9) in the SQLite database.

A connection of its own with ``synchronous = FULL`` (a checkpoint survives a power cut, so a
resumed job does not send twice). A claim is one ``UPDATE … RETURNING`` statement, so two
processes sharing the file never lease the same job; every later write names its claim.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from innertalk.application.operations.mailing_jobs import MailingJobsUnavailableError
from innertalk.domain.mailings import MailingJob, MailingProgress, MailingState
from innertalk.domain.stats import Segment
from innertalk.infrastructure.outbox_seal import BodySeal
from innertalk.infrastructure.storage.sqlite import schema
from innertalk.infrastructure.storage.timestamps import moment_from, moment_text

_COLUMNS = (
    "id, bot_id, segment, text, created_by, created_at, state, total, sent, failed, "
    "unreachable, cursor, started_at, finished_at, cancel_requested, claim"
)
_INSERT = (
    "INSERT OR IGNORE INTO mailing_jobs (id, bot_id, segment, text, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_RECORD = (
    f"INSERT OR IGNORE INTO mailing_jobs ({_COLUMNS}) "  # noqa: S608 - constants
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')"
)
_CLAIM = f"""
UPDATE mailing_jobs SET state = 'sending', claim = ?, leased_until = ?,
    started_at = COALESCE(started_at, ?)
WHERE id = (
    SELECT id FROM mailing_jobs
    WHERE state IN ('pending', 'sending') AND leased_until <= ? AND bot_id IN ({{bots}})
    ORDER BY created_at, id LIMIT 1
)
RETURNING {_COLUMNS}
"""  # noqa: S608 - constants and ? marks
_PROGRESS = "total = ?, sent = ?, failed = ?, unreachable = ?, cursor = ?"
_HELD = "WHERE id = ? AND claim = ? AND state = 'sending'"
_CHECKPOINT = (
    f"UPDATE mailing_jobs SET {_PROGRESS}, leased_until = ? "  # noqa: S608 - constants
    f"{_HELD} RETURNING {_COLUMNS}"
)
_FINISH = (
    f"UPDATE mailing_jobs SET {_PROGRESS}, state = ?, finished_at = ?, claim = '', "  # noqa: S608 - constants and ? marks
    f"leased_until = '' {_HELD}"
)
_CANCEL = (
    "UPDATE mailing_jobs SET "  # noqa: S608 - constants and ? marks
    "state = CASE state WHEN 'pending' THEN 'cancelled' ELSE state END, "
    "finished_at = CASE state WHEN 'pending' THEN ? ELSE finished_at END, "
    "cancel_requested = CASE state WHEN 'sending' THEN 1 ELSE cancel_requested END "
    f"WHERE id = ? RETURNING {_COLUMNS}"
)


class SqliteMailingJobs:
    """``MailingJobs`` in the ``mailing_jobs`` table; ``open`` it on a migrated database."""

    def __init__(self, db: aiosqlite.Connection, seal: BodySeal) -> None:
        self._db = db
        self._seal = seal
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, seal: BodySeal | None = None) -> SqliteMailingJobs:
        """``MailingJobsUnavailableError`` when the file or its table is missing."""
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except (sqlite3.Error, OSError) as error:
            raise MailingJobsUnavailableError(type(error).__name__) from None
        try:
            for pragma in schema.PRAGMAS:
                await db.execute(pragma)
            await db.execute("PRAGMA synchronous = FULL")
            # read to the end: a row left unread keeps a read transaction (a stale snapshot)
            # open, and this connection's next write would fail with "database is locked"
            await db.execute_fetchall("SELECT 1 FROM mailing_jobs LIMIT 1")
        except sqlite3.Error:
            await db.close()
            raise MailingJobsUnavailableError(
                "no mailing_jobs table; run `innertalk migrate`"
            ) from None
        except BaseException:
            await db.close()
            raise
        return cls(db, seal or BodySeal(purpose="mailing"))

    async def add(self, job: MailingJob) -> None:
        text = self._seal.seal(job.id, job.text.encode("utf-8"))
        created = moment_text(job.created_at)
        row = (job.id, job.bot_id, job.segment.value, text, job.created_by, created)
        await self._fetch(_INSERT, row)

    async def record(self, job: MailingJob) -> None:
        text = self._seal.seal(job.id, job.text.encode("utf-8"))
        row = (
            job.id,
            job.bot_id,
            job.segment.value,
            text,
            job.created_by,
            moment_text(job.created_at),
            job.state.value,
            *_counts(job.progress),
            None if job.started_at is None else moment_text(job.started_at),
            None if job.finished_at is None else moment_text(job.finished_at),
        )
        await self._fetch(_RECORD, row)

    async def get(self, job_id: str) -> MailingJob | None:
        statement = f"SELECT {_COLUMNS} FROM mailing_jobs WHERE id = ?"  # noqa: S608 - constants
        rows = await self._fetch(statement, (job_id,))
        return self._job(rows[0]) if rows else None

    async def history(self, bots: Sequence[str] | None, limit: int) -> list[MailingJob]:
        if bots is not None and not bots:
            return []
        where = "" if bots is None else f"WHERE bot_id IN ({_marks(bots)})"
        statement = (
            f"SELECT {_COLUMNS} FROM mailing_jobs {where} "  # noqa: S608 - constants and ? marks
            "ORDER BY created_at DESC, id DESC LIMIT ?"
        )
        rows = await self._fetch(statement, (*(bots or ()), limit))
        return [self._job(row) for row in rows]

    async def claim(
        self, now: datetime, lease: timedelta, *, bots: Sequence[str], claim: str
    ) -> MailingJob | None:
        if not bots:
            return None
        at = moment_text(now)
        values = (claim, moment_text(now + lease), at, at, *bots)
        rows = await self._fetch(_CLAIM.format(bots=_marks(bots)), values)
        return self._job(rows[0]) if rows else None

    async def checkpoint(
        self, job_id: str, claim: str, progress: MailingProgress, *, leased_until: datetime
    ) -> MailingJob | None:
        values = (*_counts(progress), moment_text(leased_until), job_id, claim)
        rows = await self._fetch(_CHECKPOINT, values)
        return self._job(rows[0]) if rows else None

    async def finish(
        self,
        job_id: str,
        claim: str,
        progress: MailingProgress,
        *,
        state: MailingState,
        at: datetime,
    ) -> bool:
        values = (*_counts(progress), state.value, moment_text(at), job_id, claim)
        try:
            async with self._lock:
                cursor = await self._db.execute(_FINISH, values)
                return cursor.rowcount > 0
        except (sqlite3.Error, OSError) as error:
            raise MailingJobsUnavailableError(type(error).__name__) from None

    async def cancel(self, job_id: str, at: datetime) -> MailingJob | None:
        rows = await self._fetch(_CANCEL, (moment_text(at), job_id))
        return self._job(rows[0]) if rows else None

    async def close(self) -> None:
        await self._db.close()

    def _job(self, row: tuple[Any, ...]) -> MailingJob:
        job_id, bot_id, segment, stored, by, created, state, *counts = row[:12]
        started, finished, cancel, claim = row[12:]
        text = self._seal.open(str(job_id), str(stored))
        total, sent, failed, unreachable, cursor = (int(n) for n in counts)
        return MailingJob(
            id=str(job_id),
            bot_id=str(bot_id),
            segment=Segment(segment),
            text="" if text is None else text.decode("utf-8"),
            created_by=str(by),
            created_at=moment_from(str(created)),
            state=MailingState(state),
            progress=MailingProgress(total, sent, failed, unreachable, cursor),
            started_at=moment_from(str(started)) if started else None,
            finished_at=moment_from(str(finished)) if finished else None,
            cancel_requested=bool(cancel),
            claim=str(claim),
            opened=text is not None,
        )

    async def _fetch(self, statement: str, values: tuple[object, ...]) -> list[tuple[Any, ...]]:
        try:
            async with self._lock:
                return [tuple(row) for row in await self._db.execute_fetchall(statement, values)]
        except (sqlite3.Error, OSError) as error:
            raise MailingJobsUnavailableError(type(error).__name__) from None


def _marks(values: Sequence[str]) -> str:
    return ", ".join("?" * len(values))


def _counts(progress: MailingProgress) -> tuple[int, ...]:
    p = progress
    return (p.total, p.sent, p.failed, p.unreachable, p.cursor)
