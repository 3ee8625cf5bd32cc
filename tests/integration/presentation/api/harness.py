"""The integration API over the in-process core, on a loopback port, with a small fake
tenant directory (two tenants, keys of each scope): the tenant stores are not needed."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import cast

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from innertalk.application.operations.analytics import AnalyticsService, AnalyticsStore
from innertalk.application.services import Services
from innertalk.domain.tenants import ApiKey, Scope, Tenant, TenantSettings, api_realm
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.ratelimit import LocalRateLimiter, parse_rate
from innertalk.presentation.api import ApiContext, KeyRate, build_api_router
from innertalk.presentation.http import build_http_app, start_http
from tests.fakes.clock import FakeClock

CREATED = datetime(2026, 1, 1, tzinfo=UTC)
ALPHA_BOT = "7000001"
"""A Telegram bot of tenant ``alpha`` (its realm counts in alpha's statistics)."""


def _key(id: str, tenant: str, *scopes: Scope, rate: str = "100000/minute") -> ApiKey:
    return ApiKey(id, tenant, frozenset(scopes or Scope), CREATED, rate=rate)


KEYS = {
    "alpha-secret": _key("a1", "alpha"),
    "beta-secret": _key("b1", "beta"),
    "alpha-talk-only": _key("a2", "alpha", Scope.CONVERSATION),
    "alpha-wellbeing-only": _key("a3", "alpha", Scope.WELLBEING),
    "alpha-slow": _key("a4", "alpha", rate="2/minute"),
    "alpha-revoked": ApiKey("a5", "alpha", frozenset(Scope), CREATED, revoked_at=CREATED),
}
ALPHA, BETA = "alpha-secret", "beta-secret"


class FakeDirectory:
    """``TenantDirectory`` over ``KEYS``; alpha's people speak Russian unless told."""

    def __init__(self) -> None:
        self.tenants = {
            "alpha": Tenant("alpha", CREATED, TenantSettings(language=Language.RU)),
            "beta": Tenant("beta", CREATED),
        }

    async def tenant(self, name: str) -> Tenant | None:
        return self.tenants.get(name)

    async def tenant_of(self, realm: str) -> Tenant | None:
        owner = {ALPHA_BOT: "alpha", api_realm("alpha"): "alpha", api_realm("beta"): "beta"}
        return self.tenants.get(owner.get(realm, ""))

    async def realms(self, name: str) -> list[str]:
        return {"alpha": [ALPHA_BOT, api_realm("alpha")], "beta": [api_realm("beta")]}[name]

    async def authenticate(self, secret: str) -> ApiKey | None:
        key = KEYS.get(secret)
        return key if key is not None and key.revoked_at is None else None


class FakeRefs:
    """``PersonRefs`` in a dict the test can read."""

    def __init__(self) -> None:
        self.refs: dict[UserKey, str] = {}

    async def remember(self, key: UserKey, ref: str) -> None:
        self.refs[key] = ref

    async def ref_of(self, key: UserKey) -> str | None:
        return self.refs.get(key)

    async def forget(self, key: UserKey) -> None:
        self.refs.pop(key, None)


def api_app(services: Services, clock: FakeClock, refs: FakeRefs | None = None) -> FastAPI:
    """The HTTP app with the API over ``services``; key rates count on ``clock``."""

    def key_rate(rate: str) -> KeyRate:
        window = float(parse_rate(rate).get_expiry())
        return KeyRate(LocalRateLimiter(rate, timer=clock.monotonic), window)

    directory = FakeDirectory()
    # the core's storage (LocalStorage) counts for the analytics too
    store = cast(AnalyticsStore, services.admin.store)
    context = ApiContext(
        services=services,
        directory=directory,
        refs=refs or FakeRefs(),
        key_rates=key_rate,
        message_window=60.0,
        analytics=AnalyticsService(store, services.admin.store, directory, clock),
    )
    router = build_api_router(context)
    return build_http_app(services.health, registry=CollectorRegistry(), routers=[router])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def live(app: FastAPI, *, port: int | None = None) -> AsyncIterator[str]:
    """``app`` served on a loopback port; yields its base URL, stops gracefully after."""
    port = port or free_port()
    stop = asyncio.Event()
    serving = await start_http(app, host="127.0.0.1", port=port, stop=stop)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await serving


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
