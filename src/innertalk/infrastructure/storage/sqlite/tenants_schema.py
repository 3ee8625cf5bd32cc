"""Migration 7: tenants, their bots, API keys and person refs (issue 15, sqlite/tenants.py)."""

from __future__ import annotations

TENANTS_MIGRATION = (
    "CREATE TABLE tenants (name TEXT PRIMARY KEY, created_at TEXT NOT NULL, settings TEXT)",
    """
    CREATE TABLE tenant_bots (
        bot_id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        token TEXT NOT NULL,
        added_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX tenant_bots_by_tenant ON tenant_bots (tenant)",
    """
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        digest TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        rate TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    )
    """,
    "CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at)",
    # the partner's own id of an API person; sealed like a name (it may be an e-mail address)
    """
    CREATE TABLE person_refs (
        bot_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        ref TEXT NOT NULL,
        PRIMARY KEY (bot_id, user_id)
    )
    """,
)
