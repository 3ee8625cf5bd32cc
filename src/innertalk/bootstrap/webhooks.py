"""Crisis webhooks for the processes that serve people (``innertalk bot``, ``innertalk api``):
the outbox in ``DATABASE_URL``, the enqueueing side for ``SafetyService`` and the delivery
worker, started and stopped with the app (``build_app``'s ``tenancy``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import structlog

from innertalk.application.operations.tenants import TenantRegistry
from innertalk.application.ports import Clock
from innertalk.application.tenancy import PersonRefs
from innertalk.application.webhooks.delivery import DeliveryPolicy, WebhookDelivery
from innertalk.application.webhooks.outbox import OutboxUnavailableError, WebhookOutbox
from innertalk.application.webhooks.reporting import CrisisWebhooks
from innertalk.bootstrap.stores import at_rest_cipher
from innertalk.config import ConfigError, Settings
from innertalk.infrastructure.observability.metrics import (
    PrometheusWebhookMetrics,
    count_webhook_enqueue_failure,
)
from innertalk.infrastructure.outbox_seal import BodySeal
from innertalk.infrastructure.storage.sqlite.webhook_outbox import SqliteWebhookOutbox
from innertalk.infrastructure.webhook_poster import AiohttpWebhookPoster

log = structlog.get_logger(__name__)

SHUTDOWN_GRACE = 2.0
"""Seconds beyond one attempt's timeout the worker gets to finish at shutdown; an attempt cut
off is delivered again by the next process (its lease expires)."""


@dataclass(frozen=True, slots=True)
class Tenancy:
    """The tenant directory (with the registry's writes and bots, for the commands and the
    bot's other tenants) and the partners' refs (built by the composition root)."""

    directory: TenantRegistry
    refs: PersonRefs


async def open_webhook_outbox(settings: Settings) -> WebhookOutbox:
    """The outbox in ``DATABASE_URL``'s database (migrated: SQLite migration 6, or the
    collection's index created here), bodies sealed with the at-rest key when one is set."""
    seal = BodySeal(at_rest_cipher(settings))
    try:
        if settings.storage.backend == "mongodb":
            from innertalk.infrastructure.storage.mongo.webhook_outbox import MongoWebhookOutbox

            url, database = settings.storage.database_url, settings.storage.mongodb_database
            return await MongoWebhookOutbox.open(url, database, seal)
        return await SqliteWebhookOutbox.open(settings.storage.sqlite_path, seal)
    except OutboxUnavailableError as error:
        raise ConfigError(
            f"DATABASE_URL: the crisis webhook outbox cannot be used ({error})"
        ) from None


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    """A lease comfortably longer than one attempt (``CRISIS_WEBHOOK_TIMEOUT``)."""
    timeout = settings.wellbeing.crisis_webhook_timeout
    return DeliveryPolicy(lease=timedelta(seconds=max(60.0, 3 * timeout)))


@asynccontextmanager
async def crisis_webhooks(
    settings: Settings, tenancy: Tenancy, clock: Clock
) -> AsyncIterator[CrisisWebhooks]:
    """The enqueueing side for ``SafetyService``; the delivery worker runs meanwhile."""
    outbox = await open_webhook_outbox(settings)
    timeout = settings.wellbeing.crisis_webhook_timeout
    poster = AiohttpWebhookPoster(timeout)
    webhooks = CrisisWebhooks(
        outbox=outbox,
        directory=tenancy.directory,
        refs=tenancy.refs,
        clock=clock,
        on_failure=count_webhook_enqueue_failure,
    )
    delivery = WebhookDelivery(
        outbox=outbox,
        directory=tenancy.directory,
        poster=poster,
        clock=clock,
        metrics=PrometheusWebhookMetrics(),
        policy=delivery_policy(settings),
        nudge=webhooks.nudge,
    )
    stop = asyncio.Event()
    worker = asyncio.create_task(delivery.run(stop), name="crisis-webhooks")
    try:
        yield webhooks
    finally:
        stop.set()
        _, late = await asyncio.wait({worker}, timeout=timeout + SHUTDOWN_GRACE)
        if late:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        try:
            await poster.close()
        finally:
            await outbox.close()
