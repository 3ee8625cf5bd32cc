"""Reminder settings in this process, mixed into ``LocalStorage``.

The claim changes the record between two awaits, so in one event loop it is atomic.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.timestamps import as_utc


def _later(old: datetime | None, new: datetime | None) -> datetime | None:
    if old is None or new is None:
        return new or old
    return max(old, new)


class LocalReminderStore:
    """``ReminderStore`` over a dict by owner; ``reads``/``writes`` count calls."""

    reads: int
    writes: int

    def __init__(self) -> None:
        self._reminders: dict[UserKey, ReminderSettings] = {}

    def _store_reminder(self, record: ReminderSettings) -> None:
        """Upsert by owner; ``last_sent_at`` never moves back (as in SQLite)."""
        old = self._reminders.get(record.key)
        if old is not None:
            record = replace(record, last_sent_at=_later(old.last_sent_at, record.last_sent_at))
        self._reminders[record.key] = record

    def _remove_reminder(self, key: UserKey) -> int:
        return int(self._reminders.pop(key, None) is not None)

    async def get_reminder(self, key: UserKey) -> ReminderSettings | None:
        self.reads += 1
        return self._reminders.get(key)

    async def due_reminders(self, now: datetime, limit: int) -> list[ReminderSettings]:
        self.reads += 1
        due = [
            reminder
            for reminder in self._reminders.values()
            if reminder.enabled
            and reminder.next_due_at is not None
            and reminder.next_due_at <= now
        ]
        due.sort(key=lambda r: (r.next_due_at, r.key.bot_id, r.key.user_id))
        return due[: max(limit, 0)]

    async def claim_reminder(
        self,
        key: UserKey,
        due_at: datetime,
        next_due_at: datetime | None,
        sent_at: datetime | None,
        *,
        failures: int = 0,
    ) -> bool:
        self.writes += 1
        current = self._reminders.get(key)
        if current is None or not current.enabled or current.next_due_at != due_at:
            return False
        self._reminders[key] = replace(
            current,
            next_due_at=None if next_due_at is None else as_utc(next_due_at),
            last_sent_at=None if sent_at is None else as_utc(sent_at),
            failures=failures,
        )
        return True
