"""Storage in one SQLite file through one aiosqlite connection.

Every call is serialized by a lock: the connection is shared, and a read must never see
the half-written rows of a batch that may still roll back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite
import structlog

from innertalk.application.ports import Record
from innertalk.domain.conversation import ConversationContext, Session, Turn
from innertalk.domain.privacy import UserRecords
from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult
from innertalk.infrastructure.crypto import FieldCipher
from innertalk.infrastructure.observability.metrics import (
    STORAGE_READS,
    STORAGE_SECONDS,
    STORAGE_WRITES,
)
from innertalk.infrastructure.storage.sealing import FieldSeal
from innertalk.infrastructure.storage.sqlite import queries, schema
from innertalk.infrastructure.storage.sqlite.analytics import SqliteAnalyticsStore
from innertalk.infrastructure.storage.sqlite.at_rest import SqliteAtRestStore
from innertalk.infrastructure.storage.sqlite.dead_letters import SqliteDeadLetterStore
from innertalk.infrastructure.storage.sqlite.fsm import SqliteFsmStore
from innertalk.infrastructure.storage.sqlite.operators import SqliteOperatorStore
from innertalk.infrastructure.storage.sqlite.reminders import (
    SqliteReminderStore,
    reminder_from,
)
from innertalk.infrastructure.storage.sqlite.rows import SqliteCodec, write_plan
from innertalk.infrastructure.storage.sqlite.stats import SqliteStatsStore
from innertalk.infrastructure.storage.sqlite.tenants import SqliteTenantStore
from innertalk.infrastructure.storage.sqlite.values import moment_text

IN_MEMORY = ":memory:"
CONTEXT_RESULTS = 3
"""Newest questionnaire results loaded with a conversation's context."""

log = structlog.get_logger(__name__)


def _silence_driver_debug_log() -> None:
    # aiosqlite logs every call with its parameters at DEBUG, i.e. people's message text.
    driver_log = logging.getLogger("aiosqlite")
    if driver_log.level < logging.INFO:  # NOTSET would inherit DEBUG from the root
        driver_log.setLevel(logging.INFO)


