"""``innertalk tenant …`` and ``innertalk apikey …``: the tenant use cases over the storage
``DATABASE_URL`` names, without the rest of the app.

Each command opens the storage, runs one use case, prints, and closes. Bad input raises
``TenantError``, which the command line prints as one line (exit 2).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from innertalk.application.operations.api_keys import (
    ALL_SCOPES,
    DEFAULT_RATE,
    ApiKeyService,
    parse_scopes,
)
from innertalk.application.operations.tenant_settings import SettingRules
from innertalk.application.operations.tenants import (
    TenantAdmin,
    TenantError,
    TenantRegistry,
    bot_id_of,
)
from innertalk.bootstrap.stores import open_storage
from innertalk.config import Settings
from innertalk.domain.safety.hotlines import DEFAULT_HOTLINES
from innertalk.domain.tenants import ApiKey, Tenant
from innertalk.infrastructure.clock import SystemClock
from innertalk.infrastructure.hotlines import HotlineFileError, load_hotlines
from innertalk.infrastructure.llm.registry import PROVIDERS
from innertalk.infrastructure.ratelimit import is_rate
from innertalk.infrastructure.tenant_cache import TTL, CachedTenantDirectory


@dataclass(frozen=True, slots=True)
class TenantServices:
    admin: TenantAdmin
    keys: ApiKeyService


def deployment_bot(settings: Settings) -> str | None:
    """The id of ``TELEGRAM_BOT_TOKEN``'s bot (the default tenant's), if one is set."""
    token = settings.telegram.bot_token
    if token is None:
        return None
    try:
        return bot_id_of(token.get_secret_value())
    except TenantError:
        return None


def setting_rules(settings: Settings) -> SettingRules:
    """What ``tenant set`` accepts: the hotline table's countries (``HOTLINES_FILE``
    included), the registry's providers, and rates ``limits`` reads."""
    hotlines = DEFAULT_HOTLINES
    path = settings.wellbeing.hotlines_file
    if path is not None:
        # a broken file stops the bot at start; the built-in table still names countries
        with suppress(HotlineFileError):
            hotlines = load_hotlines(path)
    return SettingRules(frozenset(hotlines.countries), frozenset(PROVIDERS), is_rate)


@asynccontextmanager
async def tenant_services(settings: Settings) -> AsyncIterator[TenantServices]:
    storage = await open_storage(settings)
    clock = SystemClock()
    bot = deployment_bot(settings)
    store: TenantRegistry = storage  # type: ignore[assignment]  # every backend has them
    registry = CachedTenantDirectory(store, timer=clock.monotonic, deployment_bot=bot)
    try:
        yield TenantServices(
            TenantAdmin(registry, clock, setting_rules(settings), deployment_bot=bot),
            ApiKeyService(registry, clock, is_rate),
        )
    finally:
        await storage.close()


async def tenant_add(settings: Settings, name: str) -> None:
    async with tenant_services(settings) as services:
        tenant = await services.admin.add(name)
    print(f"tenant {tenant.name} added")


async def tenant_list(settings: Settings) -> None:
    async with tenant_services(settings) as services:
        tenants = await services.admin.tenants()
        bots = await services.admin.bots()
    print("NAME\tCREATED\tBOTS\tSETTINGS")
    for tenant in tenants:
        owned = ",".join(bot.bot_id for bot in bots if bot.tenant == tenant.name) or "-"
        created = tenant.created_at.date().isoformat()
        print(f"{tenant.name}\t{created}\t{owned}\t{_settings_line(tenant)}")


_SHOWN = ("language", "hotline_country", "sessions_per_day", "rate", "daily_tokens",
          "session_tokens")  # fmt: skip


def _settings_line(tenant: Tenant) -> str:
    """The settings that differ from the deployment's, secrets by name only."""
    settings = tenant.settings
    shown = [
        f"{name}={value}" for name in _SHOWN if (value := getattr(settings, name)) is not None
    ]
    if settings.persona:
        shown.append(f"persona=({len(settings.persona)} characters)")
    shown += [f"provider_key.{name}=(set)" for name in sorted(settings.provider_keys)]
    if settings.crisis_webhook is not None:
        shown.append(f"crisis_webhook_url={settings.crisis_webhook.url}")
    return " ".join(shown) or "-"


async def tenant_set(settings: Settings, name: str, assignments: Sequence[str]) -> None:
    async with tenant_services(settings) as services:
        change = await services.admin.set(name, assignments)
    print(f"tenant {change.tenant.name}: {_settings_line(change.tenant)}")
    if change.generated_secret is not None:
        print("crisis_webhook_secret (shown once; sign-checks need it):", file=sys.stderr)
        print(change.generated_secret)


async def tenant_bot_add(settings: Settings, name: str, token: str) -> None:
    async with tenant_services(settings) as services:
        bot = await services.admin.add_bot(name, token)
    print(f"bot {bot.bot_id} added to tenant {bot.tenant}")


async def apikey_create(
    settings: Settings, tenant: str, scopes: str | None, rate: str | None
) -> None:
    chosen = ALL_SCOPES if scopes is None else parse_scopes(scopes)
    async with tenant_services(settings) as services:
        issued = await services.keys.create(tenant, chosen, rate or DEFAULT_RATE)
    print(
        f"API key {issued.key.id} for tenant {tenant} ({_scopes(issued.key)}, "
        f"{issued.key.rate}); it is shown once, only its hash is stored:",
        file=sys.stderr,
    )
    print(issued.secret)


async def apikey_list(settings: Settings, tenant: str | None) -> None:
    async with tenant_services(settings) as services:
        keys = await services.keys.keys(tenant)
    print("ID\tTENANT\tSCOPES\tRATE\tCREATED\tREVOKED")
    for key in keys:
        revoked = "-" if key.revoked_at is None else key.revoked_at.isoformat(timespec="seconds")
        created = key.created_at.isoformat(timespec="seconds")
        print(f"{key.id}\t{key.tenant}\t{_scopes(key)}\t{key.rate}\t{created}\t{revoked}")


async def apikey_revoke(settings: Settings, key_id: str) -> None:
    async with tenant_services(settings) as services:
        key = await services.keys.revoke(key_id)
    print(
        f"API key {key.id} of tenant {key.tenant} revoked"
        f" (running servers refuse it within {TTL:.0f} s)"
    )


def _scopes(key: ApiKey) -> str:
    return ",".join(sorted(scope.value for scope in key.scopes))
