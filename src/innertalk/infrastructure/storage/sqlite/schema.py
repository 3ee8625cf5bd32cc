"""The SQLite schema as numbered migrations, the connection pragmas, and transactions.

A migration is applied at most once: its number is recorded in ``schema_version`` in the
same transaction as its statements, so a crash leaves either all of it or none.
Datetimes are ISO-8601 UTC text of one fixed width, so text order is time order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
import structlog

from innertalk.infrastructure.storage.sqlite.analytics_schema import ANALYTICS_MIGRATION
from innertalk.infrastructure.storage.sqlite.inbox_schema import INBOX_MIGRATION
from innertalk.infrastructure.storage.sqlite.mailing_schema import MAILING_MIGRATION
from innertalk.infrastructure.storage.sqlite.operators_schema import OPERATORS_MIGRATION
from innertalk.infrastructure.storage.sqlite.outbox_schema import OUTBOX_MIGRATION
from innertalk.infrastructure.storage.sqlite.sealing_schema import SEALING_MIGRATION
from innertalk.infrastructure.storage.sqlite.tenants_schema import TENANTS_MIGRATION

log = structlog.get_logger(__name__)

PRAGMAS = (
    # first: switching the journal mode waits for another process's lock only after this
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    # erased rows are overwritten with zeros, not left in free pages (issue 12)
    "PRAGMA secure_delete = ON",
)

_CREATE_SCHEMA_VERSION = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""

_INITIAL = (
    """
    CREATE TABLE profiles (
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        last_active_at TEXT NOT NULL,
        display_name TEXT NOT NULL,
        language TEXT NOT NULL,
        style TEXT NOT NULL,
        timezone TEXT NOT NULL,
        consent_at TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        blocked INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (bot_id, user_id)
    )
    """,
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        summary TEXT,
        tokens_used INTEGER NOT NULL DEFAULT 0,
        safety INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX sessions_by_user ON sessions (bot_id, user_id, started_at)",
    # seq keeps turns in the order they were written, even with equal timestamps.
    """
    CREATE TABLE turns (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        role TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        provider TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        variant TEXT NOT NULL DEFAULT '',
        latency_ms INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX turns_by_session ON turns (bot_id, user_id, session_id, seq)",
    "CREATE INDEX turns_by_age ON turns (created_at)",
    "CREATE INDEX turns_by_user ON turns (bot_id, user_id, role, seq)",
    """
    CREATE TABLE mood_entries (
        id TEXT PRIMARY KEY,
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 10),
        tags TEXT NOT NULL,
        note TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX mood_entries_by_user ON mood_entries (bot_id, user_id, created_at)",
    """
    CREATE TABLE questionnaire_results (
        id TEXT PRIMARY KEY,
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        instrument TEXT NOT NULL,
        score INTEGER NOT NULL,
        severity TEXT NOT NULL,
        answers TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE INDEX questionnaire_results_by_user
        ON questionnaire_results (bot_id, user_id, created_at)
    """,
    """
    CREATE TABLE portraits (
        id TEXT PRIMARY KEY,
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX portraits_by_user ON portraits (bot_id, user_id, created_at)",
    """
    CREATE TABLE feedback (
        id TEXT PRIMARY KEY,
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        turn_id TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX feedback_by_user ON feedback (bot_id, user_id, created_at)",
    # Conversation-screen state (aiogram FSM): what a questionnaire or a dialog has reached,
    # kept so that it resumes after a restart. One row per FSM key.
    """
    CREATE TABLE fsm_states (
        storage_key TEXT PRIMARY KEY,
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        state TEXT,
        data TEXT NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX fsm_states_by_user ON fsm_states (bot_id, user_id)",
    "CREATE INDEX feedback_by_turn ON feedback (turn_id)",
    # One row per person; times of day are local "HH:MM", moments UTC text.
    """
    CREATE TABLE reminders (
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        remind_at TEXT NOT NULL,
        quiet_start TEXT,
        quiet_end TEXT,
        timezone TEXT NOT NULL,
        snoozed_until TEXT,
        next_due_at TEXT,
        last_sent_at TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (bot_id, user_id)
    )
    """,
    # The dispatcher's query across every person: due first, only enabled rows indexed.
    """
    CREATE INDEX reminders_due ON reminders (next_due_at, bot_id, user_id)
        WHERE enabled = 1
    """,
)

# Migration 2 is reserved for the write-behind's dead letters (issue 12, storage port);
# encryption-in-codecs migrations take 3 and up.
# Migration 3 is taken by the durable update inbox (issue 12, inbox: sqlite/inbox.py), so
# encryption-in-codecs migrations start at 4.
_DEAD_LETTERS = (
    # Records the write-behind queue gave up on: ids, kind and the error class only, never
    # content (docs/operations.md, *Dead letters*).
    """
    CREATE TABLE dead_letters (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        record_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        error TEXT NOT NULL,
        failed_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX dead_letters_by_user ON dead_letters (bot_id, user_id)",
)

_FOLDING = (
    # A session's fold point and rolling summary (sealed like ``summary``): the prompt's
    # stable prefix survives a restart (issue 17, domain/folding.py).
    "ALTER TABLE sessions ADD COLUMN folded_through TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE sessions ADD COLUMN fold_summary TEXT",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _INITIAL,
    _DEAD_LETTERS,
    INBOX_MIGRATION,
    SEALING_MIGRATION,
    _FOLDING,
    OUTBOX_MIGRATION,
    TENANTS_MIGRATION,
    ANALYTICS_MIGRATION,
    MAILING_MIGRATION,
    OPERATORS_MIGRATION,
)
"""Migration ``n`` is ``MIGRATIONS[n - 1]``. Append only: never edit an applied one."""


@asynccontextmanager
async def transaction(db: aiosqlite.Connection) -> AsyncIterator[None]:
    """One write transaction; rolled back (and the error re-raised) if anything fails.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so another process waits for
    ``busy_timeout`` at the start instead of failing halfway through.
    """
    await db.execute("BEGIN IMMEDIATE")
    try:
        yield
        await db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            await db.execute("ROLLBACK")
        raise


async def applied_versions(db: aiosqlite.Connection) -> set[int]:
    rows = await db.execute_fetchall("SELECT version FROM schema_version")
    return {int(row[0]) for row in rows}


async def migrate(db: aiosqlite.Connection) -> None:
    """Apply every migration not yet recorded, each in its own transaction."""
    await db.execute(_CREATE_SCHEMA_VERSION)
    pending = set(range(1, len(MIGRATIONS) + 1)) - await applied_versions(db)
    for version in sorted(pending):
        async with transaction(db):
            # Another process may have applied it since we looked.
            if version in await applied_versions(db):
                continue
            for statement in MIGRATIONS[version - 1]:
                await db.execute(statement)
            await db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        log.info("storage.migrated", backend="sqlite", version=version)
