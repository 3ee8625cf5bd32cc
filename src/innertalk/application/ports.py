"""Ports: what the use cases need from the outside world, as Protocols named by nouns.

Adapters live in ``innertalk.infrastructure``; only the composition root picks them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from innertalk.domain.conversation import ConversationContext, Session, Turn
from innertalk.domain.privacy import UserRecords
from innertalk.domain.prompting import ModelChunk, ModelReply, ModelRequest
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.stats import BotStats, Segment
from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult

Record = (
    Profile
    | Session
    | Turn
    | MoodEntry
    | QuestionnaireResult
    | Portrait
    | Feedback
    | ReminderSettings
)
"""Anything a store persists. Every record carries its owner's ``UserKey``.

``ReminderSettings`` are upserted by owner (one per person); a write never moves
``last_sent_at`` back, so a stale copy cannot unrecord a reminder already sent."""


class ModelRefusedError(Exception):
    """The model declined the request (bad request, content policy): retrying will not help.

    Entry points answer the person with a gentle, localized message instead of a reply.
    """


class Clock(Protocol):
    """Time, passed in so that rules and tests never read the wall clock themselves."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for intervals and deadlines."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock."""
        ...


class LanguageModel(Protocol):
    """Something that answers a ``ModelRequest``: a provider, a router, the offline responder."""

    async def complete(self, request: ModelRequest) -> ModelReply:
        """The whole answer at once."""
        ...

    def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        """The answer in pieces; the last chunk carries the complete ``ModelReply``."""
        ...


class RecordStore(Protocol):
    """Writes records. Writing is an idempotent upsert by id, so a retried batch is harmless."""

    async def write(self, records: Sequence[Record]) -> None:
        """Persist ``records`` together: all of them or none."""
        ...


class ConversationStore(Protocol):
    """Reads what a conversation needs."""

    async def load_context(
        self, key: UserKey, turn_limit: int, opening_limit: int = 0
    ) -> ConversationContext:
        """Profile, open session, previous summary, its newest ``turn_limit`` turns and first
        ``opening_limit`` turns, in one round trip."""
        ...

    async def session_turns(self, key: UserKey, session_id: str, limit: int) -> list[Turn]:
        """The newest ``limit`` turns of one session, oldest first."""
        ...

    async def sessions(self, key: UserKey, limit: int) -> list[Session]:
        """The newest ``limit`` sessions of a person, newest first."""
        ...

    async def recent_messages(self, key: UserKey, limit: int) -> list[Turn]:
        """The person's own newest ``limit`` turns across sessions, oldest first."""
        ...


class ProfileStore(Protocol):
    """Reads profiles."""

    async def get_profile(self, key: UserKey) -> Profile | None:
        """The profile, or ``None`` for someone never seen."""
        ...


class WellbeingStore(Protocol):
    """Reads the records of the wellbeing tools, newest first."""

    async def moods(self, key: UserKey, limit: int) -> list[MoodEntry]: ...

    async def questionnaire_results(
        self, key: UserKey, limit: int, instrument: str | None = None
    ) -> list[QuestionnaireResult]: ...

    async def portraits(self, key: UserKey, limit: int) -> list[Portrait]: ...

    async def feedback(self, key: UserKey, limit: int) -> list[Feedback]: ...


class PrivacyStore(Protocol):
    """Everything about one person, to hand over or to erase."""

    async def export_user(self, key: UserKey) -> UserRecords:
        """Every record of ``key``, oldest first within each kind."""
        ...

    async def delete_user(self, key: UserKey) -> int:
        """Erase every record of ``key`` in one transaction; returns how many were erased."""
        ...

    async def purge_turns_before(self, cutoff: datetime) -> int:
        """Erase every turn older than ``cutoff`` (retention); returns how many."""
        ...


