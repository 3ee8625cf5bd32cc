"""The mailing job store: jobs are ``add``ed by whoever composes them (the panel), and sent by
whichever ``innertalk bot`` instance ``claim``s them first.

A claim is a lease: until it expires no other claim returns the job, and a worker that dies
mid-job lets it expire, so another one resumes it after its ``progress.cursor``. Every later
write names the claim it acts on, so a worker whose lease ran out cannot overwrite what the
job's new holder did.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from innertalk.domain.mailings import MailingJob, MailingProgress, MailingState


class MailingJobsUnavailableError(Exception):
    """The job store could not be reached in time."""


class MailingJobs(Protocol):
    """Mailing jobs, kept after they finish (the history). Every method raises
    ``MailingJobsUnavailableError`` when the store cannot be reached."""

    async def add(self, job: MailingJob) -> None:
        """Store ``job`` (pending; its state, progress and claim are ignored)."""
        ...

    async def record(self, job: MailingJob) -> None:
        """Store a mailing sent elsewhere (the Telegram /admin menu's), as it ended: for the
        history only, never claimed."""
        ...

    async def get(self, job_id: str) -> MailingJob | None: ...

    async def history(self, bots: Sequence[str] | None, limit: int) -> list[MailingJob]:
        """The newest ``limit`` jobs of ``bots`` (``None``: every bot), newest first."""
        ...

    async def claim(
        self, now: datetime, lease: timedelta, *, bots: Sequence[str], claim: str
    ) -> MailingJob | None:
        """The oldest unfinished job of ``bots`` that is not leased (or whose lease expired),
        now ``sending``, leased to ``claim`` until ``now + lease`` (``started_at`` set once)."""
        ...

    async def checkpoint(
        self, job_id: str, claim: str, progress: MailingProgress, *, leased_until: datetime
    ) -> MailingJob | None:
        """Save ``progress`` and extend the lease, if ``claim`` still holds the job: the job
        as stored (whether it was asked to cancel); ``None`` when the claim was lost."""
        ...

    async def finish(
        self,
        job_id: str,
        claim: str,
        progress: MailingProgress,
        *,
        state: MailingState,
        at: datetime,
    ) -> bool:
        """End the job in ``state`` with ``progress``, if ``claim`` still holds it."""
        ...

    async def cancel(self, job_id: str, at: datetime) -> MailingJob | None:
        """A pending job is cancelled at once; a sending one is asked to stop (its worker
        checks between messages); a finished one stays as it is. The job after, or ``None``."""
        ...

    async def close(self) -> None: ...
