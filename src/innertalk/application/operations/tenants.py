"""Tenants and their Telegram bots: the write-side port and ``TenantAdmin``, the use cases
behind ``innertalk tenant …``.

The read side (``TenantDirectory``) is what every request uses; ``TenantRegistry`` adds what
only an operator changes. The default tenant always exists: stores list it without a row and
create one when its settings are first saved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from innertalk.application.operations.tenant_settings import (
    SettingRules,
    TenantSettingError,
    settings_with,
)
from innertalk.application.ports import Clock
from innertalk.application.tenancy import TenantDirectory
from innertalk.domain.tenants import (
    DEFAULT_TENANT,
    ApiKey,
    Tenant,
    TenantNameError,
    TenantSettings,
    tenant_name,
)

# aiogram's own check (aiogram.utils.token.validate_token): no spaces, digits before the
# colon, something after it. Checked here so that no network call is needed to add a bot.
_TOKEN = re.compile(r"(\d{1,20}):(\S+)")


class TenantError(ValueError):
    """An operator's request that cannot be done; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class TenantBot:
    """A Telegram bot a tenant owns; its id is the realm of the people who talk to it."""

    tenant: str
    bot_id: str
    token: str = field(repr=False)
    added_at: datetime


class TenantRegistry(TenantDirectory, Protocol):
    """The directory plus what operators change: tenants, settings, bots and API keys."""

    async def add_tenant(self, tenant: Tenant) -> bool:
        """Store a new tenant; ``False`` when the name is taken (nothing changes)."""
        ...

    async def tenants(self) -> list[Tenant]:
        """Every tenant by name, the default one included."""
        ...

    async def save_settings(self, name: str, settings: TenantSettings, now: datetime) -> None:
        """Replace ``name``'s settings (creating the default tenant's row at ``now``)."""
        ...

    async def add_bot(self, bot: TenantBot) -> str:
        """Give ``bot`` to its tenant (a new token replaces the old one) unless another
        tenant owns it; returns the owner afterwards."""
        ...

    async def bots(self, tenant: str | None = None) -> list[TenantBot]:
        """The bots (with their tokens) of ``tenant``, or of every tenant."""
        ...

    async def add_api_key(self, key: ApiKey, digest: str) -> None:
        """Store ``key`` with the SHA-256 hex ``digest`` of its secret (never the secret)."""
        ...

    async def api_keys(self, tenant: str | None = None) -> list[ApiKey]:
        """The keys of ``tenant`` (or all), revoked ones included, oldest first."""
        ...

    async def api_key_by_digest(self, digest: str) -> ApiKey | None:
        """The key whose secret hashes to ``digest``, revoked or not."""
        ...

    async def revoke_api_key(self, key_id: str, at: datetime) -> ApiKey | None:
        """Mark the key revoked at ``at`` (kept if it already was); ``None``: no such key."""
        ...


def bot_id_of(token: str) -> str:
    """The bot id a Telegram token starts with (``123456:ABC…`` → ``"123456"``)."""
    shape = _TOKEN.fullmatch(token)
    if shape is None:
        raise TenantError("--telegram-token: not a Telegram bot token (expected 123456:ABC…)")
    return shape.group(1)


def _name(value: str) -> str:
    try:
        return tenant_name(value)
    except TenantNameError:
        raise TenantError(
            f"tenant name {value!r}: use 1-40 lowercase letters, digits, _ and -"
        ) from None


@dataclass(frozen=True, slots=True)
class SettingsChange:
    tenant: Tenant
    generated_secret: str | None = field(default=None, repr=False)
    """The crisis webhook secret made for this change: shown once, never again."""


class TenantAdmin:
    """Adds tenants and bots and changes settings, validating every value on the way in.

    ``deployment_bot``: the bot of ``TELEGRAM_BOT_TOKEN``, which the default tenant owns
    implicitly (its people's records already carry its id), so no other tenant may take it.
    """

    def __init__(
        self,
        registry: TenantRegistry,
        clock: Clock,
        rules: SettingRules,
        *,
        deployment_bot: str | None = None,
    ) -> None:
        self._registry = registry
        self._clock = clock
        self._rules = rules
        self._deployment_bot = deployment_bot

    async def add(self, name: str) -> Tenant:
        tenant = Tenant(_name(name), self._clock.now())
        if tenant.name == DEFAULT_TENANT or not await self._registry.add_tenant(tenant):
            raise TenantError(f"tenant {tenant.name!r} already exists")
        return tenant

    async def tenants(self) -> list[Tenant]:
        return await self._registry.tenants()

    async def existing(self, name: str) -> Tenant:
        tenant = await self._registry.tenant(_name(name))
        if tenant is None:
            raise TenantError(f"no tenant {name!r} (see: innertalk tenant list)")
        return tenant

    async def set(self, name: str, assignments: Sequence[str]) -> SettingsChange:
        """Apply ``KEY=VALUE`` assignments (``KEY=`` clears) all at once, or none."""
        if not assignments:
            raise TenantError("nothing to set: give KEY=VALUE pairs")
        tenant = await self.existing(name)
        try:
            settings, secret = settings_with(tenant.settings, assignments, self._rules)
        except TenantSettingError as error:
            raise TenantError(str(error)) from None
        await self._registry.save_settings(tenant.name, settings, self._clock.now())
        return SettingsChange(replace(tenant, settings=settings), secret)

    async def add_bot(self, name: str, token: str) -> TenantBot:
        tenant = await self.existing(name)
        bot = TenantBot(tenant.name, bot_id_of(token), token, self._clock.now())
        if bot.bot_id == self._deployment_bot and tenant.name != DEFAULT_TENANT:
            raise TenantError(
                f"bot {bot.bot_id} is TELEGRAM_BOT_TOKEN's bot: it belongs to {DEFAULT_TENANT!r}"
            )
        owner = await self._registry.add_bot(bot)
        if owner != tenant.name:
            raise TenantError(f"bot {bot.bot_id} already belongs to tenant {owner!r}")
        return bot

    async def bots(self, name: str | None = None) -> list[TenantBot]:
        return await self._registry.bots(None if name is None else _name(name))