class SqliteStorage(
    SqliteReminderStore,
    SqliteStatsStore,
    SqliteFsmStore,
    SqliteAtRestStore,
    SqliteDeadLetterStore,
    SqliteTenantStore,
    SqliteAnalyticsStore,
    SqliteOperatorStore,  # last: its stubs of _read/_change_tenants must not shadow them
):
    """A complete ``Storage`` in SQLite (WAL); ``reads``/``writes`` count round trips.

    Create it with ``await SqliteStorage.open(path)``, then ``await storage.migrate()``.
    With ``cipher`` every personal field is sealed in its row (``sqlite.rows.SqliteCodec``).
    """

    def __init__(self, path: str | Path, *, cipher: FieldCipher | None = None) -> None:
        self.path = path
        self.codec = SqliteCodec(FieldSeal(cipher))
        self.reads = 0
        self.writes = 0
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, cipher: FieldCipher | None = None) -> SqliteStorage:
        """A connected storage on ``path`` (its directory is created when missing)."""
        storage = cls(path, cipher=cipher)
        await storage.connect()
        return storage

    async def connect(self) -> None:
        """Open the connection and set the pragmas; does nothing when already open."""
        if self._db is not None:
            return
        _silence_driver_debug_log()
        if str(self.path) != IN_MEMORY:
            await asyncio.to_thread(Path(self.path).parent.mkdir, parents=True, exist_ok=True)
        # Autocommit mode: transactions are begun explicitly, never implicitly by the driver.
        db = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            for pragma in schema.PRAGMAS:
                await db.execute(pragma)
        except BaseException:
            await db.close()
            raise
        self._db = db

    @property
    def connection(self) -> aiosqlite.Connection:
        """The live connection, for tests and diagnostics only: it bypasses lock and counters.

        A trace callback set on it receives statements with their values filled in, message
        text included, so whatever it records must never be logged.
        """
        if self._db is None:
            raise RuntimeError("SqliteStorage is not connected; use SqliteStorage.open()")
        return self._db

    async def migrate(self) -> None:
        async with self._lock:
            await schema.migrate(self.connection)

    async def close(self) -> None:
        """Wait for the call in progress, then close; every write is already durable."""
        async with self._lock:
            db, self._db = self._db, None
            if db is None:
                return
            try:
                await db.execute("PRAGMA optimize")
            except sqlite3.OperationalError as error:  # only statistics: never fail a close
                log.info("storage.optimize_skipped", error=str(error))
            finally:
                await db.close()

    async def write(self, records: Sequence[Record]) -> None:
        """Upsert ``records`` in one transaction; on any error none is stored and it re-raises."""
        if not records:
            return
        self.writes += 1
        STORAGE_WRITES.inc()
        plan = write_plan(records)
        async with self._lock:
            db = self.connection
            with STORAGE_SECONDS.labels(operation="write").time():
                await self._write_plan(db, plan)

    async def _write_plan(
        self, db: aiosqlite.Connection, plan: list[tuple[str, list[Record]]]
    ) -> None:
        params_of = self.codec.params_of
        async with schema.transaction(db):
            for statement, group in plan:
                await db.executemany(statement, [params_of(record) for record in group])

    async def newest_turn_text(self) -> str | None:
        """The most recently stored turn text, as stored (to check encryption keys at start)."""
        async with self._lock:
            rows = await self.connection.execute_fetchall(
                "SELECT text FROM turns ORDER BY seq DESC LIMIT 1"
            )
        return next((str(row[0]) for row in rows), None)

    async def ping(self) -> None:
        """One trivial statement; not counted as a read."""
        async with self._lock:
            await self.connection.execute_fetchall("SELECT 1")

    async def _fetch(
        self, operation: str, sql: str, params: Mapping[str, Any]
    ) -> list[sqlite3.Row]:
        """One statement, one round trip."""
        async with self._lock:
            self.reads += 1
            STORAGE_READS.inc()
            with STORAGE_SECONDS.labels(operation=operation).time():
                return list(await self.connection.execute_fetchall(sql, params))

    @staticmethod
    def _owner(key: UserKey) -> dict[str, Any]:
        return {"bot_id": key.bot_id, "user_id": key.user_id}

    async def load_context(
        self, key: UserKey, turn_limit: int, opening_limit: int = 0
    ) -> ConversationContext:
        params = {
            **self._owner(key),
            "limit": max(turn_limit, 0),
            "opening": max(opening_limit, 0),
            "results": CONTEXT_RESULTS,
        }
        (row,) = await self._fetch("load_context", queries.LOAD_CONTEXT, params)
        profile = session = None
        turns: list[Turn] = []
        opening: list[Turn] = []
        if row["profile"] is not None:
            profile = self.codec.profile_from(key, json.loads(row["profile"]))
        if row["session"] is not None:
            session = self.codec.session_from(key, json.loads(row["session"]))
            turns = self._turns_of(key, session.id, row["recent_turns"])
            opening = self._turns_of(key, session.id, row["opening_turns"])
        return ConversationContext(
            key=key,
            profile=profile,
            session=session,
            previous_summary=self.codec.summary(key, row["previous_summary"]),
            recent_turns=tuple(turns),
            opening_turns=tuple(opening),
            recent_results=tuple(
                sorted(
                    (
                        self.codec.result_from(key, item)
                        for item in json.loads(row["recent_results"])
                    ),
                    key=lambda result: result.created_at,
                    reverse=True,
                )
            ),
        )

    def _turns_of(self, key: UserKey, session_id: str, aggregated: str) -> list[Turn]:
        """Turns aggregated as JSON, in ``seq`` order (the aggregate need not keep it)."""
        rows = sorted(json.loads(aggregated), key=lambda turn: turn["seq"])
        return [self.codec.turn_from(key, session_id, turn) for turn in rows]

    async def session_turns(self, key: UserKey, session_id: str, limit: int) -> list[Turn]:
        params = {**self._owner(key), "session_id": session_id, "limit": max(limit, 0)}
        rows = await self._fetch("session_turns", queries.SESSION_TURNS, params)
        return [self.codec.turn_from(key, session_id, row) for row in reversed(rows)]

    async def recent_messages(self, key: UserKey, limit: int) -> list[Turn]:
        params = {**self._owner(key), "limit": max(limit, 0)}
        rows = await self._fetch("recent_messages", queries.RECENT_MESSAGES, params)
        return [self.codec.turn_from(key, row["session_id"], row) for row in reversed(rows)]

    async def sessions(self, key: UserKey, limit: int) -> list[Session]:
        params = {**self._owner(key), "limit": max(limit, 0)}
        rows = await self._fetch("sessions", queries.SESSIONS, params)
        return [self.codec.session_from(key, row) for row in rows]

    async def get_profile(self, key: UserKey) -> Profile | None:
        rows = await self._fetch("get_profile", queries.PROFILE, self._owner(key))
        return self.codec.profile_from(key, rows[0]) if rows else None

    async def moods(self, key: UserKey, limit: int) -> list[MoodEntry]:
        params = {**self._owner(key), "limit": max(limit, 0)}
        rows = await self._fetch("moods", queries.MOODS, params)
        return [self.codec.mood_from(key, row) for row in rows]

    async def questionnaire_results(
        self, key: UserKey, limit: int, instrument: str | None = None
    ) -> list[QuestionnaireResult]:
        params = {**self._owner(key), "limit": max(limit, 0), "instrument": instrument}
        rows = await self._fetch("questionnaire_results", queries.QUESTIONNAIRE_RESULTS, params)
        return [self.codec.result_from(key, row) for row in rows]

    async def portraits(self, key: UserKey, limit: int) -> list[Portrait]:
        params = {**self._owner(key), "limit": max(limit, 0)}
        rows = await self._fetch("portraits", queries.PORTRAITS, params)
        return [self.codec.portrait_from(key, row) for row in rows]

    async def feedback(self, key: UserKey, limit: int) -> list[Feedback]:
        params = {**self._owner(key), "limit": max(limit, 0)}
        rows = await self._fetch("feedback", queries.FEEDBACK, params)
        return [self.codec.feedback_from(key, row) for row in rows]

    async def export_user(self, key: UserKey) -> UserRecords:
        owner = self._owner(key)
        rows = {name: await self._fetch("export", sql, owner) for name, sql in
                queries.EXPORT_TABLES.items()}  # fmt: skip
        profile = await self.get_profile(key)
        codec = self.codec
        return UserRecords(
            key=key,
            profile=profile,
            sessions=tuple(codec.session_from(key, row) for row in rows["sessions"]),
            turns=tuple(codec.turn_from(key, row["session_id"], row) for row in rows["turns"]),
            moods=tuple(codec.mood_from(key, row) for row in rows["mood_entries"]),
            results=tuple(codec.result_from(key, row) for row in rows["questionnaire_results"]),
            portraits=tuple(codec.portrait_from(key, row) for row in rows["portraits"]),
            feedback=tuple(codec.feedback_from(key, row) for row in rows["feedback"]),
            reminder=next((reminder_from(key, row) for row in rows["reminders"]), None),
        )

    async def delete_user(self, key: UserKey) -> int:
        owner = self._owner(key)
        erased = 0
        async with self._lock:
            self.writes += 1
            STORAGE_WRITES.inc()
            db = self.connection
            async with schema.transaction(db):
                for table in queries.USER_TABLES:
                    cursor = await db.execute(
                        f"DELETE FROM {table} WHERE bot_id = :bot_id AND user_id = :user_id",  # noqa: S608 - table names are constants
                        owner,
                    )
                    erased += max(cursor.rowcount, 0)
        await self._checkpoint()  # the log must not keep what was just erased
        return erased

    async def count_user_rows(self, key: UserKey) -> dict[str, int]:
        """Rows per table that belong to ``key`` (for tests and operators' checks)."""
        counts = {}
        async with self._lock:
            for table in queries.USER_TABLES:
                rows = await self.connection.execute_fetchall(
                    f"SELECT count(*) FROM {table} WHERE bot_id = :bot_id AND user_id = :user_id",  # noqa: S608 - table names are constants
                    self._owner(key),
                )
                counts[table] = int(next(iter(rows))[0])
        return counts

    async def forget_summaries(self, key: UserKey) -> int:
        return await self._change(
            "UPDATE sessions SET summary = NULL, fold_summary = NULL"
            " WHERE bot_id = :bot_id AND user_id = :user_id"
            " AND (summary IS NOT NULL OR fold_summary IS NOT NULL)",
            key,
        )

    async def delete_results(self, key: UserKey) -> int:
        return await self._change(
            "DELETE FROM questionnaire_results WHERE bot_id = :bot_id AND user_id = :user_id",
            key,
        )

    async def _change(self, statement: str, key: UserKey) -> int:
        async with self._lock:
            self.writes += 1
            STORAGE_WRITES.inc()
            db = self.connection
            async with schema.transaction(db):
                cursor = await db.execute(statement, self._owner(key))
        await self._checkpoint()  # only erasures come here: leave no copy in the log
        return max(cursor.rowcount, 0)

    async def purge_turns_before(self, cutoff: datetime) -> int:
        async with self._lock:
            self.writes += 1
            STORAGE_WRITES.inc()
            db = self.connection
            async with schema.transaction(db):
                cursor = await db.execute(
                    "DELETE FROM turns WHERE created_at < ?", (moment_text(cutoff),)
                )
        await self._checkpoint()
        return max(cursor.rowcount, 0)
