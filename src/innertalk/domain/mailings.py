"""A mailing as a durable job: what an operator sends to a segment of one bot's people, and
how far it got (so a job outlives the process that sends it, and resumes where it stopped)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from innertalk.domain.stats import Segment


class MailingState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (MailingState.DONE, MailingState.CANCELLED, MailingState.FAILED)


@dataclass(frozen=True, slots=True)
class MailingProgress:
    """Counts so far and the position: people are sent to in ``user_id`` order, so everyone
    up to ``cursor`` has been handled and a resumed job starts after it."""

    total: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    cursor: int = -1
    """The last ``user_id`` handled (``-1``: nobody yet)."""

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.unreachable


@dataclass(frozen=True, slots=True)
class MailingJob:
    """One mailing. ``text`` is the Telegram HTML sent, exactly (rendered when composed);
    ``opened`` is ``False`` when it is sealed with a key that is not configured (``text`` is
    then empty and the job cannot be sent)."""

    id: str
    bot_id: str
    segment: Segment
    text: str
    created_by: str
    created_at: datetime
    state: MailingState = MailingState.PENDING
    progress: MailingProgress = MailingProgress()
    started_at: datetime | None = None
    finished_at: datetime | None = None
    cancel_requested: bool = False
    claim: str = ""
    """The lease this job was returned under (empty outside a claim)."""
    opened: bool = True

    def advanced(self, progress: MailingProgress) -> MailingJob:
        return replace(self, progress=progress)
