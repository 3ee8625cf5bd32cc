"""Enqueueing a crisis event for the tenant that owns the person's realm, if it wants them.

This runs where a crisis signal is acted on (``SafetyService.alert``), off the reply's path:
a tenant look-up (cached by the directory), a ref look-up for API people, one durable write.
A failure is logged and counted, never raised: the person's reply and the admins' alert
must not depend on a partner's outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import uuid4

import structlog

from innertalk.application.ports import Clock
from innertalk.application.tenancy import PersonRefs, TenantDirectory
from innertalk.application.webhooks.outbox import OutboxEvent, WebhookOutbox
from innertalk.domain.crisis_webhooks import CrisisEvent
from innertalk.domain.safety.signals import CrisisSignal
from innertalk.domain.tenants import realm_tenant
from innertalk.domain.users import UserKey

log = structlog.get_logger(__name__)


class CrisisWebhooks:
    """Turns crisis signals into outbox events; ``nudge`` is set after each one is stored,
    so this process's delivery worker starts at once instead of at its next poll."""

    def __init__(
        self,
        *,
        outbox: WebhookOutbox,
        directory: TenantDirectory,
        refs: PersonRefs,
        clock: Clock,
        on_failure: Callable[[], None] = lambda: None,
    ) -> None:
        self._outbox = outbox
        self._directory = directory
        self._refs = refs
        self._clock = clock
        self._on_failure = on_failure
        self.nudge = asyncio.Event()

    async def report(self, key: UserKey, signal: CrisisSignal) -> str | None:
        """Enqueue an event about ``key``'s ``signal`` when the realm's tenant has a webhook;
        the event's id, or ``None`` when nothing was enqueued."""
        try:
            event = await self._event(key, signal)
            if event is None:
                return None
            await self._outbox.add(event)
        except Exception as error:
            # the signal itself is logged and counted by the safety service; this loses only
            # the partner's copy, so it must be loud
            log.error("webhook.enqueue_failed", realm=key.bot_id, error=type(error).__name__)
            self._on_failure()
            return None
        log.info("webhook.enqueued", event_id=event.id, tenant=event.tenant)
        self.nudge.set()
        return event.id

    async def _event(self, key: UserKey, signal: CrisisSignal) -> OutboxEvent | None:
        tenant = await self._directory.tenant_of(key.bot_id)
        if tenant is None or tenant.settings.crisis_webhook is None:
            return None
        is_api_person = realm_tenant(key.bot_id) is not None
        ref = await self._refs.ref_of(key) if is_api_person else None
        now = self._clock.now()
        event = CrisisEvent(str(uuid4()), tenant.name, key, ref, signal, now)
        return OutboxEvent(event.id, tenant.name, event.body(), created_at=now, due_at=now)
