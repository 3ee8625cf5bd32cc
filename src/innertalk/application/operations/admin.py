"""AdminService: statistics, blocking people, and mailings paced within Telegram's limits."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

import structlog

from innertalk.application.operations.mailing_jobs import (
    MailingJobs,
    MailingJobsUnavailableError,
)
from innertalk.application.ports import Clock, JobLock, JobLocks, StatsStore
from innertalk.application.profiles import ProfileService
from innertalk.application.wellbeing.reminder_dispatch import Pacer, SendOutcome
from innertalk.domain.mailings import MailingJob, MailingProgress, MailingState
from innertalk.domain.stats import BotStats, ModelSpend, Segment, cost_per_active_person
from innertalk.domain.users import Pseudonyms, UserKey

log = structlog.get_logger(__name__)

MAILING_RATE = 25.0
"""Messages per second; Telegram allows about 30 per second to different chats."""

Progress = Callable[["MailingReport"], Awaitable[None]]


class MailingBusyError(Exception):
    """A mailing of this bot is already running (on this or another instance)."""


class Messenger(Protocol):
    """Delivers an operator's text to one person (the bot's adapter)."""

    async def send_text(self, key: UserKey, text: str) -> SendOutcome: ...


@dataclass(slots=True)
class MailingReport:
    """A mailing's progress and result; kept in the service's log once finished."""

    segment: Segment
    started_at: datetime
    total: int
    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    finished_at: datetime | None = None
    cancelled: bool = False

    @property
    def done(self) -> int:
        return self.sent + self.unreachable + self.failed


@dataclass(slots=True)
class AdminService:
    store: StatsStore
    profiles: ProfileService
    clock: Clock
    rate: float = MAILING_RATE
    history: list[MailingReport] = field(default_factory=list)
    locks: JobLocks | None = None
    """One mailing per bot at a time across instances; ``None``: not checked here (one
    process, whose console runs one mailing at a time)."""
    pseudonyms: Pseudonyms = field(default_factory=Pseudonyms.ephemeral)
    """Names people in the log (the composition root passes the configured ones)."""
    cost_of: Callable[[ModelSpend], float | None] | None = None
    """US dollars a model's tokens cost (``LLM_PRICES``); ``None``: cost is not shown."""
    journal: MailingJobs | None = None
    """Where finished mailings are recorded for the panel's history (the /admin menu sends
    in this process; the panel's mailings are jobs sent by ``MailingWorker``)."""

    async def stats(self, bot_id: str) -> BotStats:
        stats = await self.store.bot_stats(bot_id, self.clock.now())
        if self.cost_of is None:
            return stats
        return replace(stats, cost_per_active_person=cost_per_active_person(stats, self.cost_of))

    async def audience(self, bot_id: str, segment: Segment) -> list[UserKey]:
        return await self.store.audience(bot_id, segment, self.clock.now())

    async def block(self, key: UserKey, *, blocked: bool) -> bool:
        """Block or unblock a person; ``False`` when the bot has never met them."""
        changed = await self.profiles.set_blocked(key, blocked)
        log.info("admin.block", blocked=blocked, found=changed, user=self.pseudonyms.of(key))
        return changed

    async def mail(
        self,
        bot_id: str,
        segment: Segment,
        text: str,
        messenger: Messenger,
        *,
        progress: Progress | None = None,
        progress_every: int = 25,
        by: str = "telegram",
    ) -> MailingReport:
        """Send ``text`` to everyone in ``segment``, paced; people who blocked the bot are
        marked unreachable. ``progress`` is called every ``progress_every`` sends and at the end.
        Cancelling the task stops the mailing; the report says how far it got.

        ``MailingBusyError`` (nothing sent) while another mailing of ``bot_id`` runs anywhere.
        ``by`` names the operator in the recorded history.
        """
        lock = await self._lock(bot_id)
        report = MailingReport(segment, self.clock.now(), 0)
        try:
            return await self._mail(bot_id, text, messenger, report, progress, progress_every)
        finally:
            if lock is not None:
                await lock.release()
            await self._record(bot_id, text, by, report)

    async def _lock(self, bot_id: str) -> JobLock | None:
        if self.locks is None:
            return None
        lock = await self.locks.try_acquire(f"mailing:{bot_id}")
        if lock is None:
            log.info("admin.mailing_busy")
            raise MailingBusyError(bot_id)
        return lock

    async def _mail(
        self,
        bot_id: str,
        text: str,
        messenger: Messenger,
        report: MailingReport,
        progress: Progress | None,
        progress_every: int,
    ) -> MailingReport:
        audience = await self.audience(bot_id, report.segment)
        report.total = len(audience)
        segment = report.segment
        pacer = Pacer(self.clock, self.rate)
        try:
            for key in audience:
                await pacer.wait()
                outcome = await self._deliver(messenger, key, text)
                if outcome is SendOutcome.SENT:
                    report.sent += 1
                elif outcome is SendOutcome.UNREACHABLE:
                    report.unreachable += 1
                    await self.profiles.set_reachable(key, False)
                else:
                    report.failed += 1
                if progress is not None and report.done % progress_every == 0:
                    await progress(report)
        except BaseException:
            report.cancelled = True
            raise
        finally:
            report.finished_at = self.clock.now()
            self.history.append(report)
            log.info(
                "admin.mailing",
                segment=segment.value,
                total=report.total,
                sent=report.sent,
                unreachable=report.unreachable,
                failed=report.failed,
                cancelled=report.cancelled,
            )
        if progress is not None:
            await progress(report)
        return report

    async def _record(self, bot_id: str, text: str, by: str, report: MailingReport) -> None:
        """Add the ended mailing to the job store's history; a failure is only logged."""
        if self.journal is None or report.finished_at is None:
            return
        state = MailingState.CANCELLED if report.cancelled else MailingState.DONE
        counts = MailingProgress(report.total, report.sent, report.failed, report.unreachable)
        job = MailingJob(
            uuid.uuid4().hex[:16],
            bot_id,
            report.segment,
            text,
            by,
            report.started_at,
            state=state,
            progress=counts,
            started_at=report.started_at,
            finished_at=report.finished_at,
        )
        try:
            await self.journal.record(job)
        except MailingJobsUnavailableError as error:
            log.warning("admin.mailing_not_recorded", error=str(error))

    @staticmethod
    async def _deliver(messenger: Messenger, key: UserKey, text: str) -> SendOutcome:
        try:
            return await messenger.send_text(key, text)
        except Exception as error:  # one failed delivery must not stop the mailing
            log.warning("admin.mailing_failed", error=type(error).__name__)
            return SendOutcome.FAILED
