"""SQLite migration 4: room for sealed values, and the marker that says data is sealed.

- ``mood_entries.score`` loses its ``CHECK (score BETWEEN 1 AND 10)``: with ``ENCRYPTION_KEY``
  it holds ciphertext (the domain still checks the range before anything is stored).
- ``at_rest`` holds one row once a key is in use: a known text sealed with it, so start-up can
  tell in one read whether the data is encrypted and whether the configured keys open it.

Kept apart from ``sqlite.schema`` (as the inbox's migration is) so each issue's part lands in
its own file.
"""

from __future__ import annotations

SEALING_MIGRATION: tuple[str, ...] = (
    """
    CREATE TABLE mood_entries_sealed (
        id TEXT PRIMARY KEY,
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        score NOT NULL,
        tags TEXT NOT NULL,
        note TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    """
    INSERT INTO mood_entries_sealed (id, bot_id, user_id, score, tags, note, created_at)
    SELECT id, bot_id, user_id, score, tags, note, created_at FROM mood_entries ORDER BY rowid
    """,
    "DROP TABLE mood_entries",
    "ALTER TABLE mood_entries_sealed RENAME TO mood_entries",
    "CREATE INDEX mood_entries_by_user ON mood_entries (bot_id, user_id, created_at)",
    """
    CREATE TABLE at_rest (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        probe TEXT NOT NULL
    )
    """,
)
