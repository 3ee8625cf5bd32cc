"""Operators and the audit log in MongoDB, mixed into ``MongoStorage``."""

from __future__ import annotations

from typing import Any

import pymongo
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from innertalk.domain.operators import AuditEntry, Operator
from innertalk.infrastructure.storage.mongo.values import Document, moment_from, moment_text
from innertalk.infrastructure.storage.operator_rows import OperatorSeal

OPERATORS = "operators"
AUDIT_LOG = "audit_log"
OPERATOR_COLLECTIONS = (OPERATORS, AUDIT_LOG)
"""Collections of the panel's operators: none holds a person's documents."""
_NEWEST_FIRST = [("at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]


class MongoOperatorStore:
    """``OperatorStore`` and ``AuditLog`` over ``MongoStorage``'s database."""

    _db: AsyncDatabase[Document]
    reads: int
    writes: int
    codec: Any

    @property
    def _operator_seal(self) -> OperatorSeal:
        return OperatorSeal(self.codec.seal)

    async def add_operator(self, operator: Operator) -> bool:
        self.writes += 1
        secret = operator.totp_secret
        document = {
            "_id": operator.name,
            "tenant": operator.tenant,
            "password_hash": operator.password_hash,
            "totp_secret": None
            if secret is None
            else self._operator_seal.totp(operator.name, secret),
            "created_at": moment_text(operator.created_at),
        }
        try:
            await self._db[OPERATORS].insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def operator(self, name: str) -> Operator | None:
        self.reads += 1
        doc = await self._db[OPERATORS].find_one({"_id": name})
        return None if doc is None else self._operator_from(doc)

    async def operators(self) -> list[Operator]:
        self.reads += 1
        docs = await self._db[OPERATORS].find({}, sort=[("_id", pymongo.ASCENDING)]).to_list()
        return [self._operator_from(doc) for doc in docs]

    async def remove_operator(self, name: str) -> bool:
        self.writes += 1
        result = await self._db[OPERATORS].delete_one({"_id": name})
        return result.deleted_count == 1

    async def set_totp(self, name: str, secret: str) -> bool:
        self.writes += 1
        sealed = self._operator_seal.totp(name, secret)
        result = await self._db[OPERATORS].update_one(
            {"_id": name}, {"$set": {"totp_secret": sealed}}
        )
        return result.matched_count == 1

    async def record(self, entry: AuditEntry) -> None:
        self.writes += 1
        await self._db[AUDIT_LOG].insert_one(
            {
                "at": moment_text(entry.at),
                "operator": entry.operator,
                "tenant": entry.tenant,
                "action": entry.action,
                "address": entry.address,
            }
        )

    async def entries(self, tenant: str | None, limit: int) -> list[AuditEntry]:
        self.reads += 1
        query = {} if tenant is None else {"tenant": tenant}
        docs = await self._db[AUDIT_LOG].find(query, sort=_NEWEST_FIRST, limit=limit).to_list()
        return [
            AuditEntry(
                moment_from(doc["at"]), doc["operator"], doc["action"], doc["address"],
                doc.get("tenant"),
            )
            for doc in docs
        ]  # fmt: skip

    def _operator_from(self, doc: Document) -> Operator:
        return Operator(
            name=doc["_id"],
            tenant=doc.get("tenant"),
            password_hash=doc["password_hash"],
            created_at=moment_from(doc["created_at"]),
            totp_secret=self._operator_seal.open_totp(doc["_id"], doc.get("totp_secret")),
        )
