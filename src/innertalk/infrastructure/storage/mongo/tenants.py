"""Tenants, their bots, API keys and person refs in MongoDB, mixed into ``MongoStorage``.

A bot's ``_id`` is its id, so a bot belongs to one tenant however many operators add it at
once (the second insert fails on the key); ``api_keys.digest`` has a unique index (the
look-up of every API request). Person refs carry their owner like every personal document,
so ``delete_user`` erases them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pymongo
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from innertalk.application.operations.tenants import TenantBot
from innertalk.domain.tenants import ApiKey, Tenant, TenantSettings
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.mongo.values import (
    Document,
    moment_from,
    moment_text,
    owner,
)
from innertalk.infrastructure.storage.sealing import FieldSeal
from innertalk.infrastructure.storage.tenant_rows import (
    TenantDirectoryRules,
    TenantSeal,
    implicit,
    scopes_from,
    scopes_text,
    with_default,
)

TENANTS = "tenants"
TENANT_BOTS = "tenant_bots"
API_KEYS = "api_keys"
PERSON_REFS = "person_refs"
TENANT_COLLECTIONS = (TENANTS, TENANT_BOTS, API_KEYS)
"""Collections of the tenant directory: none holds a person's documents."""

_KEYS_IN_ORDER = [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]


class MongoTenantStore(TenantDirectoryRules):
    """``TenantRegistry`` and ``PersonRefs`` over ``MongoStorage``'s database."""

    _db: AsyncDatabase[Document]
    reads: int
    writes: int
    codec: Any

    @property
    def _tenant_seal(self) -> TenantSeal:
        return TenantSeal(self.codec.seal)

    def _tenant_from(self, doc: Document) -> Tenant:
        stored = doc.get("settings")
        settings = (
            TenantSettings()
            if stored is None
            else self._tenant_seal.settings_from(doc["_id"], stored)
        )
        return Tenant(doc["_id"], moment_from(doc["created_at"]), settings)

    async def add_tenant(self, tenant: Tenant) -> bool:
        self.writes += 1
        document = {"_id": tenant.name, "created_at": moment_text(tenant.created_at)}
        try:
            await self._db[TENANTS].insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def tenant(self, name: str) -> Tenant | None:
        self.reads += 1
        doc = await self._db[TENANTS].find_one({"_id": name})
        return implicit(name) if doc is None else self._tenant_from(doc)

    async def tenants(self) -> list[Tenant]:
        self.reads += 1
        docs = await self._db[TENANTS].find({}).to_list()
        return with_default([self._tenant_from(doc) for doc in docs])

    async def save_settings(self, name: str, settings: TenantSettings, now: datetime) -> None:
        self.writes += 1
        document = self._tenant_seal.settings_document(name, settings)
        await self._db[TENANTS].update_one(
            {"_id": name},
            {"$set": {"settings": document}, "$setOnInsert": {"created_at": moment_text(now)}},
            upsert=True,
        )

    async def add_bot(self, bot: TenantBot) -> str:
        self.writes += 1
        token = self._tenant_seal.token(bot.bot_id, bot.token)
        document = {
            "_id": bot.bot_id,
            "tenant": bot.tenant,
            "token": token,
            "added_at": moment_text(bot.added_at),
        }
        try:
            await self._db[TENANT_BOTS].insert_one(document)
        except DuplicateKeyError:  # taken: only its own tenant may replace the token
            query = {"_id": bot.bot_id, "tenant": bot.tenant}
            await self._db[TENANT_BOTS].update_one(query, {"$set": {"token": token}})
        return await self.bot_owner(bot.bot_id) or bot.tenant

    async def bot_owner(self, bot_id: str) -> str | None:
        self.reads += 1
        doc = await self._db[TENANT_BOTS].find_one({"_id": bot_id}, {"tenant": 1})
        return None if doc is None else str(doc["tenant"])

    async def bots(self, tenant: str | None = None) -> list[TenantBot]:
        self.reads += 1
        query = {} if tenant is None else {"tenant": tenant}
        order = [("tenant", pymongo.ASCENDING), ("added_at", pymongo.ASCENDING)]
        docs = await self._db[TENANT_BOTS].find(query, sort=order).to_list()
        seal = self._tenant_seal
        return [
            TenantBot(
                doc["tenant"],
                doc["_id"],
                seal.open_token(doc["_id"], doc["token"]),
                moment_from(doc["added_at"]),
            )
            for doc in docs
        ]

    async def add_api_key(self, key: ApiKey, digest: str) -> None:
        self.writes += 1
        await self._db[API_KEYS].insert_one(
            {
                "_id": key.id,
                "tenant": key.tenant,
                "digest": digest,
                "scopes": scopes_text(key.scopes),
                "rate": key.rate,
                "created_at": moment_text(key.created_at),
                "revoked_at": None,
            }
        )

    async def api_keys(self, tenant: str | None = None) -> list[ApiKey]:
        self.reads += 1
        query = {} if tenant is None else {"tenant": tenant}
        docs = await self._db[API_KEYS].find(query, sort=_KEYS_IN_ORDER).to_list()
        return [_key_from(doc) for doc in docs]

    async def api_key_by_digest(self, digest: str) -> ApiKey | None:
        self.reads += 1
        doc = await self._db[API_KEYS].find_one({"digest": digest})
        return None if doc is None else _key_from(doc)

    async def revoke_api_key(self, key_id: str, at: datetime) -> ApiKey | None:
        self.writes += 1
        query = {"_id": key_id, "revoked_at": None}
        await self._db[API_KEYS].update_one(query, {"$set": {"revoked_at": moment_text(at)}})
        doc = await self._db[API_KEYS].find_one({"_id": key_id})
        return None if doc is None else _key_from(doc)

    async def remember(self, key: UserKey, ref: str) -> None:
        self.writes += 1
        sealed = self._person_seal.text(ref, key, "person_ref")
        await self._db[PERSON_REFS].update_one(
            {"_id": owner(key)}, {"$set": {**owner(key), "ref": sealed}}, upsert=True
        )

    async def ref_of(self, key: UserKey) -> str | None:
        self.reads += 1
        doc = await self._db[PERSON_REFS].find_one({"_id": owner(key)})
        return None if doc is None else self._person_seal.open_text(doc["ref"], key, "person_ref")

    async def forget(self, key: UserKey) -> None:
        self.writes += 1
        await self._db[PERSON_REFS].delete_one({"_id": owner(key)})

    @property
    def _person_seal(self) -> FieldSeal:
        seal: FieldSeal = self.codec.seal
        return seal


def _key_from(doc: Document) -> ApiKey:
    revoked = doc.get("revoked_at")
    return ApiKey(
        id=doc["_id"],
        tenant=doc["tenant"],
        scopes=scopes_from(doc["scopes"]),
        created_at=moment_from(doc["created_at"]),
        rate=doc["rate"],
        revoked_at=None if revoked is None else moment_from(revoked),
    )
