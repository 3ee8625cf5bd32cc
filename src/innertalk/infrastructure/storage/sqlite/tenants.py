"""Tenants, their bots, API keys and person refs in SQLite, mixed into ``SqliteStorage``.

``tenant_bots.bot_id`` is the primary key, so a bot belongs to one tenant however many
operators add it at once; ``api_keys.digest`` is unique and indexed (the look-up of every
API request). Person refs are a person's record like any other: ``delete_user`` erases them.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from innertalk.application.operations.tenants import TenantBot
from innertalk.domain.tenants import ApiKey, Tenant, TenantSettings
from innertalk.domain.users import UserKey
from innertalk.infrastructure.observability.metrics import STORAGE_READS, STORAGE_WRITES
from innertalk.infrastructure.storage.sealing import FieldSeal
from innertalk.infrastructure.storage.sqlite import schema
from innertalk.infrastructure.storage.sqlite.values import moment_text, optional_moment
from innertalk.infrastructure.storage.tenant_rows import (
    TenantDirectoryRules,
    TenantSeal,
    implicit,
    scopes_from,
    scopes_text,
    with_default,
)
from innertalk.infrastructure.storage.timestamps import moment_from

_KEY_COLUMNS = "id, tenant, scopes, rate, created_at, revoked_at"
_UPSERT_SETTINGS = """
INSERT INTO tenants (name, created_at, settings) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET settings = excluded.settings
"""
# Takes the bot when free, replaces the token when the same tenant adds it again.
_ADD_BOT = """
INSERT INTO tenant_bots (bot_id, tenant, token, added_at) VALUES (?, ?, ?, ?)
ON CONFLICT (bot_id) DO UPDATE SET token = excluded.token WHERE tenant = excluded.tenant
"""


class SqliteTenantStore(TenantDirectoryRules):
    """``TenantRegistry`` and ``PersonRefs`` over ``SqliteStorage``'s connection and lock."""

    reads: int
    writes: int
    _lock: asyncio.Lock
    codec: Any

    @property
    def connection(self) -> aiosqlite.Connection:
        raise NotImplementedError

    @property
    def _tenant_seal(self) -> TenantSeal:
        return TenantSeal(self.codec.seal)

    async def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        async with self._lock:
            self.reads += 1
            STORAGE_READS.inc()
            return list(await self.connection.execute_fetchall(sql, params))

    async def _change_tenants(self, sql: str, params: tuple[Any, ...]) -> int:
        async with self._lock:
            self.writes += 1
            STORAGE_WRITES.inc()
            db = self.connection
            async with schema.transaction(db):
                cursor = await db.execute(sql, params)
        return max(cursor.rowcount, 0)

    def _tenant_from(self, row: sqlite3.Row) -> Tenant:
        name = row["name"]
        stored = row["settings"]
        settings = (
            TenantSettings()
            if stored is None
            else self._tenant_seal.settings_from(name, json.loads(stored))
        )
        return Tenant(name, moment_from(row["created_at"]), settings)

    async def add_tenant(self, tenant: Tenant) -> bool:
        added = await self._change_tenants(
            "INSERT INTO tenants (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (tenant.name, moment_text(tenant.created_at)),
        )
        return added == 1

    async def tenant(self, name: str) -> Tenant | None:
        rows = await self._read("SELECT * FROM tenants WHERE name = ?", (name,))
        return self._tenant_from(rows[0]) if rows else implicit(name)

    async def tenants(self) -> list[Tenant]:
        rows = await self._read("SELECT * FROM tenants")
        return with_default([self._tenant_from(row) for row in rows])

    async def save_settings(self, name: str, settings: TenantSettings, now: datetime) -> None:
        document = self._tenant_seal.settings_document(name, settings)
        await self._change_tenants(
            _UPSERT_SETTINGS, (name, moment_text(now), json.dumps(document, ensure_ascii=False))
        )

    async def add_bot(self, bot: TenantBot) -> str:
        token = self._tenant_seal.token(bot.bot_id, bot.token)
        await self._change_tenants(
            _ADD_BOT, (bot.bot_id, bot.tenant, token, moment_text(bot.added_at))
        )
        return await self.bot_owner(bot.bot_id) or bot.tenant

    async def bot_owner(self, bot_id: str) -> str | None:
        rows = await self._read("SELECT tenant FROM tenant_bots WHERE bot_id = ?", (bot_id,))
        return str(rows[0]["tenant"]) if rows else None

    async def bots(self, tenant: str | None = None) -> list[TenantBot]:
        rows = await self._read(
            "SELECT * FROM tenant_bots WHERE ?1 IS NULL OR tenant = ?1 ORDER BY tenant, added_at",
            (tenant,),
        )
        seal = self._tenant_seal
        return [
            TenantBot(
                row["tenant"],
                row["bot_id"],
                seal.open_token(row["bot_id"], row["token"]),
                moment_from(row["added_at"]),
            )
            for row in rows
        ]

    async def add_api_key(self, key: ApiKey, digest: str) -> None:
        await self._change_tenants(
            f"INSERT INTO api_keys ({_KEY_COLUMNS}, digest) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constants
            (key.id, key.tenant, scopes_text(key.scopes), key.rate,
             moment_text(key.created_at), None, digest),
        )  # fmt: skip

    async def api_keys(self, tenant: str | None = None) -> list[ApiKey]:
        rows = await self._read(
            f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE ?1 IS NULL OR tenant = ?1"  # noqa: S608
            " ORDER BY created_at, id",
            (tenant,),
        )
        return [_key_from(row) for row in rows]

    async def api_key_by_digest(self, digest: str) -> ApiKey | None:
        rows = await self._read(
            f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE digest = ?",  # noqa: S608 - constants
            (digest,),
        )
        return _key_from(rows[0]) if rows else None

    async def revoke_api_key(self, key_id: str, at: datetime) -> ApiKey | None:
        await self._change_tenants(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (moment_text(at), key_id),
        )
        rows = await self._read(
            f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE id = ?",  # noqa: S608 - constants
            (key_id,),
        )
        return _key_from(rows[0]) if rows else None

    async def remember(self, key: UserKey, ref: str) -> None:
        sealed = self._person_seal.text(ref, key, "person_ref")
        await self._change_tenants(
            "INSERT INTO person_refs (bot_id, user_id, ref) VALUES (?, ?, ?)"
            " ON CONFLICT (bot_id, user_id) DO UPDATE SET ref = excluded.ref",
            (key.bot_id, key.user_id, sealed),
        )

    async def ref_of(self, key: UserKey) -> str | None:
        rows = await self._read(
            "SELECT ref FROM person_refs WHERE bot_id = ? AND user_id = ?",
            (key.bot_id, key.user_id),
        )
        return self._person_seal.open_text(rows[0]["ref"], key, "person_ref") if rows else None

    async def forget(self, key: UserKey) -> None:
        await self._change_tenants(
            "DELETE FROM person_refs WHERE bot_id = ? AND user_id = ?", (key.bot_id, key.user_id)
        )

    @property
    def _person_seal(self) -> FieldSeal:
        seal: FieldSeal = self.codec.seal
        return seal


def _key_from(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        id=row["id"],
        tenant=row["tenant"],
        scopes=scopes_from(row["scopes"]),
        created_at=moment_from(row["created_at"]),
        rate=row["rate"],
        revoked_at=optional_moment(row["revoked_at"]),
    )
