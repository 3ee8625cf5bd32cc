"""Reminder delivery rules: when a due reminder is held back, how a failed one is retried, and
properties of the schedule over many zones, times and moments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from innertalk.domain.reminders import (
    DeliveryPolicy,
    ReminderSettings,
    in_quiet_hours,
    next_due,
    retry_at,
    why_not_send,
)
from innertalk.domain.users import UserKey

KEY = UserKey("bot", 1)
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
MOSCOW = "Europe/Moscow"


def on(at: time = time(20, 0), **fields: object) -> ReminderSettings:
    return replace(ReminderSettings(KEY, enabled=True, at=at), **fields)  # type: ignore[arg-type]


def local(zone_name: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone_name))  # type: ignore[misc]


# Holding back and retrying a due reminder.

POLICY = DeliveryPolicy()


def due_at(moment: datetime, **fields: object) -> ReminderSettings:
    return on(next_due_at=moment, timezone=BERLIN, **fields)


def test_a_reminder_due_now_goes_out() -> None:
    """Nothing holds back a reminder that is due and on time."""
    due = local(BERLIN, 2026, 5, 1, 20)
    assert why_not_send(due_at(due), due + timedelta(seconds=20), BERLIN, POLICY) is None


def test_a_reminder_hours_late_is_held_back() -> None:
    """More than max_lateness after its moment (the bot was down) it is not sent."""
    due = local(BERLIN, 2026, 5, 1, 20)
    late = due + POLICY.max_lateness + timedelta(seconds=1)
    assert why_not_send(due_at(due), late, BERLIN, POLICY) == "late"


def test_a_reminder_already_sent_is_not_sent_again() -> None:
    """A due moment at or before the recorded send is a stale schedule, not a new reminder."""
    due = local(BERLIN, 2026, 5, 1, 20)
    settings = due_at(due, last_sent_at=due + timedelta(seconds=5))
    assert why_not_send(settings, due + timedelta(minutes=1), BERLIN, POLICY) == "already_sent"


def test_a_reminder_is_held_back_when_quiet_hours_began_while_it_waited() -> None:
    """Due 21:50, quiet from 22:00: at 22:20 it is quiet and it is not sent."""
    due = local(BERLIN, 2026, 5, 1, 21, 50)
    settings = due_at(due, quiet_start=time(22), quiet_end=time(7))
    assert why_not_send(settings, local(BERLIN, 2026, 5, 1, 22, 20), BERLIN, POLICY) == "quiet"


def test_a_reminder_a_moment_before_quiet_hours_still_goes_out_on_time() -> None:
    """Due 21:59, quiet from 22:00: a round at 22:00:10 still sends it (within on_time)."""
    due = local(BERLIN, 2026, 5, 1, 21, 59)
    settings = due_at(due, quiet_start=time(22), quiet_end=time(7))
    assert why_not_send(settings, due + timedelta(seconds=70), BERLIN, POLICY) is None


def test_a_due_moment_inside_quiet_hours_of_its_zone_is_held_back() -> None:
    """A schedule that lands in quiet hours (e.g. computed in another zone) is not sent."""
    due = local(BERLIN, 2026, 5, 1, 23)
    settings = due_at(due, quiet_start=time(22), quiet_end=time(7))
    assert why_not_send(settings, due, BERLIN, POLICY) == "quiet"


def test_failed_sends_are_retried_with_capped_doubling_then_given_up() -> None:
    """Retries wait 1, 2, 4, 8, 15 minutes; the sixth failure gives the day up."""
    failed = local(BERLIN, 2026, 5, 1, 20)
    waits = []
    for failures in range(6):
        moment = retry_at(due_at(failed, failures=failures), failed, BERLIN, POLICY)
        waits.append(None if moment is None else (moment - failed) / timedelta(minutes=1))
    assert waits == [1, 2, 4, 8, 15, None]


def test_a_retry_never_lands_in_quiet_hours() -> None:
    """A send failing at 21:58 with quiet from 22:00 is not retried at 22:00 or later."""
    failed = local(BERLIN, 2026, 5, 1, 21, 58)
    settings = due_at(failed, failures=1, quiet_start=time(22), quiet_end=time(7))
    assert retry_at(settings, failed, BERLIN, POLICY) is None


def test_a_retry_never_reaches_the_next_days_reminder() -> None:
    """A retry that would come at or after the next regular reminder is given up."""
    failed = local(BERLIN, 2026, 5, 1, 19, 59)
    settings = due_at(failed, failures=2)  # the next wait is 4 minutes, past 20:00
    assert retry_at(settings, failed, BERLIN, POLICY) is None


# Properties.

ZONES = [BERLIN, NEW_YORK, MOSCOW, "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
minutes_of_day = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@given(
    zone_name=st.sampled_from(ZONES),
    at=minutes_of_day,
    quiet=st.one_of(st.none(), st.tuples(minutes_of_day, minutes_of_day)),
    now=st.datetimes(datetime(2025, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC)),
)
def test_next_due_is_soon_after_now_and_never_in_quiet_hours(
    zone_name: str, at: time, quiet: tuple[time, time] | None, now: datetime
) -> None:
    """For any zone, time, quiet hours and moment: due after now, within two days, not quiet."""
    start, end = quiet if quiet and quiet[0] != quiet[1] else (None, None)
    due = next_due(on(at, quiet_start=start, quiet_end=end), now, zone_name)
    assert due is not None
    assert now < due <= now + timedelta(days=2, hours=1)
    assert not in_quiet_hours(due.astimezone(ZoneInfo(zone_name)).time(), start, end)
