"""Landing one write-behind batch: retried while the store is down, split around poison.

"Permanently failing" means one of two things, and only for a record written alone:

- its error is a *data* error — the record itself cannot be stored, however often it is
  tried: text a codec cannot encode (a lone surrogate), a value a column or BSON refuses,
  a broken constraint (``PERMANENT_ERRORS``, ``permanent``);
- or any other error ``solo_attempts`` times in a row while the store still answers a
  ping: the store is up, so the record is what fails.

While the store is down (the ping fails too) nothing is ever given up: the batch is retried
whole with capped exponential backoff, as before. A batch that fails with a data error, or
``solo_attempts`` times while the store answers, is halved and each half landed in turn
(order kept), so the good records land and only the poison ones are dead-lettered.
A dead letter holds ids, the record's kind and the error's class — never its content.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from innertalk.application.backoff import Backoff
from innertalk.application.ports import Clock, DeadLetter, DeadLetterStore, Record, RecordStore
from innertalk.infrastructure.observability.metrics import (
    WRITE_BEHIND_DEAD_LETTERS,
    WRITE_BEHIND_FAILED_FLUSHES,
)

log = structlog.get_logger(__name__)

PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,  # UnicodeEncodeError (lone surrogates), values a codec refuses
    TypeError,
    OverflowError,  # an integer SQLite cannot hold
    sqlite3.IntegrityError,
    sqlite3.DataError,
    sqlite3.InterfaceError,  # a parameter that cannot be bound
)
"""Errors that say the record cannot be stored, unlike a lost connection or a locked file
(and MongoDB's: ``_mongo_permanent``)."""

DeadLetterHook = Callable[[DeadLetter], Awaitable[None]]
"""Told about every dead letter (the composition root alerts the admins)."""


def permanent(error: BaseException) -> bool:
    """Whether ``error`` is a data error: retrying the same record cannot succeed."""
    # Only a process that loaded PyMongo (MongoDB storage) can raise its errors; importing it
    # here otherwise would cost every SQLite process a few hundred ms at start-up.
    loaded = "pymongo" in sys.modules or "bson" in sys.modules
    if loaded and (verdict := _mongo_permanent(error)) is not None:
        return verdict
    return isinstance(error, PERMANENT_ERRORS)


def _mongo_permanent(error: BaseException) -> bool | None:
    """The verdict on a PyMongo/BSON error, ``None`` for any other error."""
    from bson.errors import BSONError
    from pymongo.errors import BulkWriteError, DocumentTooLarge, WriteError

    if isinstance(error, BulkWriteError):  # refused documents, no write-concern trouble
        details = error.details or {}
        return bool(details.get("writeErrors")) and not details.get("writeConcernErrors")
    # InvalidDocument, InvalidStringData; a document the server refused (validation, duplicate)
    return True if isinstance(error, (BSONError, DocumentTooLarge, WriteError)) else None


class LandingStore(RecordStore, DeadLetterStore, Protocol):
    async def ping(self) -> None: ...


@dataclass(frozen=True, slots=True)
class LandingPolicy:
    retry_initial: float = 0.05
    retry_max: float = 5.0
    solo_attempts: int = 3
    """Failures after which a batch is split, and a lone record (store answering) is given up."""


class Landing:
    """Lands batches in ``store``; counts failures and dead letters."""

    def __init__(
        self,
        store: LandingStore,
        clock: Clock,
        policy: LandingPolicy,
        *,
        on_dead_letter: DeadLetterHook | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy
        self._retry = Backoff(policy.retry_initial, policy.retry_max, jitter=0.5)
        self._on_dead_letter = on_dead_letter
        self.failing = False
        self.failed_attempts = 0

    async def land(self, batch: Sequence[Record]) -> None:
        """Store ``batch``: every record lands or becomes a dead letter; order is kept."""
        attempt = 0
        while True:
            try:
                await self._store.write(batch)
            except Exception as error:  # classified below; never dropped silently
                attempt += 1
                self._failed(error, len(batch), attempt)
                if permanent(error) or await self._records_at_fault(attempt):
                    await self._isolate(batch, error)
                    return
                await self._clock.sleep(self._retry.delay(attempt))
            else:
                self.failing = False
                return

    def _failed(self, error: Exception, size: int, attempt: int) -> None:
        self.failing = True
        self.failed_attempts += 1
        WRITE_BEHIND_FAILED_FLUSHES.inc()
        log.warning(
            "write_behind.flush_failed", error=type(error).__name__, batch=size, attempt=attempt
        )

    async def _isolate(self, batch: Sequence[Record], error: Exception) -> None:
        """Halve a batch and land each half in turn; a lone record becomes a dead letter."""
        if len(batch) == 1:
            await self._bury(batch[0], error)
            return
        middle = len(batch) // 2
        await self.land(batch[:middle])
        await self.land(batch[middle:])

    async def _records_at_fault(self, attempt: int) -> bool:
        """After ``solo_attempts`` failures: the store answers a ping, so it is up and something
        in the batch is what fails. While the store is down, nothing is at fault."""
        if attempt < self._policy.solo_attempts:
            return False
        try:
            await self._store.ping()
        except Exception:  # the store is down: keep retrying, give nothing up
            return False
        return True

    async def _bury(self, record: Record, error: Exception) -> None:
        letter = DeadLetter(
            key=record.key,
            record_id=str(getattr(record, "id", "")),
            kind=type(record).__name__,
            error=type(error).__name__,
            failed_at=self._clock.now(),
        )
        WRITE_BEHIND_DEAD_LETTERS.labels(kind=letter.kind).inc()
        log.error(
            "write_behind.dead_letter",
            kind=letter.kind,
            record_id=letter.record_id,
            error=letter.error,
        )
        try:
            await self._store.dead_letter([letter])
        except Exception as failure:  # the metric, log line and alert still tell
            log.error("write_behind.dead_letter_unrecorded", error=type(failure).__name__)
        if self._on_dead_letter is not None:
            try:
                await self._on_dead_letter(letter)
            except Exception as failure:
                log.warning("write_behind.dead_letter_alert_failed", error=type(failure).__name__)
