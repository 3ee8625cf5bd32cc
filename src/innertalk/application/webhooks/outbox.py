"""The webhook outbox: crisis events stored durably before anyone tries to deliver them.

An event is ``add``ed in one quick write where the signal arises; delivery happens later, in
the background, by whichever process ``claim``s it first. A claim is a lease: until it
expires no other claim returns the event, and a process that dies mid-delivery simply lets
it expire, so the event is delivered again (at-least-once; receivers dedupe by event id).
Every later write names the claim it acts on, so a worker whose lease ran out cannot
overwrite what the event's new holder did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class OutboxUnavailableError(Exception):
    """The outbox's store could not be reached in time."""


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One event to deliver to ``tenant``'s webhook.

    ``body`` is the exact JSON to send; ``opened`` is ``False`` when it is sealed with a key
    that is not configured (``body`` is then empty and the event cannot be sent yet).
    """

    id: str
    tenant: str
    body: bytes
    created_at: datetime
    due_at: datetime
    attempts: int = 0
    claim: str = ""
    """The lease this event was returned under (empty outside a claim)."""
    opened: bool = True


@dataclass(frozen=True, slots=True)
class DeadEvent:
    """An event given up on: kept, with what went wrong last (a status or an error class)."""

    id: str
    tenant: str
    created_at: datetime
    died_at: datetime
    attempts: int
    error: str


@dataclass(frozen=True, slots=True)
class Backlog:
    """What waits in the outbox, for the metrics."""

    pending: int
    oldest: datetime | None
    """When the oldest pending event was created."""
    dead: int


class WebhookOutbox(Protocol):
    """Crisis events until they are delivered (then removed) or given up on (then dead).

    Every method raises ``OutboxUnavailableError`` when the store cannot be reached.
    """

    async def add(self, event: OutboxEvent) -> None:
        """Store ``event`` durably (its ``attempts`` and ``claim`` are ignored)."""
        ...

    async def claim(
        self, now: datetime, lease: timedelta, limit: int, *, claim: str
    ) -> list[OutboxEvent]:
        """Up to ``limit`` pending events due by ``now`` and not leased (or whose lease has
        expired), oldest due first, each leased to ``claim`` until ``now + lease``."""
        ...

    async def delivered(self, event_id: str, claim: str) -> bool:
        """Remove the event, if ``claim`` still holds it; whether it did."""
        ...

    async def retry(
        self, event_id: str, claim: str, *, due_at: datetime, attempts: int, error: str
    ) -> bool:
        """Release the event for another attempt at ``due_at``, if ``claim`` still holds it."""
        ...

    async def bury(
        self, event_id: str, claim: str, *, at: datetime, attempts: int, error: str
    ) -> bool:
        """Mark the event dead (kept, never claimed again), if ``claim`` still holds it."""
        ...

    async def backlog(self) -> Backlog:
        """How many events are pending (and since when), and how many are dead."""
        ...

    async def dead(self, limit: int) -> list[DeadEvent]:
        """The newest ``limit`` dead events, newest first (ids and errors, no bodies)."""
        ...

    async def close(self) -> None:
        """Release the store's connection."""
        ...
