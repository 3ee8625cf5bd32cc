"""Mailing jobs in this process only: for tests and ``innertalk chat`` (they do not survive a
restart). Texts go through a ``BodySeal`` like the real stores' do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from innertalk.application.operations.mailing_jobs import MailingJobsUnavailableError
from innertalk.domain.mailings import MailingJob, MailingProgress, MailingState
from innertalk.infrastructure.outbox_seal import BodySeal

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(slots=True)
class _Row:
    job: MailingJob
    stored: str
    leased_until: datetime = _NEVER


class LocalMailingJobs:
    """``MailingJobs`` in a dict; ``failing = True`` makes every call raise."""

    def __init__(self, seal: BodySeal | None = None) -> None:
        self._seal = seal or BodySeal(purpose="mailing")
        self._rows: dict[str, _Row] = {}
        self.failing = False

    async def add(self, job: MailingJob) -> None:
        self._check()
        stored = self._seal.seal(job.id, job.text.encode("utf-8"))
        clean = MailingJob(job.id, job.bot_id, job.segment, "", job.created_by, job.created_at)
        self._rows.setdefault(job.id, _Row(clean, stored))

    async def record(self, job: MailingJob) -> None:
        self._check()
        stored = self._seal.seal(job.id, job.text.encode("utf-8"))
        clean = replace(job, text="", claim="", cancel_requested=False, opened=True)
        self._rows.setdefault(job.id, _Row(clean, stored))

    async def get(self, job_id: str) -> MailingJob | None:
        self._check()
        row = self._rows.get(job_id)
        return None if row is None else self._opened(row)

    async def history(self, bots: Sequence[str] | None, limit: int) -> list[MailingJob]:
        self._check()
        rows = [r for r in self._rows.values() if bots is None or r.job.bot_id in bots]
        rows.sort(key=lambda row: (row.job.created_at, row.job.id), reverse=True)
        return [self._opened(row) for row in rows[:limit]]

    async def claim(
        self, now: datetime, lease: timedelta, *, bots: Sequence[str], claim: str
    ) -> MailingJob | None:
        self._check()
        ready = [
            row
            for row in self._rows.values()
            if row.job.bot_id in bots and not row.job.state.finished and row.leased_until <= now
        ]
        if not ready:
            return None
        row = min(ready, key=lambda row: (row.job.created_at, row.job.id))
        started = row.job.started_at or now
        row.job = replace(row.job, state=MailingState.SENDING, started_at=started, claim=claim)
        row.leased_until = now + lease
        return self._opened(row)

    async def checkpoint(
        self, job_id: str, claim: str, progress: MailingProgress, *, leased_until: datetime
    ) -> MailingJob | None:
        row = self._held(job_id, claim)
        if row is None:
            return None
        row.job = row.job.advanced(progress)
        row.leased_until = leased_until
        return self._opened(row)

    async def finish(
        self,
        job_id: str,
        claim: str,
        progress: MailingProgress,
        *,
        state: MailingState,
        at: datetime,
    ) -> bool:
        row = self._held(job_id, claim)
        if row is None:
            return False
        row.job = replace(row.job, progress=progress, state=state, finished_at=at, claim="")
        row.leased_until = _NEVER
        return True

    async def cancel(self, job_id: str, at: datetime) -> MailingJob | None:
        self._check()
        row = self._rows.get(job_id)
        if row is None:
            return None
        if row.job.state is MailingState.PENDING:
            row.job = replace(row.job, state=MailingState.CANCELLED, finished_at=at)
        elif row.job.state is MailingState.SENDING:
            row.job = replace(row.job, cancel_requested=True)
        return self._opened(row)

    async def close(self) -> None:
        return None

    def _opened(self, row: _Row) -> MailingJob:
        text = self._seal.open(row.job.id, row.stored)
        return replace(
            row.job, text="" if text is None else text.decode("utf-8"), opened=text is not None
        )

    def _held(self, job_id: str, claim: str) -> _Row | None:
        self._check()
        row = self._rows.get(job_id)
        if row is None or row.job.state is not MailingState.SENDING or row.job.claim != claim:
            return None
        return row

    def _check(self) -> None:
        if self.failing:
            raise MailingJobsUnavailableError("failing")
