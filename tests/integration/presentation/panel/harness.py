"""The panel over the in-process core on a loopback port: two tenants (alpha with a Telegram
bot, beta), operators of each and of every tenant, a fake clock for lockouts and timeouts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx2
from argon2 import PasswordHasher
from prometheus_client import CollectorRegistry

from innertalk.application.operations.api_keys import ApiKeyService
from innertalk.application.operations.tenants import TenantBot
from innertalk.application.panel.operators import OperatorAdmin
from innertalk.application.panel.sign_in import SignIn
from innertalk.domain.tenants import Tenant
from innertalk.domain.users import UserKey
from innertalk.infrastructure.panel.attempts import LocalLoginAttempts
from innertalk.infrastructure.panel.credentials import Argon2Passwords, PyotpTotp
from innertalk.infrastructure.panel.sessions import LocalPanelSessions
from innertalk.infrastructure.ratelimit import is_rate
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.presentation.http import build_http_app
from innertalk.presentation.panel.app import PanelContext, build_panel_router
from innertalk.presentation.panel.audit_page import audit_pages
from innertalk.presentation.panel.people import PeopleAccess, people_pages
from innertalk.presentation.panel.security import CsrfTokens
from innertalk.presentation.panel.tenants import tenant_pages
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ScriptedModel
from tests.integration.presentation.api.harness import live

PASSWORD = "a long enough password"
ALPHA_BOT = "7000001"
CSRF = re.compile(r'name="(csrf[a-z_]*)" value="([^"]+)"')
# cheap parameters: the suite hashes dozens of passwords (production uses argon2's defaults)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Panel:
    url: str
    core: Core
    storage: LocalStorage
    clock: FakeClock
    operators: OperatorAdmin

    def client(self, **headers: str) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(base_url=self.url, timeout=10, headers=headers)


def csrf(html: str) -> dict[str, str]:
    """The hidden CSRF field of the first form in ``html``."""
    found = CSRF.search(html)
    assert found is not None, "no CSRF field"
    return {found.group(1): found.group(2)}


async def sign_in(
    client: httpx2.AsyncClient, name: str, password: str = PASSWORD, code: str = ""
) -> httpx2.Response:
    form = csrf((await client.get("/admin/login")).text)
    return await client.post(
        "/admin/login", data={**form, "name": name, "password": password, "code": code}
    )


async def page_token(client: httpx2.AsyncClient, path: str = "/admin/audit") -> dict[str, str]:
    return csrf((await client.get(path)).text)


@asynccontextmanager
async def panel(*, trust_proxy: bool = False) -> AsyncIterator[Panel]:
    clock = FakeClock()
    storage = LocalStorage()
    core = build_core(ScriptedModel(lambda _request: "ok"), clock, storage=storage)
    for name in ("alpha", "beta"):
        await storage.add_tenant(Tenant(name, clock.now()))
    await storage.add_bot(TenantBot("alpha", ALPHA_BOT, "7000001:token", clock.now()))
    passwords, totp = Argon2Passwords(FAST_HASHER), PyotpTotp()
    operators = OperatorAdmin(storage, storage, passwords, totp, clock)
    await operators.add("amy", "alpha", PASSWORD)
    await operators.add("bea", "beta", PASSWORD)
    await operators.add("root", "all", PASSWORD)
    ctx = PanelContext(
        sign_in=SignIn(
            storage, passwords, totp, LocalLoginAttempts(timer=clock.monotonic), storage, clock
        ),
        audit=storage,
        operators=storage,
        sessions=LocalPanelSessions(timer=clock.monotonic),
        clock=clock,
        csrf=CsrfTokens(b"panel test secret"),
        idle=timedelta(minutes=30),
        lifetime=timedelta(hours=12),
        trust_proxy=trust_proxy,
    )
    access = PeopleAccess(
        storage,
        storage,
        core.services.profiles.get,
        storage.sessions,
        core.services.admin,
        core.services.privacy,
    )
    pages = [
        *people_pages(access),
        *tenant_pages(storage, ApiKeyService(storage, clock, is_rate)),
        *audit_pages(storage),
    ]
    router = build_panel_router(ctx, pages)
    http = build_http_app(core.services.health, registry=CollectorRegistry(), routers=[router])
    async with live(http) as url:
        yield Panel(url, core, storage, clock, operators)


async def given_person(panel: Panel, key: UserKey) -> None:
    await panel.core.services.profiles.ensure(key)
