"""Operators and the audit log in SQLite, mixed into ``SqliteStorage``."""

from __future__ import annotations

import sqlite3
from typing import Any

from innertalk.domain.operators import AuditEntry, Operator
from innertalk.infrastructure.storage.operator_rows import OperatorSeal
from innertalk.infrastructure.storage.sqlite.values import moment_text
from innertalk.infrastructure.storage.timestamps import moment_from


class SqliteOperatorStore:
    """``OperatorStore`` and ``AuditLog`` over the tenant store's reads and writes."""

    codec: Any

    async def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        raise NotImplementedError

    async def _change_tenants(self, sql: str, params: tuple[Any, ...]) -> int:
        raise NotImplementedError

    @property
    def _operator_seal(self) -> OperatorSeal:
        return OperatorSeal(self.codec.seal)

    async def add_operator(self, operator: Operator) -> bool:
        added = await self._change_tenants(
            "INSERT INTO operators (name, tenant, password_hash, totp_secret, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (operator.name, operator.tenant, operator.password_hash,
             None if operator.totp_secret is None
             else self._operator_seal.totp(operator.name, operator.totp_secret),
             moment_text(operator.created_at)),
        )  # fmt: skip
        return added == 1

    async def operator(self, name: str) -> Operator | None:
        rows = await self._read("SELECT * FROM operators WHERE name = ?", (name,))
        return self._operator_from(rows[0]) if rows else None

    async def operators(self) -> list[Operator]:
        rows = await self._read("SELECT * FROM operators ORDER BY name")
        return [self._operator_from(row) for row in rows]

    async def remove_operator(self, name: str) -> bool:
        return await self._change_tenants("DELETE FROM operators WHERE name = ?", (name,)) == 1

    async def set_totp(self, name: str, secret: str) -> bool:
        sealed = self._operator_seal.totp(name, secret)
        changed = await self._change_tenants(
            "UPDATE operators SET totp_secret = ? WHERE name = ?", (sealed, name)
        )
        return changed == 1

    async def record(self, entry: AuditEntry) -> None:
        await self._change_tenants(
            "INSERT INTO audit_log (at, operator, tenant, action, address) VALUES (?, ?, ?, ?, ?)",
            (moment_text(entry.at), entry.operator, entry.tenant, entry.action, entry.address),
        )

    async def entries(self, tenant: str | None, limit: int) -> list[AuditEntry]:
        rows = await self._read(
            "SELECT * FROM audit_log WHERE ?1 IS NULL OR tenant = ?1 ORDER BY id DESC LIMIT ?2",
            (tenant, limit),
        )
        return [
            AuditEntry(
                moment_from(row["at"]), row["operator"], row["action"], row["address"],
                row["tenant"],
            )
            for row in rows
        ]  # fmt: skip

    def _operator_from(self, row: sqlite3.Row) -> Operator:
        return Operator(
            name=row["name"],
            tenant=row["tenant"],
            password_hash=row["password_hash"],
            created_at=moment_from(row["created_at"]),
            totp_secret=self._operator_seal.open_totp(row["name"], row["totp_secret"]),
        )
