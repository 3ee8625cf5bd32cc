"""What the crisis webhook tests share: a tenant directory fake, a loopback receiver that
checks signatures the way docs/operations.md tells partners to, and recording metrics."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from innertalk.domain.tenants import CrisisWebhook, Tenant, TenantSettings, realm_tenant
from innertalk.domain.users import UserKey


class FakeTenants:
    """``TenantDirectory`` and ``PersonRefs`` over dicts: realm → tenant, key → ref."""

    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}
        self.bots: dict[str, str] = {}
        self.refs: dict[UserKey, str] = {}

    def add(
        self, name: str, webhook: CrisisWebhook | None = None, *, bots: tuple[str, ...] = ()
    ) -> None:
        at = datetime(2026, 1, 1, tzinfo=UTC)
        self.tenants[name] = Tenant(name, at, TenantSettings(crisis_webhook=webhook))
        self.bots.update(dict.fromkeys(bots, name))

    def set_webhook(self, name: str, webhook: CrisisWebhook | None) -> None:
        tenant = self.tenants[name]
        settings = replace(tenant.settings, crisis_webhook=webhook)
        self.tenants[name] = replace(tenant, settings=settings)

    async def tenant(self, name: str) -> Tenant | None:
        return self.tenants.get(name)

    async def tenant_of(self, realm: str) -> Tenant | None:
        name = realm_tenant(realm) or self.bots.get(realm)
        return None if name is None else self.tenants.get(name)

    async def realms(self, name: str) -> list[str]:
        return [bot for bot, owner in self.bots.items() if owner == name]

    async def authenticate(self, secret: str) -> None:
        return None

    async def remember(self, key: UserKey, ref: str) -> None:
        self.refs[key] = ref

    async def ref_of(self, key: UserKey) -> str | None:
        return self.refs.get(key)

    async def forget(self, key: UserKey) -> None:
        self.refs.pop(key, None)


@dataclass
class Delivery:
    event_id: str
    body: bytes
    payload: dict[str, Any]


@dataclass
class Receiver:
    """A partner's endpoint: answers from ``script`` (a status, or ``"hang"``), then 200.
    Only deliveries whose signature verifies (5-minute tolerance) are recorded."""

    secret: str
    clock: Callable[[], float] = time.time
    """The partner's clock (a test's fake one, when its sender's time moves on)."""
    url: str = ""
    script: list[int | str] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    requests: int = 0
    forged: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        body = await request.read()
        if not self._verified(request.headers.get("InnerTalk-Signature", ""), body):
            self.forged += 1
            return web.Response(status=400)
        answer = self.script.pop(0) if self.script else 200
        if answer == "hang":
            await asyncio.sleep(3600)  # cut off by the poster's timeout
        if answer == 200:
            event_id = request.headers["InnerTalk-Event-Id"]
            self.deliveries.append(Delivery(event_id, body, json.loads(body)))
        return web.Response(status=int(answer))

    def _verified(self, header: str, body: bytes) -> bool:
        # the partner's check as docs/operations.md gives it (not the sender's own code)
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        if abs(self.clock() - timestamp) > 300:
            return False
        signed = parts["t"].encode() + b"." + body
        expected = hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"])


@asynccontextmanager
async def receiving(
    secret: str, clock: Callable[[], float] = time.time
) -> AsyncIterator[Receiver]:
    """A ``Receiver`` listening on a loopback port for the duration."""
    receiver = Receiver(secret, clock)
    app = web.Application()
    app.router.add_post("/hooks/crisis", receiver.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.url = f"http://{host}:{port}/hooks/crisis"
    try:
        yield receiver
    finally:
        await runner.cleanup()


def refused_url() -> str:
    """A loopback URL nobody listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/crisis"


@dataclass
class RecordingMetrics:
    outcomes: list[str] = field(default_factory=list)
    backlogs: list[tuple[int, float, int]] = field(default_factory=list)

    def delivery(self, outcome: str) -> None:
        self.outcomes.append(outcome)

    def backlog(self, pending: int, oldest_age: float, dead: int) -> None:
        self.backlogs.append((pending, oldest_age, dead))
