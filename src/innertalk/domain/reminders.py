"""The daily check-in reminder: when it is due, and how snoozing, quiet hours and retries move it.

Times the person chooses (``at``, quiet hours) are local wall-clock times of minute precision;
every moment stored (``next_due_at``, ``snoozed_until``, ``last_sent_at``) is an aware datetime.

Rules, all computed in the person's IANA time zone:

- **Quiet hours** are the half-open local interval ``[quiet_start, quiet_end)``; it wraps
  midnight when ``quiet_start > quiet_end`` (22:00-07:00). A reminder that would fall inside
  moves to ``quiet_end`` of the quiet period it fell in — the first minute after it.
- **DST.** A local time that does not exist (the spring-forward gap) moves forward by the
  length of the gap (02:30 becomes 03:30, as ``java.time`` and ``dateutil`` do); a local time
  that exists twice (fall back) means its first occurrence.
- **Snooze** means "remind me again in N minutes": the next reminder comes when the snooze
  ends (moved out of quiet hours), occurrences of ``at`` inside the snooze are skipped, and
  the daily schedule resumes after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from innertalk.domain.sessions import zone
from innertalk.domain.users import UserKey

DEFAULT_AT = time(20, 0)
MAX_SNOOZE_MINUTES = 7 * 24 * 60

_CLOCK_TEXT = re.compile(r"\s*([01]?\d|2[0-3])\s*[:.]\s*([0-5]\d)\s*")


class InvalidReminderError(ValueError):
    """A reminder time, quiet-hours pair or snooze length that cannot be used."""


class RemindersOffError(Exception):
    """The person's reminders are off, so there is nothing to snooze."""


def check_local_time(value: time) -> time:
    """``value`` if it is a wall-clock minute (no time zone, no seconds); else raises."""
    if value.tzinfo is not None:
        raise InvalidReminderError("a reminder time is local: it carries no time zone")
    if value.second or value.microsecond:
        raise InvalidReminderError("a reminder time is a whole minute")
    return value


def parse_local_time(text: str) -> time:
    """``"7:05"``, ``"07:05"`` or ``"19.30"`` as a local time; ``InvalidReminderError`` else."""
    match = _CLOCK_TEXT.fullmatch(text)
    if match is None:
        raise InvalidReminderError(f"not a time of day: {text!r}")
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """One person's daily check-in: when, when never, and where the schedule stands.

    ``timezone`` is the zone ``next_due_at`` was computed in; ``failures`` counts failed
    attempts to deliver the reminder now due (retries stop after ``DeliveryPolicy``'s limit).
    """

    key: UserKey
    enabled: bool = False
    at: time = DEFAULT_AT
    quiet_start: time | None = None
    quiet_end: time | None = None
    snoozed_until: datetime | None = None
    next_due_at: datetime | None = None
    last_sent_at: datetime | None = None
    timezone: str = "UTC"
    failures: int = 0

    def __post_init__(self) -> None:
        check_local_time(self.at)
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise InvalidReminderError("quiet hours need both a start and an end")
        if self.quiet_start is not None and self.quiet_end is not None:
            check_local_time(self.quiet_start)
            check_local_time(self.quiet_end)
            if self.quiet_start == self.quiet_end:
                raise InvalidReminderError("quiet hours must start and end at different times")
        if self.failures < 0:
            raise InvalidReminderError("failures cannot be negative")


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How late a reminder may still go out, and how a failed send is retried.

    Retries wait ``retry_first``, doubling up to ``retry_max``; after ``max_attempts`` failed
    attempts (defaults: 1+2+4+8+15 minutes, about half an hour) the day's reminder is given up.
    A retry never lands in quiet hours nor at or after the next regular reminder.
    """

    max_lateness: timedelta = timedelta(hours=2)
    on_time: timedelta = timedelta(minutes=5)
    """A reminder sent this soon after its due moment may still go out when quiet hours began."""
    retry_first: timedelta = timedelta(minutes=1)
    retry_max: timedelta = timedelta(minutes=15)
    max_attempts: int = 6


def in_quiet_hours(local: time, start: time | None, end: time | None) -> bool:
    """Whether the wall-clock time ``local`` is inside ``[start, end)`` (which may wrap)."""
    if start is None or end is None:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``tz`` as UTC: a gap time moves forward, a repeated one is first.

    ``fold=0`` reads a gap time with the offset in force before the gap, which lands the same
    distance past it, and picks the earlier of two repeated times (PEP 495).
    """
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def _outside_quiet(moment: datetime, settings: ReminderSettings, tz: ZoneInfo) -> datetime:
    start, end = settings.quiet_start, settings.quiet_end
    local = moment.astimezone(tz)
    if start is None or end is None or not in_quiet_hours(local.time(), start, end):
        return moment.astimezone(UTC)
    # The quiet period began today unless this is its after-midnight part.
    wraps_into_tomorrow = start > end and local.time() >= start
    day = local.date() + timedelta(days=1) if wraps_into_tomorrow else local.date()
    return local_moment(day, end, tz)


