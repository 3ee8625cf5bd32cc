"""Sending due reminders: claimed once across every bot instance, paced within Telegram limits.

One round (``ReminderDispatcher.dispatch_once``) takes due reminders in batches, longest due
first. For each: people who are not reachable, blocked or without consent are skipped (the
reminder moves to its next day, nothing is sent); a reminder more than ``max_lateness`` late or
in quiet hours is skipped the same way. Otherwise it is **claimed** — a compare-and-set that
moves it to its next day and records the send — and only the one instance whose claim won hands
it to the ``ReminderSender``, at most ``sends_per_second`` a second. A crash between claim and
send loses that one reminder rather than ever sending it twice.

Outcomes: ``SENT``; ``UNREACHABLE`` (the person blocked the bot): their profile is marked
unreachable and reminders are stopped; ``FAILED`` (Telegram or the network is down): the claim
is rolled back to a retry a minute later, doubling up to 15 minutes, for six attempts
(``DeliveryPolicy``) — never into quiet hours nor past the next day's reminder — so an outage
neither loses the day's reminder nor releases a backlog afterwards. ``outage_after`` failures
in a row end the round early: the rest stay due for the next round.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import structlog

from innertalk.application.ports import Clock, ProfileStore, RecordStore, ReminderStore
from innertalk.domain.reminders import (
    DeliveryPolicy,
    ReminderSettings,
    next_due,
    retry_at,
    scheduled,
    stop,
    why_not_send,
)
from innertalk.domain.users import Language, Profile, UserKey

log = structlog.get_logger(__name__)


class SendOutcome(StrEnum):
    """What became of one reminder handed to Telegram."""

    SENT = "sent"
    UNREACHABLE = "unreachable"
    """Telegram refused for good (403: the person blocked the bot, or deleted their account)."""
    FAILED = "failed"
    """Anything that may pass: network errors, 5xx, 429 — retried later."""


class ReminderSender(Protocol):
    """Delivers one check-in reminder (the entry point's Telegram adapter)."""

    async def send(self, key: UserKey, language: Language) -> SendOutcome:
        """Send the reminder in ``language``; never raises for a delivery problem."""
        ...


class Reachability(Protocol):
    """Records that Telegram refused a person (``ProfileService`` is one)."""

    async def set_reachable(self, key: UserKey, reachable: bool) -> None: ...


class DispatchStore(RecordStore, ProfileStore, ReminderStore, Protocol):
    """What dispatching reads, claims and writes."""


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    """How often the dispatcher looks, how much it takes at once, and how fast it sends."""

    interval: float = 30.0
    batch: int = 100
    sends_per_second: float = 25.0
    outage_after: int = 10
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)


@dataclass(slots=True)
class DispatchReport:
    """What one round did; ``lost`` counts claims another instance won."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    skipped: int = 0
    lost: int = 0


class Pacer:
    """Spaces calls at least ``1 / per_second`` apart on the clock's monotonic time."""

    def __init__(self, clock: Clock, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self._clock = clock
        self._interval = 1.0 / per_second
        self._next = -math.inf

    async def wait(self) -> None:
        """Return when the next call may go; each call books the following slot."""
        now = self._clock.monotonic()
        if now < self._next:
            await self._clock.sleep(self._next - now)
            now = max(self._clock.monotonic(), self._next)
        self._next = now + self._interval


def _eligible(profile: Profile | None) -> bool:
    return profile is not None and profile.active and not profile.blocked and profile.has_consented


class ReminderDispatcher:
    """Rounds of due reminders; several may share one store, each reminder is sent once."""

    def __init__(
        self,
        *,
        store: DispatchStore,
        clock: Clock,
        reachability: Reachability,
        policy: DispatchPolicy,
    ) -> None:
        self._store = store
        self._clock = clock
        self._reachability = reachability
        self.policy = policy
        self._pacer = Pacer(clock, policy.sends_per_second)

    async def dispatch_once(self, sender: ReminderSender) -> DispatchReport:
        """Handle every reminder due now; returns what happened."""
        report = DispatchReport()
        seen: set[tuple[UserKey, datetime | None]] = set()
        failures_in_a_row = 0
        while True:
            batch = await self._store.due_reminders(self._clock.now(), self.policy.batch)
            fresh = [r for r in batch if (r.key, r.next_due_at) not in seen]
            for reminder in fresh:
                seen.add((reminder.key, reminder.next_due_at))
                outcome = await self._dispatch(reminder, sender, report)
                failures_in_a_row = failures_in_a_row + 1 if outcome is SendOutcome.FAILED else 0
                if failures_in_a_row >= self.policy.outage_after:
                    log.warning("reminders.outage", failed=failures_in_a_row)
                    return self._logged(report)
            if not fresh or len(batch) < self.policy.batch:
                return self._logged(report)

    async def _dispatch(
        self, reminder: ReminderSettings, sender: ReminderSender, report: DispatchReport
    ) -> SendOutcome | None:
        key, due = reminder.key, reminder.next_due_at
        assert due is not None  # due_reminders returns only scheduled reminders
        now = self._clock.now()
        profile = await self._store.get_profile(key)
        if profile is not None and profile.timezone != reminder.timezone:
            # Changed without the ProfileService hook: reschedule in the new zone, send nothing.
            await self._store.write([scheduled(reminder, now, profile.timezone)])
            report.skipped += 1
            return None
        timezone = reminder.timezone
        following = next_due(reminder, now, timezone)
        reason = "ineligible" if not _eligible(profile) else None
        reason = reason or why_not_send(reminder, now, timezone, self.policy.delivery)
        if reason is not None:
            await self._store.claim_reminder(key, due, following, reminder.last_sent_at)
            log.info("reminders.skipped", reason=reason)
            report.skipped += 1
            return None
        assert profile is not None
        if not await self._store.claim_reminder(key, due, following, now):
            report.lost += 1
            return None
        await self._pacer.wait()
        outcome = await self._send(sender, key, profile.language)
        if outcome is SendOutcome.SENT:
            report.sent += 1
        elif outcome is SendOutcome.UNREACHABLE:
            report.unreachable += 1
            await self._reachability.set_reachable(key, False)
            await self._store.write([stop(reminder)])
        else:
            report.failed += 1
            await self._retry(reminder, following, now)
        return outcome

    @staticmethod
    async def _send(sender: ReminderSender, key: UserKey, language: Language) -> SendOutcome:
        try:
            return await sender.send(key, language)
        except Exception as error:  # a sender that raises is a failed delivery, not a crash
            log.warning("reminders.send_raised", error=type(error).__name__)
            return SendOutcome.FAILED

    async def _retry(
        self, reminder: ReminderSettings, claimed_next: datetime | None, failed_at: datetime
    ) -> None:
        moment = retry_at(reminder, failed_at, reminder.timezone, self.policy.delivery)
        if moment is None or claimed_next is None:
            log.warning("reminders.given_up", attempts=reminder.failures + 1)
            return
        # Undo the claim's send record; a change the person made meanwhile wins (CAS fails).
        await self._store.claim_reminder(
            reminder.key,
            claimed_next,
            moment,
            reminder.last_sent_at,
            failures=reminder.failures + 1,
        )

    @staticmethod
    def _logged(report: DispatchReport) -> DispatchReport:
        if report.sent or report.failed or report.unreachable:
            log.info(
                "reminders.dispatched",
                sent=report.sent,
                failed=report.failed,
                unreachable=report.unreachable,
                skipped=report.skipped,
                lost=report.lost,
            )
        return report
