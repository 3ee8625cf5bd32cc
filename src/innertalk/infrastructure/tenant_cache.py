"""``CachedTenantDirectory``: the tenant directory every API request reads, held in memory
for ``TTL`` seconds in front of the store.

A change made through this object (this process) clears what it cached at once. A change
made by another process (``innertalk apikey revoke`` on the command line) reaches this one
when the entry expires: a revoked key stops working within ``TTL`` seconds
(docs/operations.md, *Tenants and API keys*). Only keys that were found are cached; caching
misses would let a flood of made-up keys push the real ones out of the bounded cache.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cachetools import TTLCache

from innertalk.application.operations.api_keys import key_digest
from innertalk.application.operations.tenants import TenantBot, TenantRegistry
from innertalk.domain.tenants import DEFAULT_TENANT, ApiKey, Tenant, TenantSettings

TTL = 30.0
SIZE = 4096


class CachedTenantDirectory:
    """``TenantRegistry`` over ``store``, its reads cached; ``deployment_bot`` (the bot of
    ``TELEGRAM_BOT_TOKEN``) is one of the default tenant's realms without a row."""

    def __init__(
        self,
        store: TenantRegistry,
        *,
        timer: Callable[[], float],
        deployment_bot: str | None = None,
        ttl: float = TTL,
    ) -> None:
        self._store = store
        self._deployment_bot = deployment_bot
        self._tenants: TTLCache[str, Tenant | None] = TTLCache(SIZE, ttl, timer=timer)
        self._realms: TTLCache[str, Tenant | None] = TTLCache(SIZE, ttl, timer=timer)
        self._keys: TTLCache[str, ApiKey] = TTLCache(SIZE, ttl, timer=timer)

    def _invalidate(self) -> None:
        """Writes are rare (an operator's command): forgetting everything is simplest."""
        self._tenants.clear()
        self._realms.clear()
        self._keys.clear()

    async def tenant(self, name: str) -> Tenant | None:
        if name not in self._tenants:
            self._tenants[name] = await self._store.tenant(name)
        return self._tenants[name]

    async def tenant_of(self, realm: str) -> Tenant | None:
        if realm not in self._realms:
            self._realms[realm] = await self._store.tenant_of(realm)
        return self._realms[realm]

    async def realms(self, name: str) -> list[str]:
        realms = await self._store.realms(name)
        if name == DEFAULT_TENANT and self._deployment_bot and self._deployment_bot not in realms:
            realms.insert(0, self._deployment_bot)
        return realms

    async def authenticate(self, secret: str) -> ApiKey | None:
        digest = key_digest(secret)
        cached = self._keys.get(digest)
        if cached is not None:
            return cached
        key = await self._store.authenticate(secret)
        if key is not None:
            self._keys[digest] = key
        return key

    async def add_tenant(self, tenant: Tenant) -> bool:
        self._invalidate()
        return await self._store.add_tenant(tenant)

    async def tenants(self) -> list[Tenant]:
        return await self._store.tenants()

    async def save_settings(self, name: str, settings: TenantSettings, now: datetime) -> None:
        self._invalidate()
        await self._store.save_settings(name, settings, now)

    async def add_bot(self, bot: TenantBot) -> str:
        self._invalidate()
        return await self._store.add_bot(bot)

    async def bots(self, tenant: str | None = None) -> list[TenantBot]:
        return await self._store.bots(tenant)

    async def add_api_key(self, key: ApiKey, digest: str) -> None:
        await self._store.add_api_key(key, digest)  # a new key was never cached

    async def api_keys(self, tenant: str | None = None) -> list[ApiKey]:
        return await self._store.api_keys(tenant)

    async def api_key_by_digest(self, digest: str) -> ApiKey | None:
        return await self._store.api_key_by_digest(digest)

    async def revoke_api_key(self, key_id: str, at: datetime) -> ApiKey | None:
        self._invalidate()
        return await self._store.revoke_api_key(key_id, at)
