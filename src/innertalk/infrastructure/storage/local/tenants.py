"""Tenants, their bots, API keys and person refs in this process, mixed into
``LocalStorage`` (the records are frozen, so they are kept as they are)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from innertalk.application.operations.tenants import TenantBot
from innertalk.domain.tenants import ApiKey, Tenant, TenantSettings
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.tenant_rows import (
    TenantDirectoryRules,
    implicit,
    with_default,
)


class LocalTenantStore(TenantDirectoryRules):
    """``TenantRegistry`` and ``PersonRefs`` over dicts; ``reads``/``writes`` count calls."""

    reads: int
    writes: int

    def __init__(self) -> None:
        super().__init__()
        self._tenants: dict[str, Tenant] = {}
        self._bots: dict[str, TenantBot] = {}
        self._keys: dict[str, tuple[ApiKey, str]] = {}
        self._refs: dict[UserKey, str] = {}

    def _remove_ref(self, key: UserKey) -> int:
        return int(self._refs.pop(key, None) is not None)

    async def add_tenant(self, tenant: Tenant) -> bool:
        self.writes += 1
        if tenant.name in self._tenants:
            return False
        self._tenants[tenant.name] = tenant
        return True

    async def tenant(self, name: str) -> Tenant | None:
        self.reads += 1
        return self._tenants.get(name) or implicit(name)

    async def tenants(self) -> list[Tenant]:
        self.reads += 1
        return with_default(list(self._tenants.values()))

    async def save_settings(self, name: str, settings: TenantSettings, now: datetime) -> None:
        self.writes += 1
        current = self._tenants.get(name) or Tenant(name, now)
        self._tenants[name] = replace(current, settings=settings)

    async def add_bot(self, bot: TenantBot) -> str:
        self.writes += 1
        current = self._bots.get(bot.bot_id)
        if current is None:
            self._bots[bot.bot_id] = bot
        elif current.tenant == bot.tenant:
            self._bots[bot.bot_id] = replace(current, token=bot.token)
        return self._bots[bot.bot_id].tenant

    async def bot_owner(self, bot_id: str) -> str | None:
        self.reads += 1
        bot = self._bots.get(bot_id)
        return None if bot is None else bot.tenant

    async def bots(self, tenant: str | None = None) -> list[TenantBot]:
        self.reads += 1
        found = [bot for bot in self._bots.values() if tenant in (None, bot.tenant)]
        return sorted(found, key=lambda bot: (bot.tenant, bot.added_at))

    async def add_api_key(self, key: ApiKey, digest: str) -> None:
        self.writes += 1
        self._keys[key.id] = (key, digest)

    async def api_keys(self, tenant: str | None = None) -> list[ApiKey]:
        self.reads += 1
        found = [key for key, _ in self._keys.values() if tenant in (None, key.tenant)]
        return sorted(found, key=lambda key: (key.created_at, key.id))

    async def api_key_by_digest(self, digest: str) -> ApiKey | None:
        self.reads += 1
        return next((key for key, stored in self._keys.values() if stored == digest), None)

    async def revoke_api_key(self, key_id: str, at: datetime) -> ApiKey | None:
        self.writes += 1
        if key_id not in self._keys:
            return None
        key, digest = self._keys[key_id]
        if key.revoked_at is None:
            key = replace(key, revoked_at=at)
            self._keys[key_id] = (key, digest)
        return key

    async def remember(self, key: UserKey, ref: str) -> None:
        self.writes += 1
        self._refs[key] = ref

    async def ref_of(self, key: UserKey) -> str | None:
        self.reads += 1
        return self._refs.get(key)

    async def forget(self, key: UserKey) -> None:
        self.writes += 1
        self._refs.pop(key, None)