def _next_regular(settings: ReminderSettings, after: datetime, tz: ZoneInfo) -> datetime:
    """The first daily occurrence (moved out of quiet hours) strictly after ``after``."""
    today = after.astimezone(tz).date()
    # Yesterday's occurrence counts too: quiet hours may have pushed it past midnight.
    candidates = (
        _outside_quiet(local_moment(today + timedelta(days=offset), settings.at, tz), settings, tz)
        for offset in (-1, 0, 1, 2)
    )
    return min(moment for moment in candidates if moment > after)


def next_due(settings: ReminderSettings, now: datetime, timezone: str) -> datetime | None:
    """When the reminder should next go out (UTC), strictly after ``now``; ``None`` when off."""
    if not settings.enabled:
        return None
    tz = zone(timezone)
    if settings.snoozed_until is not None and settings.snoozed_until > now:
        return _outside_quiet(settings.snoozed_until, settings, tz)
    return _next_regular(settings, now, tz)


def scheduled(settings: ReminderSettings, now: datetime, timezone: str) -> ReminderSettings:
    """``settings`` with ``next_due_at`` recomputed in ``timezone`` and failures forgotten."""
    return replace(
        settings, next_due_at=next_due(settings, now, timezone), timezone=timezone, failures=0
    )


def enabled_at(settings: ReminderSettings, at: time) -> ReminderSettings:
    """Reminders on at the local time ``at``; a pending snooze is dropped (not yet scheduled)."""
    return replace(settings, enabled=True, at=check_local_time(at), snoozed_until=None)


def with_quiet_hours(
    settings: ReminderSettings, start: time | None, end: time | None
) -> ReminderSettings:
    """Quiet hours ``[start, end)``, or none when both are ``None`` (not yet scheduled)."""
    return replace(settings, quiet_start=start, quiet_end=end)


def snooze(settings: ReminderSettings, now: datetime, minutes: int) -> ReminderSettings:
    """Reminders paused for ``minutes`` from ``now``, then one comes (not yet scheduled)."""
    if not settings.enabled:
        raise RemindersOffError("reminders are off")
    if not 1 <= minutes <= MAX_SNOOZE_MINUTES:
        raise InvalidReminderError(f"snooze must be 1-{MAX_SNOOZE_MINUTES} minutes")
    return replace(settings, snoozed_until=now + timedelta(minutes=minutes))


def stop(settings: ReminderSettings) -> ReminderSettings:
    """Reminders off; the chosen time and quiet hours are kept for turning them on again."""
    return replace(settings, enabled=False, snoozed_until=None, next_due_at=None, failures=0)


def why_not_send(
    settings: ReminderSettings, now: datetime, timezone: str, policy: DeliveryPolicy
) -> str | None:
    """Why the reminder due now must not go out (a reason for logs), or ``None`` to send it.

    ``already_sent``: a send at or after the due moment is recorded (a stale schedule written
    over a claim); ``late``: more than ``max_lateness`` overdue (the bot was down); ``quiet``:
    the due moment is in quiet hours (the time zone changed), or it is quiet hours now and the
    reminder is more than ``on_time`` late.
    """
    due = settings.next_due_at
    if due is None:
        return "not_due"
    if settings.last_sent_at is not None and due <= settings.last_sent_at:
        return "already_sent"
    if now - due > policy.max_lateness:
        return "late"
    tz = zone(timezone)
    quiet = (settings.quiet_start, settings.quiet_end)
    if in_quiet_hours(due.astimezone(tz).time(), *quiet):
        return "quiet"
    if now - due > policy.on_time and in_quiet_hours(now.astimezone(tz).time(), *quiet):
        return "quiet"
    return None


def retry_at(
    settings: ReminderSettings, failed_at: datetime, timezone: str, policy: DeliveryPolicy
) -> datetime | None:
    """When to try again after the send at ``failed_at`` failed; ``None`` gives the day up.

    ``settings.failures`` counts the failures before this one.
    """
    attempts = settings.failures + 1
    if attempts >= policy.max_attempts:
        return None
    delay = min(policy.retry_max, policy.retry_first * (1 << min(attempts - 1, 30)))
    moment = (failed_at + delay).astimezone(UTC)
    tz = zone(timezone)
    if in_quiet_hours(moment.astimezone(tz).time(), settings.quiet_start, settings.quiet_end):
        return None
    if moment >= _next_regular(settings, failed_at, tz):
        return None
    return moment
