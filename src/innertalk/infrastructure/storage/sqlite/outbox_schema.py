"""SQLite migration 6: the crisis-webhook outbox (``sqlite/webhook_outbox.py``).

Kept apart from ``sqlite.webhook_outbox`` so ``sqlite.schema`` can list it without a cycle.
"""

from __future__ import annotations

OUTBOX_MIGRATION: tuple[str, ...] = (
    # One row per crisis event until its tenant's webhook answered 2xx (then deleted), or it
    # was given up on (``died_at`` set: kept for operators). ``body`` is the JSON sent (sealed
    # with ENCRYPTION_KEY when set); ``claim``/``leased_until`` are the delivering worker's
    # lease. Moments are fixed-width UTC text (''  sorts before any moment: never leased).
    """
    CREATE TABLE webhook_outbox (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        due_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        claim TEXT NOT NULL DEFAULT '',
        leased_until TEXT NOT NULL DEFAULT '',
        last_error TEXT NOT NULL DEFAULT '',
        died_at TEXT
    )
    """,
    "CREATE INDEX webhook_outbox_due ON webhook_outbox (due_at) WHERE died_at IS NULL",
    "CREATE INDEX webhook_outbox_dead ON webhook_outbox (died_at) WHERE died_at IS NOT NULL",
)
