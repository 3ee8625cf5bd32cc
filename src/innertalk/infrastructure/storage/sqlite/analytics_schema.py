"""Migration 8: crisis signals as counts (issue 16, sqlite/analytics.py).

Realm, category, severity and time only: no person, no words, so nothing here is personal
and an erasure has nothing to remove.
"""

from __future__ import annotations

ANALYTICS_MIGRATION = (
    """
    CREATE TABLE crisis_signals (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        bot_id TEXT NOT NULL,
        category TEXT NOT NULL,
        severity TEXT NOT NULL,
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX crisis_signals_by_realm ON crisis_signals (bot_id, at)",
    "CREATE INDEX profiles_by_start ON profiles (bot_id, created_at)",
)
