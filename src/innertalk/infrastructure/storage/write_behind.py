"""The write-behind queue: writes return at once and reach the store in batches.

A batch is flushed when ``max_batch`` records are waiting or ``max_delay`` seconds after the
oldest one arrived, whichever comes first. A failed batch is retried with capped exponential
backoff until it lands; records stay queued (and visible to ``pending``) meanwhile, so nothing is
dropped. Reads of a person who still has queued records first wait for the queue to reach
the store, so a read never misses that person's own writes. ``close`` drains everything.

Reminder claims are compare-and-set operations shared with other processes, so they never
queue: the person's queued writes land first, then the claim runs on the inner store. The
due-reminder query first waits for every reminder write queued before it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter, deque
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import structlog

from innertalk.application.ports import Clock, Record, Storage
from innertalk.domain.conversation import ConversationContext, Session, Turn
from innertalk.domain.privacy import UserRecords
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.stats import BotStats, Segment
from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult
from innertalk.infrastructure.metrics import WRITE_BEHIND_DEPTH, WRITE_BEHIND_FAILED_FLUSHES

log = structlog.get_logger(__name__)


class WriteBehindClosedError(RuntimeError):
    """A write arrived after shutdown began."""


class WriteBehindDrainError(RuntimeError):
    """Shutdown gave up before every queued record was stored; the message says how many."""


class WriteBehindStorage:
    """A ``Storage`` whose writes are queued and persisted by one background task."""

    def __init__(
        self,
        inner: Storage,
        clock: Clock,
        *,
        max_batch: int = 100,
        max_delay: float = 0.05,
        max_pending: int = 100_000,
        retry_initial: float = 0.05,
        retry_max: float = 5.0,
        drain_timeout: float = 30.0,
    ) -> None:
        self._inner = inner
        self._clock = clock
        self._max_batch = max_batch
        self._max_delay = max_delay
        self._max_pending = max_pending
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._drain_timeout = drain_timeout
        self._queue: deque[Record] = deque()
        self._per_user: Counter[UserKey] = Counter()
        self._enqueued = 0
        self._persisted = 0
        self._last_reminder = 0
        """``_enqueued`` just after the newest queued ``ReminderSettings``."""
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._urgent = False
        self.failed_flushes = 0
        self.flushed_batches = 0
        self._failing = False

    @property
    def inner(self) -> Storage:
        return self._inner

    @property
    def depth(self) -> int:
        """Records waiting to be stored."""
        return len(self._queue)

    def pending(self, key: UserKey) -> int:
        """Records of ``key`` waiting to be stored."""
        return self._per_user[key]

    async def start(self) -> None:
        """Start the background writer."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="write-behind")

    async def write(self, records: Sequence[Record]) -> None:
        """Queue ``records``; returns at once unless ``max_pending`` records are already queued."""
        if self._closing:
            raise WriteBehindClosedError("storage is shutting down")
        if not records:
            return
        await self.start()
        async with self._changed:
            await self._changed.wait_for(lambda: len(self._queue) < self._max_pending)
            self._queue.extend(records)
            self._per_user.update(record.key for record in records)
            for index, record in enumerate(records, start=self._enqueued + 1):
                if isinstance(record, ReminderSettings):
                    self._last_reminder = index
            self._enqueued += len(records)
            WRITE_BEHIND_DEPTH.set(len(self._queue))
            self._changed.notify_all()

    async def flush(self) -> None:
        """Wait until everything queued before this call is stored."""
        await self._flush_to(self._enqueued)

    async def settled(self, key: UserKey | None) -> None:
        """Wait until ``key``'s queued writes are stored, in the next batch as usual (nothing
        is hurried: batching stays intact); ``None``: wait for everything queued (``flush``)."""
        if key is None:
            await self.flush()
            return
        if not self._per_user[key]:
            return
        async with self._changed:
            await self._changed.wait_for(lambda: not self._per_user[key])

    async def _flush_to(self, target: int) -> None:
        if self._persisted >= target:
            return
        async with self._changed:
            self._urgent = True
            self._changed.notify_all()
            await self._changed.wait_for(lambda: self._persisted >= target)

    async def close(self) -> None:
        """Stop accepting writes, store everything queued, then close the inner store.

        Raises ``WriteBehindDrainError`` (after closing the inner store) when records could
        not be stored within ``drain_timeout``; the error and a log line say how many.
        """
        self._closing = True
        lost = 0
        try:
            if self._task is not None:
                try:
                    await asyncio.wait_for(self.flush(), timeout=self._drain_timeout)
                except TimeoutError:
                    lost = len(self._queue)
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        finally:
            await self._inner.close()
        if lost:
            log.error("write_behind.records_not_stored", count=lost)
            raise WriteBehindDrainError(f"{lost} records could not be stored before shutdown")

    async def migrate(self) -> None:
        await self._inner.migrate()

    async def ping(self) -> None:
        await self._inner.ping()

    @property
    def failing(self) -> bool:
        """Whether the latest attempt to store a batch failed (and is being retried)."""
        return self._failing

    # Reads: wait for this person's own queued writes first.

    async def _settled(self, key: UserKey) -> None:
        if self._per_user[key]:
            await self.flush()

    async def load_context(self, key: UserKey, turn_limit: int) -> ConversationContext:
        await self._settled(key)
        return await self._inner.load_context(key, turn_limit)

    async def session_turns(self, key: UserKey, session_id: str, limit: int) -> list[Turn]:
        await self._settled(key)
        return await self._inner.session_turns(key, session_id, limit)

    async def recent_messages(self, key: UserKey, limit: int) -> list[Turn]:
        await self._settled(key)
        return await self._inner.recent_messages(key, limit)

    async def sessions(self, key: UserKey, limit: int) -> list[Session]:
        await self._settled(key)
        return await self._inner.sessions(key, limit)

    async def get_profile(self, key: UserKey) -> Profile | None:
        await self._settled(key)
        return await self._inner.get_profile(key)

    async def moods(self, key: UserKey, limit: int) -> list[MoodEntry]:
        await self._settled(key)
        return await self._inner.moods(key, limit)

    async def questionnaire_results(
        self, key: UserKey, limit: int, instrument: str | None = None
    ) -> list[QuestionnaireResult]:
        await self._settled(key)
        return await self._inner.questionnaire_results(key, limit, instrument)

    async def portraits(self, key: UserKey, limit: int) -> list[Portrait]:
        await self._settled(key)
        return await self._inner.portraits(key, limit)

    async def export_user(self, key: UserKey) -> UserRecords:
        await self._settled(key)
        return await self._inner.export_user(key)

    async def purge_turns_before(self, cutoff: datetime) -> int:
        """Retention: pending turns land first, so the purge sees every turn there is."""
        await self.flush()
        return await self._inner.purge_turns_before(cutoff)

    async def bot_stats(self, bot_id: str, now: datetime) -> BotStats:
        await self.flush()
        return await self._inner.bot_stats(bot_id, now)

    async def audience(self, bot_id: str, segment: Segment, now: datetime) -> list[UserKey]:
        await self.flush()
        return await self._inner.audience(bot_id, segment, now)

    async def delete_user(self, key: UserKey) -> int:
        """Erase after this person's queued writes landed, so none can bring data back."""
        await self._settled(key)
        return await self._inner.delete_user(key)

    async def forget_summaries(self, key: UserKey) -> int:
        """After this person's queued writes landed, so no queued summary comes back."""
        await self._settled(key)
        return await self._inner.forget_summaries(key)

    async def delete_results(self, key: UserKey) -> int:
        await self._settled(key)
        return await self._inner.delete_results(key)

    async def feedback(self, key: UserKey, limit: int) -> list[Feedback]:
        await self._settled(key)
        return await self._inner.feedback(key, limit)

    async def get_reminder(self, key: UserKey) -> ReminderSettings | None:
        await self._settled(key)
        return await self._inner.get_reminder(key)

    async def due_reminders(self, now: datetime, limit: int) -> list[ReminderSettings]:
        """Every reminder write queued so far lands first: a stop is never read as due."""
        await self._flush_to(self._last_reminder)
        return await self._inner.due_reminders(now, limit)

    async def claim_reminder(
        self,
        key: UserKey,
        due_at: datetime,
        next_due_at: datetime | None,
        sent_at: datetime | None,
        *,
        failures: int = 0,
    ) -> bool:
        """Not queued: the person's queued writes land, then the compare-and-set runs."""
        await self._settled(key)
        return await self._inner.claim_reminder(
            key, due_at, next_due_at, sent_at, failures=failures
        )

    # The background writer.

    async def _run(self) -> None:
        while True:
            batch = await self._next_batch()
            await self._store(batch)
            async with self._changed:
                for _ in batch:
                    self._queue.popleft()
                self._per_user.subtract(record.key for record in batch)
                self._per_user += Counter()  # drops keys whose count reached zero
                self._persisted += len(batch)
                self.flushed_batches += 1
                WRITE_BEHIND_DEPTH.set(len(self._queue))
                if not self._queue:
                    self._urgent = False
                self._changed.notify_all()

    async def _next_batch(self) -> list[Record]:
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._queue))
            if not self._ready():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(self._ready), timeout=self._max_delay
                    )
            return [self._queue[index] for index in range(min(self._max_batch, len(self._queue)))]

    def _ready(self) -> bool:
        return len(self._queue) >= self._max_batch or self._urgent or self._closing

    async def _store(self, batch: list[Record]) -> None:
        attempt = 0
        while True:
            try:
                await self._inner.write(batch)
            except Exception as error:  # any failure is retried, never dropped
                self.failed_flushes += 1
                self._failing = True
                WRITE_BEHIND_FAILED_FLUSHES.inc()
                delay = min(self._retry_max, self._retry_initial * 2 ** min(attempt, 32))
                delay *= random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography
                log.warning(
                    "write_behind.flush_failed",
                    error=type(error).__name__,
                    batch=len(batch),
                    attempt=attempt + 1,
                    retry_in=round(delay, 3),
                )
                attempt += 1
                await self._clock.sleep(delay)
            else:
                self._failing = False
                return

    # Screen state (aiogram FSM) bypasses any queue: the next update reads it at once.

    async def fsm_get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        result: tuple[str | None, dict[str, Any]] = await self._inner.fsm_get(key)  # type: ignore[attr-defined]
        return result

    async def fsm_set_state(self, key: str, bot_id: str, user_id: int, state: str | None) -> None:
        await self._inner.fsm_set_state(key, bot_id, user_id, state)  # type: ignore[attr-defined]

    async def fsm_set_data(
        self, key: str, bot_id: str, user_id: int, data: dict[str, Any]
    ) -> None:
        await self._inner.fsm_set_data(key, bot_id, user_id, data)  # type: ignore[attr-defined]
