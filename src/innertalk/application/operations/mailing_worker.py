"""The mailing worker: sends durable mailing jobs from the process that can reach Telegram.

Each round claims one job of the bots this process serves (a lease in the job store, so two
instances never send the same job) and sends it, paced, in ``user_id`` order. After every
``checkpoint_every`` messages it saves the counts and the last ``user_id`` handled, extends
the lease and reads the cancel flag; a job whose worker died is taken over once the lease
expires and resumes after that position, so people already handled get nothing twice (at
most the messages since the last checkpoint, none with the default of 1). The bot-wide job
lock (``mailing:<bot>``, the /admin menu's too) keeps one mailing per bot at a time.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

import structlog

from innertalk.application.operations.admin import MAILING_RATE, Messenger
from innertalk.application.operations.mailing_jobs import (
    MailingJobs,
    MailingJobsUnavailableError,
)
from innertalk.application.ports import Clock, JobLocks, StatsStore
from innertalk.application.profiles import ProfileService
from innertalk.application.wellbeing.reminder_dispatch import Pacer, SendOutcome
from innertalk.domain.mailings import MailingJob, MailingProgress, MailingState
from innertalk.domain.users import UserKey

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class MailingPolicy:
    lease: timedelta = timedelta(minutes=2)
    """Comfortably longer than a few messages with Telegram's 429 waits between checkpoints."""
    checkpoint_every: int = 1
    """Messages between checkpoints, which is also how often the cancel flag is read: a crash
    sends again at most the messages since the last one (1: only the one in flight; a write
    per message is cheap at 25 messages a second)."""
    rate: float = MAILING_RATE
    poll: float = 5.0
    """Seconds between looks for new jobs when idle (``wake`` shortens it)."""


class MailingWorker:
    """Claims and sends mailing jobs of the bots in ``messengers`` (bot id → its sender)."""

    def __init__(
        self,
        *,
        jobs: MailingJobs,
        audience: StatsStore,
        profiles: ProfileService,
        messengers: Mapping[str, Messenger],
        clock: Clock,
        locks: JobLocks | None = None,
        policy: MailingPolicy | None = None,
    ) -> None:
        self._jobs, self._audience, self._profiles = jobs, audience, profiles
        self._messengers, self._clock, self._locks = messengers, clock, locks
        self._policy = policy or MailingPolicy()
        self.wake = asyncio.Event()
        """Set by a desk in this process when it enqueued a job: look now, not at the poll."""

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until ``stop``; a job cut off by ``stop`` is resumed by the next claim."""
        while not stop.is_set():
            try:
                worked = await self.round(stop)
            except MailingJobsUnavailableError as error:
                log.warning("mailing.store_unavailable", error=str(error))
                worked = False
            except Exception as error:  # a bad round must not end the worker for good
                log.error("mailing.round_failed", error=type(error).__name__)
                worked = False
            if not worked:
                await _first(stop, self.wake, within=self._policy.poll)
                self.wake.clear()

    async def round(self, stop: asyncio.Event | None = None) -> bool:
        """Send one claimed job to its end (or until cancelled); ``False``: nothing to do.
        Once ``stop`` is set the job is handed back (its lease ended) before the next message,
        so another instance resumes it at once."""
        for bot_id, messenger in self._messengers.items():
            lock = None
            if self._locks is not None:
                lock = await self._locks.try_acquire(f"mailing:{bot_id}")
                if lock is None:
                    continue  # this bot's mailing runs elsewhere
            try:
                job = await self._jobs.claim(
                    self._clock.now(), self._policy.lease, bots=[bot_id], claim=_claim_id()
                )
                if job is not None:
                    await self._send(job, messenger, stop or asyncio.Event())
                    return True
            finally:
                if lock is not None:
                    await lock.release()
        return False

    async def _send(self, job: MailingJob, messenger: Messenger, stop: asyncio.Event) -> None:
        if not job.opened or job.cancel_requested:
            state = MailingState.CANCELLED if job.opened else MailingState.FAILED
            await self._finish(job, job.progress, state)
            return
        everyone = await self._audience.audience(job.bot_id, job.segment, self._clock.now())
        people = sorted(
            (key for key in everyone if key.user_id > job.progress.cursor),
            key=lambda key: key.user_id,
        )
        progress = replace(job.progress, total=job.progress.done + len(people))
        if await self._checkpoint(job, progress) is None:
            return
        log.info("mailing.sending", job=job.id, total=progress.total, left=len(people))
        pacer = Pacer(self._clock, self._policy.rate)
        for number, key in enumerate(people, start=1):
            if stop.is_set():
                await self._checkpoint(job, progress, lease=timedelta(0))
                log.info("mailing.handed_back", job=job.id, done=progress.done)
                return
            await pacer.wait()
            progress = await self._deliver(messenger, key, job.text, progress)
            last = number == len(people)
            if last or number % self._policy.checkpoint_every == 0:
                held = await self._checkpoint(job, progress)
                if held is None:
                    return  # the lease was lost: the job's new holder goes on
                if held.cancel_requested and not last:
                    await self._finish(job, progress, MailingState.CANCELLED)
                    return
        await self._finish(job, progress, MailingState.DONE)

    async def _deliver(
        self, messenger: Messenger, key: UserKey, text: str, progress: MailingProgress
    ) -> MailingProgress:
        try:
            outcome = await messenger.send_text(key, text)
        except Exception as error:  # one failed delivery must not stop the mailing
            log.warning("mailing.delivery_error", error=type(error).__name__)
            outcome = SendOutcome.FAILED
        if outcome is SendOutcome.UNREACHABLE:
            await self._profiles.set_reachable(key, False)
        return replace(
            progress,
            sent=progress.sent + (outcome is SendOutcome.SENT),
            unreachable=progress.unreachable + (outcome is SendOutcome.UNREACHABLE),
            failed=progress.failed + (outcome is SendOutcome.FAILED),
            cursor=key.user_id,
        )

    async def _checkpoint(
        self, job: MailingJob, progress: MailingProgress, *, lease: timedelta | None = None
    ) -> MailingJob | None:
        until = self._clock.now() + (self._policy.lease if lease is None else lease)
        held = await self._jobs.checkpoint(job.id, job.claim, progress, leased_until=until)
        if held is None:
            log.warning("mailing.lease_lost", job=job.id)
        return held

    async def _finish(
        self, job: MailingJob, progress: MailingProgress, state: MailingState
    ) -> None:
        at = self._clock.now()
        await self._jobs.finish(job.id, job.claim, progress, state=state, at=at)
        log.info(
            "mailing.finished",
            job=job.id,
            state=state.value,
            segment=job.segment.value,
            total=progress.total,
            sent=progress.sent,
            unreachable=progress.unreachable,
            failed=progress.failed,
        )


def _claim_id() -> str:
    return uuid.uuid4().hex


async def _first(*events: asyncio.Event, within: float) -> None:
    """Return when any of ``events`` is set, or after ``within`` seconds."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
