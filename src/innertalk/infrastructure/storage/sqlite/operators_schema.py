"""Migration 10: operators of the web panel and its audit log (issue 16, sqlite/operators.py)."""

from __future__ import annotations

OPERATORS_MIGRATION = (
    # tenant NULL: an operator of every tenant; totp_secret sealed with ENCRYPTION_KEY
    """
    CREATE TABLE operators (
        name TEXT PRIMARY KEY,
        tenant TEXT,
        password_hash TEXT NOT NULL,
        totp_secret TEXT,
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        tenant TEXT,
        action TEXT NOT NULL,
        address TEXT NOT NULL
    )
    """,
    "CREATE INDEX audit_log_by_tenant ON audit_log (tenant, id)",
)
