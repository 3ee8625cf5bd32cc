"""The write-behind queue: writes return at once and reach the store in batches.

A batch is flushed when ``max_batch`` records are waiting or ``max_delay`` seconds after the
oldest one arrived, whichever comes first. Only writes are queued; every read of the inner
store goes through one generic guard (``__getattr__``) that first awaits ``settled`` for the
person the read names, or for everything queued when it names nobody (statistics, retention,
due reminders). The guarded names are the methods of the read ports, found by looking at
the ports, so a new query is guarded without a line here (docs/architecture.md, *Storage*).

Poison records are isolated (``landing.py``): a failing batch is split until the good
records land; a record that fails permanently becomes a dead letter and stops blocking
the queue, so no read waits for it forever. ``close`` drains everything.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, deque
from collections.abc import Sequence
from typing import Any

import structlog

from innertalk.application.ports import (
    Clock,
    ConversationStore,
    ForgettingStore,
    PrivacyStore,
    ProfileStore,
    Record,
    ReminderStore,
    StatsStore,
    Storage,
    WellbeingStore,
)
from innertalk.domain.users import UserKey
from innertalk.infrastructure.observability.metrics import WRITE_BEHIND_DEPTH
from innertalk.infrastructure.storage.landing import DeadLetterHook, Landing, LandingPolicy

log = structlog.get_logger(__name__)

READ_PORTS = (
    ConversationStore,
    ProfileStore,
    WellbeingStore,
    PrivacyStore,
    ReminderStore,
    ForgettingStore,
    StatsStore,
)
"""Ports whose every method reads (or erases) what queued writes may still change."""

SETTLED_READS = frozenset(
    name for port in READ_PORTS for name in vars(port) if not name.startswith("_")
)
"""Methods that wait for queued writes first: every method of ``READ_PORTS``."""


class WriteBehindClosedError(RuntimeError):
    """A write arrived after shutdown began."""


class WriteBehindDrainError(RuntimeError):
    """Shutdown gave up before every queued record was stored; the message says how many."""


class WriteBehindStorage:
    """A ``Storage`` whose writes are queued and persisted by one background task, and whose
    reads (every other ``Storage`` method, reached through ``__getattr__``) see them."""

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
        solo_attempts: int = 3,
        on_dead_letter: DeadLetterHook | None = None,
    ) -> None:
        self.inner = inner
        self._max_batch = max_batch
        self._max_delay = max_delay
        self._max_pending = max_pending
        self._drain_timeout = drain_timeout
        self._landing = Landing(
            inner,
            clock,
            LandingPolicy(retry_initial, retry_max, solo_attempts),
            on_dead_letter=on_dead_letter,
        )
        self._queue: deque[Record] = deque()
        self._per_user: Counter[UserKey] = Counter()
        self._enqueued = 0
        self._persisted = 0
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._urgent = False

    def __getattr__(self, name: str) -> Any:
        """Every other ``Storage`` method, from ``inner``; reads wait for ``settled`` first."""
        if name.startswith("_") or name == "inner":
            raise AttributeError(name)  # never recurse while ``__init__`` is still running
        method = getattr(self.inner, name)
        if name not in SETTLED_READS:
            return method  # migrate, ping, screen state: nothing queued concerns them

        async def settled_read(*args: Any, **kwargs: Any) -> Any:
            subject = args[0] if args else kwargs.get("key")
            await self.settled(subject if isinstance(subject, UserKey) else None, hurry=True)
            return await method(*args, **kwargs)

        return settled_read

    @property
    def depth(self) -> int:
        """Records waiting to be stored."""
        return len(self._queue)

    @property
    def failing(self) -> bool:
        """Whether the latest attempt to store a batch failed (and is being retried)."""
        return self._landing.failing

    @property
    def failed_flushes(self) -> int:
        return self._landing.failed_attempts

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
            self._enqueued += len(records)
            WRITE_BEHIND_DEPTH.set(len(self._queue))
            self._changed.notify_all()

    async def flush(self) -> None:
        """Wait until everything queued before this call is stored (or dead-lettered)."""
        target = self._enqueued
        if self._persisted >= target:
            return
        async with self._changed:
            self._urgent = True
            self._changed.notify_all()
            await self._changed.wait_for(lambda: self._persisted >= target)

    async def settled(self, key: UserKey | None, *, hurry: bool = False) -> None:
        """Wait until ``key``'s queued writes are stored (or dead-lettered); ``None``: wait for
        everything queued (``flush``). Without ``hurry`` they go in the next batch as usual, so
        batching stays intact; reads hurry, so a read never waits ``max_delay``."""
        if key is None:
            await self.flush()
            return
        if not self._per_user[key]:
            return
        async with self._changed:
            if hurry:
                self._urgent = True
                self._changed.notify_all()
            await self._changed.wait_for(lambda: not self._per_user[key])

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
            await self.inner.close()
        if lost:
            log.error("write_behind.records_not_stored", count=lost)
            raise WriteBehindDrainError(f"{lost} records could not be stored before shutdown")

    # The background writer.

    async def _run(self) -> None:
        while True:
            batch = await self._next_batch()
            await self._landing.land(batch)  # stored or dead-lettered: never stuck on a record
            async with self._changed:
                for _ in batch:
                    self._queue.popleft()
                self._per_user.subtract(record.key for record in batch)
                self._per_user += Counter()  # drops keys whose count reached zero
                self._persisted += len(batch)
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
