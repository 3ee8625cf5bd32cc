"""API keys: ``ApiKeyService`` behind ``innertalk apikey …``, and the key's shape and hash.

A key is ``itk_<id>_<secret>``: a 12-hex-digit id (shown in lists, used to revoke) and 43
URL-safe characters (256 random bits). Only SHA-256 of the whole key is stored. A slow
password hash (argon2, bcrypt) guards short human-chosen secrets against guessing after a
leak; 256 random bits cannot be guessed at any speed, so the fast hash loses nothing and keeps
the look-up on every API request one indexed read.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from innertalk.application.operations.tenants import TenantError, TenantRegistry
from innertalk.application.ports import Clock
from innertalk.domain.tenants import ApiKey, Scope

KEY_PREFIX = "itk_"
DEFAULT_RATE = "600/minute"
ALL_SCOPES = frozenset(Scope)


def key_digest(secret: str) -> str:
    """The stored form of a presented key: SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(text: str) -> frozenset[Scope]:
    """``conversation,wellbeing`` → the scopes; an unknown name is a ``TenantError``."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise TenantError("--scopes: name at least one scope")
    try:
        return frozenset(Scope(name) for name in names)
    except ValueError:
        known = ", ".join(scope.value for scope in Scope)
        raise TenantError(f"--scopes: {text!r} names an unknown scope (known: {known})") from None


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKey
    secret: str = field(repr=False)
    """The whole key, ``itk_<id>_<secret>``: shown once, never stored."""


class ApiKeyService:
    """Creates, lists and revokes a tenant's API keys."""

    def __init__(
        self, registry: TenantRegistry, clock: Clock, valid_rate: Callable[[str], bool]
    ) -> None:
        self._registry = registry
        self._clock = clock
        self._valid_rate = valid_rate

    async def create(
        self,
        tenant: str,
        scopes: frozenset[Scope] = ALL_SCOPES,
        rate: str = DEFAULT_RATE,
    ) -> IssuedKey:
        if not self._valid_rate(rate):
            raise TenantError(f"--rate: {rate!r} is not a rate like 600/minute")
        if await self._registry.tenant(tenant) is None:
            raise TenantError(f"no tenant {tenant!r} (see: innertalk tenant list)")
        key_id = secrets.token_hex(6)
        secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        key = ApiKey(key_id, tenant, scopes, self._clock.now(), rate=rate)
        await self._registry.add_api_key(key, key_digest(secret))
        return IssuedKey(key, secret)

    async def keys(self, tenant: str | None = None) -> list[ApiKey]:
        return await self._registry.api_keys(tenant)

    async def revoke(self, key_id: str) -> ApiKey:
        key = await self._registry.revoke_api_key(key_id, self._clock.now())
        if key is None:
            raise TenantError(f"no API key {key_id!r} (see: innertalk apikey list)")
        return key