class ReminderStore(Protocol):
    """Reminder settings are written through ``RecordStore.write``; these read and claim them."""

    async def get_reminder(self, key: UserKey) -> ReminderSettings | None:
        """The person's reminder settings, or ``None`` when never set."""
        ...

    async def due_reminders(self, now: datetime, limit: int) -> list[ReminderSettings]:
        """Enabled reminders with ``next_due_at <= now`` of every person on every bot, the
        longest due first (ties by bot and user), at most ``limit``."""
        ...

    async def claim_reminder(
        self,
        key: UserKey,
        due_at: datetime,
        next_due_at: datetime | None,
        sent_at: datetime | None,
        *,
        failures: int = 0,
    ) -> bool:
        """Compare-and-set: if the enabled reminder of ``key`` is still due at ``due_at``, move
        it to ``next_due_at`` and set ``last_sent_at``/``failures``; ``True`` only for the one
        caller (of every process sharing the store) that made the change.
        """
        ...


class ForgettingStore(Protocol):
    """Erasing chosen parts of what is remembered about a person (``/forget``)."""

    async def forget_summaries(self, key: UserKey) -> int:
        """Clear the summary of every session of ``key``; how many sessions had one."""
        ...

    async def delete_results(self, key: UserKey) -> int:
        """Delete every questionnaire result of ``key``; how many were deleted."""
        ...


class StatsStore(Protocol):
    """Counts for operators, and who a mailing reaches."""

    async def bot_stats(self, bot_id: str, now: datetime) -> BotStats: ...

    async def audience(self, bot_id: str, segment: Segment, now: datetime) -> list[UserKey]:
        """Consented, reachable, unblocked people of ``bot_id`` in ``segment``."""
        ...


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record the write-behind queue gave up on: whose, which and why — never its content."""

    key: UserKey
    record_id: str
    """The record's id; empty for records keyed by their owner (profile, reminder)."""
    kind: str
    """The record's type: ``Turn``, ``Session``, ``Profile``…"""
    error: str
    """The class of the error that made it permanent, e.g. ``UnicodeEncodeError``."""
    failed_at: datetime


class DeadLetterStore(Protocol):
    """Where records that can never be stored are noted (docs/operations.md, *Dead letters*).

    A person's dead letters are erased with the rest of their records (``delete_user``)."""

    async def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        """Note ``letters``."""
        ...

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        """The newest ``limit`` dead letters of every person, newest first."""
        ...


class Storage(
    DeadLetterStore,
    StatsStore,
    RecordStore,
    ConversationStore,
    ProfileStore,
    WellbeingStore,
    PrivacyStore,
    ReminderStore,
    ForgettingStore,
    Protocol,
):
    """A complete storage backend."""

    async def migrate(self) -> None:
        """Bring the schema (or indexes) up to date; safe to run again."""
        ...

    async def ping(self) -> None:
        """Raise if the backend cannot answer a trivial query right now."""
        ...

    async def close(self) -> None:
        """Release connections; pending writes are persisted first."""
        ...


@dataclass(frozen=True, slots=True)
class CacheLookup:
    """What the cache holds for a person, and a stamp of that state for ``fill``."""

    context: ConversationContext | None
    stamp: object = None
    """Opaque to callers: ``fill`` stores a loaded context only while the cache is still in
    the state this stamp names."""


class ContextCache(Protocol):
    """Per-person conversation contexts kept close to the use cases — in this process, or
    shared by several instances. Every change a use case makes is a ``put`` or an
    ``invalidate``, and both are seen by every instance's next ``lookup``."""

    async def lookup(self, key: UserKey) -> CacheLookup:
        """The cached context (``None`` on a miss), counted as a hit or a miss."""
        ...

    async def fill(self, context: ConversationContext, stamp: object) -> None:
        """Cache a context just read from the store — unless a ``put`` or ``invalidate`` of
        that person happened since the ``lookup`` that returned ``stamp`` (it may be stale)."""
        ...

    async def put(self, context: ConversationContext) -> None:
        """Replace the person's cached context with the one a use case just made."""
        ...

    async def invalidate(self, key: UserKey) -> None:
        """Drop the person's context; the next lookup of every instance misses."""
        ...


