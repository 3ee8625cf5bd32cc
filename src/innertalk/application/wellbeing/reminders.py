"""ReminderService: the daily check-in a person opts into, and the loop that sends it.

Commands (for the Telegram settings screen and the reminder message's buttons)::

    await app.reminders.settings(key)                     # -> ReminderSettings (off if never set)
    await app.reminders.enable(key, time(20, 0))          # on, daily at 20:00 local
    await app.reminders.set_quiet_hours(key, time(22, 0), time(7, 0))  # or (key, None, None)
    await app.reminders.snooze(key, 30)                   # "remind me in 30 minutes"
    await app.reminders.stop(key)                         # off; time and quiet hours are kept

Each returns the new ``ReminderSettings`` (``next_due_at`` tells when the next one comes) and
recomputes the schedule in the person's profile time zone. They raise ``LookupError`` when the
person has no profile, ``InvalidReminderError`` (a ``ValueError``) for a time with seconds or a
time zone, quiet hours with one end or equal ends, or a snooze outside 1 minute-7 days, and
``RemindersOffError`` when snoozing reminders that are off. ``parse_local_time("7:30")`` in
``innertalk.domain.reminders`` turns typed text into a ``time``.

Sending: ``build_app`` does not start it. The bot entry point runs, for the app's lifetime::

    task = asyncio.create_task(app.reminders.run(sender))   # sender: a ReminderSender

and cancels the task on shutdown. ``sender.send(key, language)`` sends the localized reminder
(with its Snooze / Stop buttons) and returns ``SendOutcome.SENT``, ``UNREACHABLE`` (403) or
``FAILED``; see ``reminder_dispatch`` for what each causes.

Time-zone changes: ``ProfileService`` calls ``timezone_changed`` (registered by the composition
root through ``ProfileService.on_timezone_change``), which reschedules at once; a dispatcher
that finds a reminder scheduled in another zone than the profile's reschedules it instead of
sending.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time
from typing import Protocol

import structlog

from innertalk.application.ports import Clock, ProfileStore, RecordStore, ReminderStore, UserLocks
from innertalk.application.wellbeing.reminder_dispatch import (
    DispatchPolicy,
    DispatchReport,
    Reachability,
    ReminderDispatcher,
    ReminderSender,
)
from innertalk.domain.reminders import (
    ReminderSettings,
    enabled_at,
    scheduled,
    snooze,
    stop,
    with_quiet_hours,
)
from innertalk.domain.users import UserKey

log = structlog.get_logger(__name__)

Change = Callable[[ReminderSettings, datetime], ReminderSettings]


class ReminderRecords(RecordStore, ProfileStore, ReminderStore, Protocol):
    """What reminders read, write and claim."""


class ReminderService:
    """A person's reminder settings, and the dispatcher that sends due reminders."""

    def __init__(
        self,
        *,
        store: ReminderRecords,
        locks: UserLocks,
        clock: Clock,
        reachability: Reachability,
        policy: DispatchPolicy | None = None,
    ) -> None:
        self._store = store
        self._locks = locks
        self._clock = clock
        self.dispatcher = ReminderDispatcher(
            store=store, clock=clock, reachability=reachability, policy=policy or DispatchPolicy()
        )

    async def settings(self, key: UserKey) -> ReminderSettings:
        """The person's settings; reminders off at the default time when never set."""
        stored = await self._store.get_reminder(key)
        if stored is not None:
            return stored
        profile = await self._store.get_profile(key)
        return ReminderSettings(key, timezone=profile.timezone if profile else "UTC")

    async def enable(self, key: UserKey, at: time) -> ReminderSettings:
        """Reminders on, daily at the local time ``at`` (a pending snooze is dropped)."""
        return await self._change(key, lambda settings, _now: enabled_at(settings, at))

    async def set_quiet_hours(
        self, key: UserKey, start: time | None, end: time | None
    ) -> ReminderSettings:
        """No reminder within ``[start, end)`` local time (may wrap midnight); ``None`` clears."""
        return await self._change(key, lambda s, _now: with_quiet_hours(s, start, end))

    async def snooze(self, key: UserKey, minutes: int) -> ReminderSettings:
        """The next reminder comes ``minutes`` from now (outside quiet hours), then daily."""
        return await self._change(key, lambda settings, now: snooze(settings, now, minutes))

    async def stop(self, key: UserKey) -> ReminderSettings:
        """Reminders off."""
        return await self._change(key, lambda settings, _now: stop(settings))

    async def timezone_changed(self, key: UserKey, timezone: str) -> None:
        """Reschedule in ``timezone``; the hook ``ProfileService`` calls after a change."""
        async with self._locks.hold(key):
            current = await self._store.get_reminder(key)
            if current is None:
                return
            updated = scheduled(current, self._clock.now(), timezone)
            if updated != current:
                await self._store.write([updated])

    async def _change(self, key: UserKey, change: Change) -> ReminderSettings:
        async with self._locks.hold(key):
            profile = await self._store.get_profile(key)
            if profile is None:
                raise LookupError(f"no profile for {key}")
            current = await self._store.get_reminder(key) or ReminderSettings(key)
            now = self._clock.now()
            updated = scheduled(change(current, now), now, profile.timezone)
            if updated != current:
                await self._store.write([updated])
            return updated

    async def dispatch_once(self, sender: ReminderSender) -> DispatchReport:
        """Send every reminder due now (one round); see ``reminder_dispatch``."""
        return await self.dispatcher.dispatch_once(sender)

    async def run(self, sender: ReminderSender) -> None:
        """Dispatch now and then every ``policy.interval`` seconds until cancelled."""
        while True:
            try:
                await self.dispatch_once(sender)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the next round tries again
                log.warning("reminders.round_failed", error=type(error).__name__)
            await self._clock.sleep(self.dispatcher.policy.interval)
