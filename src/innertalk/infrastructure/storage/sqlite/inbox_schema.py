"""SQLite migration 3: the durable update inbox (``sqlite/inbox.py``).

Kept apart from ``sqlite.inbox`` so ``sqlite.schema`` can list it without an import cycle.
"""

from __future__ import annotations

INBOX_MIGRATION: tuple[str, ...] = (
    # One row per accepted Telegram update until its reply is sent and its records stored.
    # ``payload`` is the update's JSON (sealed with ENCRYPTION_KEY when set); ``answered`` is
    # set right after the reply went out, so a replay after a crash does not answer again.
    """
    CREATE TABLE update_inbox (
        bot_id TEXT NOT NULL,
        update_id INTEGER NOT NULL,
        payload TEXT NOT NULL,
        filed_at TEXT NOT NULL,
        answered INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (bot_id, update_id)
    )
    """,
)
