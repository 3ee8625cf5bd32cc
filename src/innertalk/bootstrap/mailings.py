"""Mailings as durable jobs (issue 16): the job store in ``DATABASE_URL``, the panel's
``MailingDesk`` (any process: it only writes jobs), and the worker that sends them, run by
``innertalk bot`` for the bots it serves (the only process that reaches Telegram).

The lead wires them: ``innertalk bot`` enters ``mailing_worker(app, [primary, *others])``
next to the HTTP server and hands ``mailing_desk(app, jobs, worker.wake.set)`` to
``mailing_pages``; ``innertalk api`` opens ``open_mailing_jobs`` and builds the desk without
a wake (a bot instance's worker finds the job at its next poll).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from innertalk.application.operations.mailing_jobs import (
    MailingJobs,
    MailingJobsUnavailableError,
)
from innertalk.application.operations.mailing_worker import MailingWorker
from innertalk.application.operations.mailings import BotsOf, MailingDesk
from innertalk.application.operations.tenants import TenantRegistry
from innertalk.bootstrap.app import App
from innertalk.bootstrap.stores import at_rest_cipher
from innertalk.bootstrap.tenants import deployment_bot
from innertalk.config import ConfigError, Settings
from innertalk.domain.tenants import DEFAULT_TENANT
from innertalk.infrastructure.outbox_seal import BodySeal
from innertalk.infrastructure.storage.sqlite.mailing_jobs import SqliteMailingJobs
from innertalk.presentation.telegram.admin_console import TelegramMessenger
from innertalk.presentation.telegram.transport.runtime import TelegramBot

SHUTDOWN_GRACE = 5.0
"""Seconds a sending job gets to reach its next checkpoint at shutdown; the rest is resumed
by the next claim once the lease expires."""


async def open_mailing_jobs(settings: Settings) -> MailingJobs:
    """The job store in ``DATABASE_URL``'s database (SQLite migration 9, or the collection's
    index created here), texts sealed with the at-rest key when one is set."""
    seal = BodySeal(at_rest_cipher(settings), purpose="mailing")
    try:
        if settings.storage.backend == "mongodb":
            from innertalk.infrastructure.storage.mongo.mailing_jobs import MongoMailingJobs

            url, database = settings.storage.database_url, settings.storage.mongodb_database
            return await MongoMailingJobs.open(url, database, seal)
        return await SqliteMailingJobs.open(settings.storage.sqlite_path, seal)
    except MailingJobsUnavailableError as error:
        raise ConfigError(f"DATABASE_URL: mailing jobs cannot be stored ({error})") from None


def tenant_bots(directory: TenantRegistry, deployment: str | None) -> BotsOf:
    """A tenant's Telegram bots from the registry; ``TELEGRAM_BOT_TOKEN``'s bot is the
    default tenant's (and, like every bot, in every tenant's view of ``None``)."""

    async def bots_of(tenant: str | None) -> list[str]:
        bots = {bot.bot_id for bot in await directory.bots(tenant)}
        if deployment is not None and tenant in (None, DEFAULT_TENANT):
            bots.add(deployment)
        return sorted(bots)

    return bots_of


def mailing_desk(
    app: App, jobs: MailingJobs, wake: Callable[[], None] | None = None
) -> MailingDesk:
    """The panel's use case; ``wake``: a worker's ``wake.set`` in this process."""
    admin = app.services.admin
    bots = tenant_bots(app.tenancy.directory, deployment_bot(app.settings))
    return MailingDesk(
        jobs=jobs, stats=admin.store, clock=app.services.clock, bots_of=bots, wake=wake
    )


@asynccontextmanager
async def mailing_worker(
    app: App, bots: Sequence[TelegramBot], jobs: MailingJobs | None = None
) -> AsyncIterator[MailingWorker]:
    """The worker for ``bots`` runs meanwhile (its own job store unless ``jobs`` is given);
    the /admin menu's mailings are recorded in the same store's history meanwhile."""
    own = jobs is None
    store = await open_mailing_jobs(app.settings) if jobs is None else jobs
    admin = app.services.admin
    admin.journal = store
    worker = MailingWorker(
        jobs=store,
        audience=admin.store,
        profiles=admin.profiles,
        messengers={bot.bot_id: TelegramMessenger(bot.sender) for bot in bots},
        clock=app.services.clock,
        locks=admin.locks,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="mailings")
    try:
        yield worker
    finally:
        stop.set()
        _, late = await asyncio.wait({task}, timeout=SHUTDOWN_GRACE)
        if late:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        admin.journal = None
        if own:
            await store.close()
