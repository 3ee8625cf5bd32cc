"""Delivering the outbox's crisis events to each tenant's webhook, in the background.

Every process that serves people runs one ``WebhookDelivery``: it claims due events (a lease,
so several processes never post the same event at once), signs each attempt afresh and posts
it. A 2xx answer removes the event; anything else (another status, a timeout, a refused
connection) schedules another attempt with capped exponential backoff and jitter, until the
event is ``give_up_after`` old: then it is dead, kept and counted. The tenant's URL and
secret are read at each attempt, so a changed secret applies to events already queued and no
secret is ever stored with an event.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol
from uuid import uuid4

import structlog

from innertalk.application.backoff import Backoff
from innertalk.application.ports import Clock
from innertalk.application.tenancy import TenantDirectory
from innertalk.application.webhooks.outbox import OutboxEvent, WebhookOutbox
from innertalk.domain.crisis_webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, signature
from innertalk.domain.tenants import CrisisWebhook

log = structlog.get_logger(__name__)


class WebhookPostError(Exception):
    """No HTTP answer at all; ``str(error)`` is its class (``timeout``, ``connection``…)."""


class WebhookPoster(Protocol):
    """Sends one POST with a bounded time; never follows redirects."""

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """The answer's status code, or ``WebhookPostError`` when there was none."""
        ...


class WebhookMetrics(Protocol):
    def delivery(self, outcome: str) -> None:
        """One attempt's outcome: ``delivered``, ``failed_attempt`` or ``dead``."""

    def backlog(self, pending: int, oldest_age: float, dead: int) -> None:
        """What waits in the outbox; ``oldest_age`` in seconds (0 when nothing is pending)."""


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    lease: timedelta = timedelta(seconds=60)
    """How long a claimed event is this worker's: longer than one attempt can take."""
    batch: int = 20
    poll: float = 5.0
    """Seconds between looks at the outbox when nothing here nudged the worker (events other
    processes enqueued, retries coming due)."""
    backoff: Backoff = field(default_factory=lambda: Backoff(5.0, 3600.0, jitter=0.5))
    give_up_after: timedelta = timedelta(hours=24)


class WebhookDelivery:
    """The worker; ``nudge`` (``CrisisWebhooks.nudge``) wakes it when an event was enqueued."""

    def __init__(
        self,
        *,
        outbox: WebhookOutbox,
        directory: TenantDirectory,
        poster: WebhookPoster,
        clock: Clock,
        metrics: WebhookMetrics,
        policy: DeliveryPolicy | None = None,
        nudge: asyncio.Event | None = None,
    ) -> None:
        self._outbox = outbox
        self._directory = directory
        self._poster = poster
        self._clock = clock
        self._metrics = metrics
        self._policy = policy or DeliveryPolicy()
        self._nudge = nudge or asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; a store that is down is retried after a pause."""
        while not stop.is_set():
            self._nudge.clear()  # an event enqueued from here on sets it again
            claimed = 0
            try:
                claimed = await self.deliver_due()
                await self.measure()
            except Exception as error:
                log.warning("webhook.outbox_unavailable", error=type(error).__name__)
            if claimed < self._policy.batch:  # a full batch: more may be due right now
                await self._pause(stop)

    async def deliver_due(self) -> int:
        """Claim the events due now and attempt each; how many were claimed."""
        claim = uuid4().hex
        now, policy = self._clock.now(), self._policy
        events = await self._outbox.claim(now, policy.lease, policy.batch, claim=claim)
        await asyncio.gather(*(self._attempt(event) for event in events))
        return len(events)

    async def measure(self) -> None:
        backlog = await self._outbox.backlog()
        age = 0.0
        if backlog.oldest is not None:
            age = max(0.0, (self._clock.now() - backlog.oldest).total_seconds())
        self._metrics.backlog(backlog.pending, age, backlog.dead)

    async def _attempt(self, event: OutboxEvent) -> None:
        try:
            webhook = await self._webhook(event.tenant)
            if webhook is None:
                await self._bury(event, "no_webhook")
            elif not event.opened:
                await self._failed(event, "sealed")  # the key may come back in a restart
            else:
                await self._post(event, webhook)
        except Exception as error:  # the outbox went away mid-attempt: the lease expires
            log.warning(
                "webhook.attempt_unfinished", event_id=event.id, error=type(error).__name__
            )

    async def _webhook(self, tenant: str) -> CrisisWebhook | None:
        found = await self._directory.tenant(tenant)
        return None if found is None else found.settings.crisis_webhook

    async def _post(self, event: OutboxEvent, webhook: CrisisWebhook) -> None:
        timestamp = int(self._clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(webhook.secret, event.body, timestamp),
            EVENT_ID_HEADER: event.id,
        }
        try:
            status = await self._poster.post(webhook.url, event.body, headers)
        except WebhookPostError as error:
            await self._failed(event, str(error))
            return
        if 200 <= status < 300:
            if await self._outbox.delivered(event.id, event.claim):
                self._metrics.delivery("delivered")
                log.info(
                    "webhook.delivered",
                    event_id=event.id,
                    tenant=event.tenant,
                    status=status,
                    attempts=event.attempts + 1,
                )
            else:
                log.warning("webhook.lease_lost", event_id=event.id)
            return
        await self._failed(event, f"http_{status}")

    async def _failed(self, event: OutboxEvent, error: str) -> None:
        now, attempts = self._clock.now(), event.attempts + 1
        if now - event.created_at >= self._policy.give_up_after:
            await self._bury(event, error, attempts)
            return
        wait = self._policy.backoff.delay(attempts)
        due = now + timedelta(seconds=wait)
        if await self._outbox.retry(
            event.id, event.claim, due_at=due, attempts=attempts, error=error
        ):
            self._metrics.delivery("failed_attempt")
        log.warning(
            "webhook.failed",
            event_id=event.id,
            tenant=event.tenant,
            error=error,
            attempts=attempts,
            retry_in=round(wait, 1),
        )

    async def _bury(self, event: OutboxEvent, error: str, attempts: int | None = None) -> None:
        attempts = event.attempts if attempts is None else attempts
        at = self._clock.now()
        if await self._outbox.bury(event.id, event.claim, at=at, attempts=attempts, error=error):
            self._metrics.delivery("dead")
        log.error(
            "webhook.dead", event_id=event.id, tenant=event.tenant, error=error, attempts=attempts
        )

    async def _pause(self, stop: asyncio.Event) -> None:
        """Until the poll interval is over (on the clock), an event is enqueued, or stop."""
        waits = [
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(self._nudge.wait()),
            asyncio.ensure_future(self._clock.sleep(self._policy.poll)),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*waits, return_exceptions=True)