class UserLocks(Protocol):
    """Serializes work per person, so two messages from one user run strictly in order."""

    def hold(self, key: UserKey) -> AbstractAsyncContextManager[None]:
        """Held while one message of ``key`` is processed; later ones wait in arrival order."""
        ...


class RateLimiter(Protocol):
    """Per-person message rate limits, shared by every instance when backed by Redis."""

    async def allow(self, key: UserKey) -> bool:
        """Count one message of ``key``; ``False`` when it exceeds the limit (not answered)."""
        ...


class TokenBudget(Protocol):
    """Tokens each person may spend on replies per day, shared by every instance when backed
    by Redis. An unavailable budget never refuses anyone (it fails open)."""

    async def exhausted_for(self, key: UserKey) -> float:
        """Seconds until ``key`` may be answered again; 0 while some budget is left."""
        ...

    async def spend(self, key: UserKey, tokens: int) -> None:
        """Count ``tokens`` of a reply just given (it may overdraw the budget once)."""
        ...


class JobLock(Protocol):
    """A held ``JobLocks`` lock."""

    async def release(self) -> None: ...


class JobLocks(Protocol):
    """Named locks for jobs that must not run twice at once, on any instance (a mailing)."""

    async def try_acquire(self, name: str) -> JobLock | None:
        """The lock on ``name`` until ``release``; ``None`` while another holder has it."""
        ...


class UpdateDedupe(Protocol):
    """Remembers which Telegram updates were already taken, so each is handled once."""

    async def first_time(self, bot_id: str, update_id: int) -> bool:
        """``True`` the first time an update is seen (by any instance), ``False`` after."""
        ...


class LaneQueueUnavailableError(Exception):
    """The shared lane queue could not be reached; the caller handles the update locally."""


class LaneQueue(Protocol):
    """Per-person queues of updates shared by every instance, each drained by one instance at
    a time, in sequence order (Telegram's ``update_id``).

    An instance ``push``es what it received, then tries to ``acquire`` the lane: the holder
    takes entries with ``step`` one at a time, keeps the lease alive with ``renew`` and gives
    it back with ``release``, which tells how many entries arrived meanwhile (the holder then
    tries again, so nothing waits for a lease that was just given up). A holder that dies
    loses its lease after a timeout; ``pending_lanes`` lets another instance find what it left.
    Every method raises ``LaneQueueUnavailableError`` when the queue cannot be reached.
    """

    async def push(self, lane: str, seq: int, payload: bytes) -> bool:
        """File ``payload`` under ``seq`` in ``lane``; ``False`` if ``seq`` is already queued."""
        ...

    async def acquire(self, lane: str) -> bool:
        """Take the lane's lease for this instance; ``False`` while another instance holds it."""
        ...

    async def step(self, lane: str, done: int | None) -> tuple[int, bytes] | None:
        """Remove the finished entry ``done`` (if any); the lane's next entry (``None``: the
        lane is empty or the lease was lost)."""
        ...

    async def renew(self, lane: str) -> bool:
        """Extend this instance's lease; ``False`` if it was lost."""
        ...

    async def release(self, lane: str) -> int:
        """Give the lease back; how many entries are still queued in ``lane``."""
        ...

    async def pending_lanes(self, limit: int) -> list[str]:
        """Lanes with queued entries (some may be held by a live instance right now)."""
        ...

    async def announce_stop(self, chat_id: int, draft_id: int) -> None:
        """Tell every instance (this one too) to stop the reply drafted as ``draft_id``."""
        ...

    def stops(self) -> AsyncIterator[tuple[int, int]]:
        """The (chat, draft) stop requests every instance announces, while it is iterated
        (a broken connection is re-established; requests made meanwhile are missed)."""
        ...
