"""When a talk session goes stale, and how many a person may start in a day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from innertalk.domain.conversation import ConversationContext, Session


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """``sessions_per_day`` 0 means no limit; ``idle_timeout`` ends an abandoned session."""

    sessions_per_day: int = 3
    idle_timeout: timedelta = timedelta(hours=2)


class DailySessionLimitError(Exception):
    """The person has started ``limit`` sessions today (in their time zone)."""

    def __init__(self, limit: int, resets_at: datetime) -> None:
        super().__init__(f"daily session limit {limit} reached")
        self.limit = limit
        self.resets_at = resets_at


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; UTC when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(zone(timezone)).date()


def next_local_midnight(now: datetime, timezone: str) -> datetime:
    """When the person's next day begins, as an aware datetime."""
    tz = zone(timezone)
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(), tzinfo=tz)


def last_activity(context: ConversationContext) -> datetime | None:
    """When the open session last saw a message (its start when it has none yet)."""
    if context.session is None:
        return None
    if context.recent_turns:
        return context.recent_turns[-1].created_at
    return context.session.started_at


def is_stale(context: ConversationContext, now: datetime, policy: SessionPolicy) -> bool:
    """Whether the open session was abandoned: idle for ``idle_timeout`` or longer."""
    last = last_activity(context)
    return last is not None and now - last >= policy.idle_timeout


def started_today(sessions: Iterable[Session], now: datetime, timezone: str) -> int:
    """How many of ``sessions`` started on the person's current local day."""
    today = local_day(now, timezone)
    return sum(1 for session in sessions if local_day(session.started_at, timezone) == today)
