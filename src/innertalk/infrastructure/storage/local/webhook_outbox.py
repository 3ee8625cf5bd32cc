"""The webhook outbox in this process only: for tests and ``innertalk chat`` (it does not
survive a restart). Bodies go through a ``BodySeal`` like the real stores' do."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from innertalk.application.webhooks.outbox import (
    Backlog,
    DeadEvent,
    OutboxEvent,
    OutboxUnavailableError,
)
from innertalk.infrastructure.outbox_seal import BodySeal

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(slots=True)
class _Row:
    event: OutboxEvent
    stored: str
    leased_until: datetime = _NEVER
    error: str = ""
    died_at: datetime | None = None


class LocalWebhookOutbox:
    """A ``WebhookOutbox`` in a dict; ``failing = True`` makes every call raise, like a store
    that is down."""

    def __init__(self, seal: BodySeal | None = None) -> None:
        self._seal = seal or BodySeal()
        self._rows: dict[str, _Row] = {}
        self.failing = False

    async def add(self, event: OutboxEvent) -> None:
        self._check()
        stored = self._seal.seal(event.id, event.body)
        clean = replace(event, body=b"", attempts=0, claim="")
        self._rows.setdefault(event.id, _Row(clean, stored))

    async def claim(
        self, now: datetime, lease: timedelta, limit: int, *, claim: str
    ) -> list[OutboxEvent]:
        self._check()
        due = sorted(
            (row for row in self._rows.values() if _claimable(row, now)),
            key=lambda row: row.event.due_at,
        )[:limit]
        claimed = []
        for row in due:
            row.event = replace(row.event, claim=claim)
            row.leased_until = now + lease
            body = self._seal.open(row.event.id, row.stored)
            claimed.append(replace(row.event, body=body or b"", opened=body is not None))
        return claimed

    async def delivered(self, event_id: str, claim: str) -> bool:
        if self._held(event_id, claim) is None:
            return False
        del self._rows[event_id]
        return True

    async def retry(
        self, event_id: str, claim: str, *, due_at: datetime, attempts: int, error: str
    ) -> bool:
        row = self._held(event_id, claim)
        if row is None:
            return False
        row.event = replace(row.event, due_at=due_at, attempts=attempts, claim="")
        row.leased_until, row.error = _NEVER, error
        return True

    async def bury(
        self, event_id: str, claim: str, *, at: datetime, attempts: int, error: str
    ) -> bool:
        row = self._held(event_id, claim)
        if row is None:
            return False
        row.event = replace(row.event, attempts=attempts, claim="")
        row.died_at, row.error = at, error
        return True

    async def backlog(self) -> Backlog:
        self._check()
        pending = [row.event.created_at for row in self._rows.values() if row.died_at is None]
        dead = len(self._rows) - len(pending)
        return Backlog(len(pending), min(pending, default=None), dead)

    async def dead(self, limit: int) -> list[DeadEvent]:
        self._check()
        rows = [row for row in self._rows.values() if row.died_at is not None]
        rows.sort(key=lambda row: row.died_at or _NEVER, reverse=True)
        return [
            DeadEvent(
                row.event.id,
                row.event.tenant,
                row.event.created_at,
                row.died_at or _NEVER,
                row.event.attempts,
                row.error,
            )
            for row in rows[:limit]
        ]

    async def close(self) -> None:
        return None

    def _held(self, event_id: str, claim: str) -> _Row | None:
        self._check()
        row = self._rows.get(event_id)
        if row is None or row.died_at is not None or row.event.claim != claim:
            return None
        return row

    def _check(self) -> None:
        if self.failing:
            raise OutboxUnavailableError("failing")


def _claimable(row: _Row, now: datetime) -> bool:
    return row.died_at is None and row.event.due_at <= now and row.leased_until <= now
