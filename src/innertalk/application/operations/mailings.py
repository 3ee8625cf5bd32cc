"""MailingDesk: what the panel does with mailings — audience counts, enqueueing a job, its
progress, cancelling it, and the history — always within the operator's tenant's bots.

Sending is the ``MailingWorker``'s, in ``innertalk bot``; the desk only writes jobs, so it
works in ``innertalk api`` too.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from innertalk.application.operations.mailing_jobs import MailingJobs
from innertalk.application.ports import Clock, StatsStore
from innertalk.domain.mailings import MailingJob
from innertalk.domain.stats import Segment

log = structlog.get_logger(__name__)

BotsOf = Callable[[str | None], Awaitable[list[str]]]
"""The Telegram bots a tenant owns (``None``: every tenant's), for the composition root."""


class MailingScopeError(Exception):
    """The bot or job is not the operator's tenant's (shown as not found)."""


@dataclass(slots=True)
class MailingDesk:
    jobs: MailingJobs
    stats: StatsStore
    clock: Clock
    bots_of: BotsOf
    wake: Callable[[], None] | None = None
    """Tells a worker in this process that a job is waiting (``None``: it polls)."""
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex[:16])

    async def bots(self, tenant: str | None) -> list[str]:
        return sorted(await self.bots_of(tenant))

    async def audience_size(self, tenant: str | None, bot_id: str, segment: Segment) -> int:
        await self._check_bot(tenant, bot_id)
        return len(await self.stats.audience(bot_id, segment, self.clock.now()))

    async def enqueue(
        self, tenant: str | None, operator: str, bot_id: str, segment: Segment, html: str
    ) -> MailingJob:
        """A pending job sending ``html`` (the rendered Telegram HTML) to ``segment``."""
        await self._check_bot(tenant, bot_id)
        job = MailingJob(self.new_id(), bot_id, segment, html, operator, self.clock.now())
        await self.jobs.add(job)
        log.info("mailing.enqueued", job=job.id, segment=segment.value)
        if self.wake is not None:
            self.wake()
        return job

    async def job(self, tenant: str | None, job_id: str) -> MailingJob | None:
        job = await self.jobs.get(job_id)
        if job is None or job.bot_id not in await self.bots_of(tenant):
            return None
        return job

    async def cancel(self, tenant: str | None, job_id: str) -> MailingJob | None:
        if await self.job(tenant, job_id) is None:
            return None
        return await self.jobs.cancel(job_id, self.clock.now())

    async def history(self, tenant: str | None, limit: int = 50) -> list[MailingJob]:
        bots = None if tenant is None else await self.bots_of(tenant)
        return await self.jobs.history(bots, limit)

    async def _check_bot(self, tenant: str | None, bot_id: str) -> None:
        if bot_id not in await self.bots_of(tenant):
            raise MailingScopeError(bot_id)
