"""An in-process tenant directory for tests of what reads it (the API, crisis webhooks): the
``TenantRegistry`` and ``PersonRefs`` ports over dicts, plus ``given_*`` shortcuts.

It follows the stores' rules (``tests/contract/test_tenants_contract.py`` holds them to it):
the default tenant always exists, owns every bot no tenant claimed, and a revoked key does
not authenticate.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from innertalk.application.operations.api_keys import (
    ALL_SCOPES,
    DEFAULT_RATE,
    KEY_PREFIX,
    key_digest,
)
from innertalk.application.operations.tenants import TenantBot
from innertalk.domain.tenants import (
    DEFAULT_TENANT,
    ApiKey,
    Scope,
    Tenant,
    TenantSettings,
    api_realm,
    realm_tenant,
)
from innertalk.domain.users import UserKey

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class InProcessTenants:
    """``TenantRegistry`` + ``PersonRefs``; ``reads`` counts directory look-ups."""

    def __init__(self) -> None:
        self.reads = 0
        self._tenants: dict[str, Tenant] = {DEFAULT_TENANT: Tenant(DEFAULT_TENANT, EPOCH)}
        self._bots: dict[str, TenantBot] = {}
        self._keys: dict[str, tuple[ApiKey, str]] = {}
        self.refs: dict[UserKey, str] = {}

    async def given_tenant(self, name: str, settings: TenantSettings | None = None) -> Tenant:
        tenant = Tenant(name, AT, settings or TenantSettings())
        self._tenants[name] = tenant
        return tenant

    async def given_key(
        self,
        tenant: str,
        scopes: frozenset[Scope] = ALL_SCOPES,
        *,
        key_id: str | None = None,
        rate: str = DEFAULT_RATE,
    ) -> str:
        """A live key of ``tenant``; returns the secret an API client would send."""
        key_id = key_id or f"{len(self._keys):012x}"
        secret = f"{KEY_PREFIX}{key_id}_{'s' * 43}"
        await self.add_api_key(ApiKey(key_id, tenant, scopes, AT, rate=rate), key_digest(secret))
        return secret

    # TenantDirectory
    async def tenant(self, name: str) -> Tenant | None:
        self.reads += 1
        return self._tenants.get(name)

    async def tenant_of(self, realm: str) -> Tenant | None:
        name = realm_tenant(realm)
        if name is None:
            bot = self._bots.get(realm)
            name = DEFAULT_TENANT if bot is None else bot.tenant
        return await self.tenant(name)

    async def realms(self, name: str) -> list[str]:
        if name not in self._tenants:
            return []
        return [bot.bot_id for bot in await self.bots(name)] + [api_realm(name)]

    async def authenticate(self, secret: str) -> ApiKey | None:
        key = await self.api_key_by_digest(key_digest(secret))
        return key if key is not None and key.revoked_at is None else None

    # TenantRegistry
    async def add_tenant(self, tenant: Tenant) -> bool:
        if tenant.name in self._tenants:
            return False
        self._tenants[tenant.name] = tenant
        return True

    async def tenants(self) -> list[Tenant]:
        return [self._tenants[name] for name in sorted(self._tenants)]

    async def save_settings(self, name: str, settings: TenantSettings, now: datetime) -> None:
        current = self._tenants.get(name) or Tenant(name, now)
        self._tenants[name] = replace(current, settings=settings)

    async def add_bot(self, bot: TenantBot) -> str:
        current = self._bots.setdefault(bot.bot_id, bot)
        if current.tenant == bot.tenant:
            self._bots[bot.bot_id] = replace(current, token=bot.token)
        return current.tenant

    async def bots(self, tenant: str | None = None) -> list[TenantBot]:
        return [bot for bot in self._bots.values() if tenant in (None, bot.tenant)]

    async def add_api_key(self, key: ApiKey, digest: str) -> None:
        self._keys[key.id] = (key, digest)

    async def api_keys(self, tenant: str | None = None) -> list[ApiKey]:
        return [key for key, _ in self._keys.values() if tenant in (None, key.tenant)]

    async def api_key_by_digest(self, digest: str) -> ApiKey | None:
        self.reads += 1
        return next((key for key, stored in self._keys.values() if stored == digest), None)

    async def revoke_api_key(self, key_id: str, at: datetime) -> ApiKey | None:
        if key_id not in self._keys:
            return None
        key, digest = self._keys[key_id]
        key = key if key.revoked_at is not None else replace(key, revoked_at=at)
        self._keys[key_id] = (key, digest)
        return key

    # PersonRefs
    async def remember(self, key: UserKey, ref: str) -> None:
        self.refs[key] = ref

    async def ref_of(self, key: UserKey) -> str | None:
        return self.refs.get(key)

    async def forget(self, key: UserKey) -> None:
        self.refs.pop(key, None)
