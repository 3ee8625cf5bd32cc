"""``CachedTenantDirectory``: repeated look-ups read the store once per TTL, local writes
are seen at once, and a key revoked by another process stops working within the TTL."""

from __future__ import annotations

from datetime import UTC, datetime

from innertalk.domain.tenants import DEFAULT_TENANT, TenantSettings
from innertalk.infrastructure.tenant_cache import TTL, CachedTenantDirectory
from tests.fakes.clock import FakeClock
from tests.fakes.tenants import InProcessTenants

NOW = datetime(2026, 11, 25, tzinfo=UTC)


async def test_a_key_revoked_elsewhere_stops_working_within_the_ttl() -> None:
    """Cached up to TTL seconds (one store read), refused once the entry expires."""
    store, clock = InProcessTenants(), FakeClock()
    await store.given_tenant("clinic")
    secret = await store.given_key("clinic", key_id="aaaaaaaaaaaa")
    cached = CachedTenantDirectory(store, timer=clock.monotonic)
    assert await cached.authenticate(secret) is not None
    reads = store.reads
    await store.revoke_api_key("aaaaaaaaaaaa", NOW)  # the CLI, another process
    clock.advance(TTL - 1)
    assert await cached.authenticate(secret) is not None
    assert store.reads == reads
    clock.advance(2)
    assert await cached.authenticate(secret) is None


async def test_a_revocation_through_the_cache_is_seen_at_once() -> None:
    """This process's own write clears what it cached."""
    store, clock = InProcessTenants(), FakeClock()
    await store.given_tenant("clinic")
    secret = await store.given_key("clinic", key_id="aaaaaaaaaaaa")
    cached = CachedTenantDirectory(store, timer=clock.monotonic)
    assert await cached.authenticate(secret) is not None
    await cached.revoke_api_key("aaaaaaaaaaaa", NOW)
    assert await cached.authenticate(secret) is None


async def test_unknown_keys_are_not_cached() -> None:
    """Every wrong key asks the store: made-up keys cannot push real ones out."""
    store, clock = InProcessTenants(), FakeClock()
    cached = CachedTenantDirectory(store, timer=clock.monotonic)
    for _ in range(3):
        assert await cached.authenticate("itk_000000000000_" + "x" * 43) is None
    assert store.reads == 3


async def test_tenants_are_cached_and_settings_changes_clear_them() -> None:
    """A tenant is read once per TTL; saving settings here shows the new ones next read."""
    store, clock = InProcessTenants(), FakeClock()
    await store.given_tenant("clinic")
    cached = CachedTenantDirectory(store, timer=clock.monotonic)
    await cached.tenant("clinic")
    await cached.tenant_of("api:clinic")
    reads = store.reads
    await cached.tenant("clinic")
    await cached.tenant_of("api:clinic")
    assert store.reads == reads
    await cached.save_settings("clinic", TenantSettings(persona="New."), NOW)
    tenant = await cached.tenant_of("api:clinic")
    assert tenant is not None
    assert tenant.settings.persona == "New."


async def test_the_deployment_bot_is_a_realm_of_the_default_tenant() -> None:
    """TELEGRAM_BOT_TOKEN's bot counts in the default tenant's statistics without a row."""
    cached = CachedTenantDirectory(InProcessTenants(), timer=FakeClock().monotonic,
                                   deployment_bot="111")  # fmt: skip
    assert await cached.realms(DEFAULT_TENANT) == ["111", "api:default"]
    assert await cached.realms("ghost") == []
