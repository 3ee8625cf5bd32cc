"""What the three tenant stores share: settings to and from stored JSON with the secrets
sealed, and the directory rules written once over each store's few primitive reads.

Sealed at rest (with ``ENCRYPTION_KEY``): provider keys, the crisis webhook secret and bot
tokens, each bound to its tenant (bot) and field, so a value copied elsewhere does not open.
Names, limits, URLs and key hashes stay plain: the look-ups need them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from innertalk.application.operations.api_keys import KEY_PREFIX, key_digest
from innertalk.application.operations.tenants import TenantBot
from innertalk.domain.tenants import (
    DEFAULT_TENANT,
    ApiKey,
    CrisisWebhook,
    Scope,
    Tenant,
    TenantSettings,
    api_realm,
    realm_tenant,
)
from innertalk.domain.users import Language
from innertalk.infrastructure.storage.sealing import FieldSeal, is_sealed

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""``created_at`` of the default tenant before anything about it was saved."""

_PLAIN_FIELDS = (
    "persona",
    "hotline_country",
    "sessions_per_day",
    "rate",
    "daily_tokens",
    "session_tokens",
)


def implicit(name: str) -> Tenant | None:
    """The tenant ``name`` is without a stored row: the default one, or none."""
    return Tenant(DEFAULT_TENANT, EPOCH) if name == DEFAULT_TENANT else None


def with_default(tenants: list[Tenant]) -> list[Tenant]:
    """``tenants`` by name, the default one added when it has no row."""
    named = {tenant.name: tenant for tenant in tenants}
    named.setdefault(DEFAULT_TENANT, Tenant(DEFAULT_TENANT, EPOCH))
    return [named[name] for name in sorted(named)]


class TenantSeal:
    """Seals a tenant's secrets with the at-rest cipher (plain without one)."""

    def __init__(self, seal: FieldSeal) -> None:
        self._seal = seal

    def close(self, value: str, owner: str, field: str) -> str:
        cipher = self._seal.cipher
        return value if cipher is None else cipher.encrypt(value, f"tenant:{owner}:{field}")

    def open(self, stored: str, owner: str, field: str) -> str:
        if not is_sealed(stored):
            return stored
        return self._seal.key_cipher().decrypt(stored, f"tenant:{owner}:{field}")

    def settings_document(self, name: str, settings: TenantSettings) -> dict[str, Any]:
        document: dict[str, Any] = {key: getattr(settings, key) for key in _PLAIN_FIELDS}
        document["language"] = None if settings.language is None else settings.language.value
        document["provider_keys"] = {
            provider: self.close(key, name, f"provider_key.{provider}")
            for provider, key in settings.provider_keys.items()
        }
        crisis = settings.crisis_webhook
        document["crisis_webhook"] = None if crisis is None else {
            "url": crisis.url,
            "secret": self.close(crisis.secret, name, "crisis_webhook_secret"),
        }  # fmt: skip
        return document

    def settings_from(self, name: str, document: dict[str, Any]) -> TenantSettings:
        crisis = document.get("crisis_webhook")
        language = document.get("language")
        return TenantSettings(
            persona=document.get("persona") or "",
            language=None if language is None else Language(language),
            hotline_country=document.get("hotline_country"),
            sessions_per_day=document.get("sessions_per_day"),
            rate=document.get("rate"),
            daily_tokens=document.get("daily_tokens"),
            session_tokens=document.get("session_tokens"),
            provider_keys={
                provider: self.open(key, name, f"provider_key.{provider}")
                for provider, key in (document.get("provider_keys") or {}).items()
            },
            crisis_webhook=None if crisis is None else CrisisWebhook(
                crisis["url"], self.open(crisis["secret"], name, "crisis_webhook_secret")
            ),
        )  # fmt: skip

    def token(self, bot_id: str, token: str) -> str:
        return self.close(token, f"bot:{bot_id}", "token")

    def open_token(self, bot_id: str, stored: str) -> str:
        return self.open(stored, f"bot:{bot_id}", "token")


def scopes_text(scopes: frozenset[Scope]) -> str:
    return ",".join(sorted(scope.value for scope in scopes))


def scopes_from(text: str) -> frozenset[Scope]:
    return frozenset(Scope(name) for name in text.split(",") if name)


class TenantDirectoryRules:
    """``TenantDirectory``'s realm rules over a store's primitive reads (implemented by each
    store, which lists this class last among its bases)."""

    async def tenant(self, name: str) -> Tenant | None:
        raise NotImplementedError

    async def bot_owner(self, bot_id: str) -> str | None:
        raise NotImplementedError

    async def bots(self, tenant: str | None = None) -> list[TenantBot]:
        raise NotImplementedError

    async def api_key_by_digest(self, digest: str) -> ApiKey | None:
        raise NotImplementedError

    async def tenant_of(self, realm: str) -> Tenant | None:
        """An API realm's tenant; a bot's owner, else the default tenant (which serves
        ``TELEGRAM_BOT_TOKEN``'s bot and every bot nobody claimed)."""
        name = realm_tenant(realm)
        if name is None:
            name = await self.bot_owner(realm) or DEFAULT_TENANT
        return await self.tenant(name)

    async def realms(self, name: str) -> list[str]:
        if await self.tenant(name) is None:
            return []
        return [bot.bot_id for bot in await self.bots(name)] + [api_realm(name)]

    async def authenticate(self, secret: str) -> ApiKey | None:
        if not secret.startswith(KEY_PREFIX):
            return None  # not even shaped like a key: no read
        key = await self.api_key_by_digest(key_digest(secret))
        return key if key is not None and key.revoked_at is None else None
