"""SQLite migration 9: mailing jobs (``sqlite/mailing_jobs.py``, issue 16).

Kept apart from ``sqlite.mailing_jobs`` so ``sqlite.schema`` can list it without a cycle.
"""

from __future__ import annotations

MAILING_MIGRATION: tuple[str, ...] = (
    # One row per mailing, kept after it finished (the panel's history). ``text`` is the
    # Telegram HTML sent (sealed with ENCRYPTION_KEY when set); ``cursor`` is the last user id
    # handled, so a resumed job never sends twice; ``claim``/``leased_until`` are the sending
    # worker's lease. Moments are fixed-width UTC text ('' sorts before any moment).
    """
    CREATE TABLE mailing_jobs (
        id TEXT PRIMARY KEY,
        bot_id TEXT NOT NULL,
        segment TEXT NOT NULL,
        text TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        total INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        unreachable INTEGER NOT NULL DEFAULT 0,
        cursor INTEGER NOT NULL DEFAULT -1,
        started_at TEXT,
        finished_at TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        claim TEXT NOT NULL DEFAULT '',
        leased_until TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX mailing_jobs_by_bot ON mailing_jobs (bot_id, created_at)",
    "CREATE INDEX mailing_jobs_open ON mailing_jobs (created_at) "
    "WHERE state IN ('pending', 'sending')",
)
