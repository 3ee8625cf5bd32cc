"""Reminder rules: the next due moment across time zones, DST, quiet hours and snoozes, and
the validation of times (delivery rules are in ``test_reminders_delivery``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from innertalk.domain.reminders import (
    InvalidReminderError,
    ReminderSettings,
    RemindersOffError,
    enabled_at,
    in_quiet_hours,
    next_due,
    parse_local_time,
    scheduled,
    snooze,
    stop,
)
from innertalk.domain.users import UserKey

KEY = UserKey("bot", 1)
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
MOSCOW = "Europe/Moscow"


def on(at: time = time(20, 0), **fields: object) -> ReminderSettings:
    return replace(ReminderSettings(KEY, enabled=True, at=at), **fields)  # type: ignore[arg-type]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def local(zone_name: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone_name))  # type: ignore[misc]


# The schedule.


def test_next_due_is_today_when_the_time_is_still_ahead() -> None:
    """At 19:00 local, a 20:00 reminder is due today at 20:00 local, returned in UTC."""
    due = next_due(on(), local(BERLIN, 2026, 11, 25, 19, 0), BERLIN)
    assert due == local(BERLIN, 2026, 11, 25, 20, 0)
    assert due is not None
    assert due.tzinfo is UTC


def test_next_due_is_tomorrow_once_the_time_has_passed_or_is_now() -> None:
    """The next due moment is strictly after now: at 20:00 or later it is tomorrow's."""
    tomorrow = local(BERLIN, 2026, 11, 26, 20, 0)
    assert next_due(on(), local(BERLIN, 2026, 11, 25, 20, 0), BERLIN) == tomorrow
    assert next_due(on(), local(BERLIN, 2026, 11, 25, 23, 59), BERLIN) == tomorrow


def test_a_zone_without_dst_is_a_fixed_offset() -> None:
    """Moscow (UTC+3 all year): 09:00 local is 06:00 UTC in January and in July."""
    assert next_due(on(time(9)), utc(2026, 1, 10, 0), MOSCOW) == utc(2026, 1, 10, 6)
    assert next_due(on(time(9)), utc(2026, 7, 10, 0), MOSCOW) == utc(2026, 7, 10, 6)


def test_the_local_time_stays_put_across_a_dst_change() -> None:
    """20:00 in Berlin is 19:00 UTC before the spring change and 18:00 UTC after it."""
    assert next_due(on(), utc(2026, 3, 28, 12), BERLIN) == utc(2026, 3, 28, 19)
    assert next_due(on(), utc(2026, 3, 29, 12), BERLIN) == utc(2026, 3, 29, 18)
    assert next_due(on(), utc(2026, 11, 1, 12), NEW_YORK) == utc(2026, 11, 2, 1)


@pytest.mark.parametrize(
    ("zone_name", "now", "expected"),
    [
        # Berlin skips 02:00-03:00 on 2026-03-29: 02:30 becomes 03:30 CEST (01:30 UTC).
        (BERLIN, utc(2026, 3, 28, 23), utc(2026, 3, 29, 1, 30)),
        # New York skips 02:00-03:00 on 2026-03-08: 02:30 becomes 03:30 EDT (07:30 UTC).
        (NEW_YORK, utc(2026, 3, 8, 5), utc(2026, 3, 8, 7, 30)),
    ],
)
def test_a_nonexistent_local_time_moves_forward_by_the_gap(
    zone_name: str, now: datetime, expected: datetime
) -> None:
    """A reminder at 02:30 on a spring-forward night comes at 03:30 that night."""
    assert next_due(on(time(2, 30)), now, zone_name) == expected


@pytest.mark.parametrize(
    ("zone_name", "at", "now", "expected"),
    [
        # Berlin repeats 02:00-03:00 on 2026-10-25: the first 02:30 is CEST (00:30 UTC).
        (BERLIN, time(2, 30), utc(2026, 10, 24, 22), utc(2026, 10, 25, 0, 30)),
        # New York repeats 01:00-02:00 on 2026-11-01: the first 01:30 is EDT (05:30 UTC).
        (NEW_YORK, time(1, 30), utc(2026, 11, 1, 4), utc(2026, 11, 1, 5, 30)),
    ],
)
def test_an_ambiguous_local_time_means_its_first_occurrence(
    zone_name: str, at: time, now: datetime, expected: datetime
) -> None:
    """On a fall-back night a time that happens twice is due once, the first time."""
    assert next_due(on(at), now, zone_name) == expected
    after_first = next_due(on(at), expected, zone_name)
    assert after_first is not None
    assert after_first - expected > timedelta(hours=23)


def test_an_unknown_time_zone_counts_as_utc() -> None:
    """A zone name the system does not know schedules in UTC instead of failing."""
    assert next_due(on(), utc(2026, 5, 1, 12), "Mars/Olympus") == utc(2026, 5, 1, 20)


def test_reminders_that_are_off_are_never_due() -> None:
    """Disabled settings have no next due moment, snooze or not."""
    off = ReminderSettings(KEY, snoozed_until=utc(2026, 5, 1, 13))
    assert next_due(off, utc(2026, 5, 1, 12), BERLIN) is None


# Quiet hours.


@pytest.mark.parametrize(
    ("moment", "start", "end", "quiet"),
    [
        (time(12, 0), time(12, 0), time(14, 0), True),
        (time(13, 59), time(12, 0), time(14, 0), True),
        (time(14, 0), time(12, 0), time(14, 0), False),
        (time(11, 59), time(12, 0), time(14, 0), False),
        (time(23, 0), time(22, 0), time(7, 0), True),
        (time(0, 0), time(22, 0), time(7, 0), True),
        (time(6, 59), time(22, 0), time(7, 0), True),
        (time(7, 0), time(22, 0), time(7, 0), False),
        (time(21, 59), time(22, 0), time(7, 0), False),
        (time(3, 0), None, None, False),
    ],
)
def test_quiet_hours_are_half_open_and_may_wrap_midnight(
    moment: time, start: time | None, end: time | None, quiet: bool
) -> None:
    """Quiet hours include their start, exclude their end, and wrap when start > end."""
    assert in_quiet_hours(moment, start, end) is quiet


def test_a_reminder_in_daytime_quiet_hours_comes_when_they_end() -> None:
    """13:00 inside quiet 12:00-14:00 moves to 14:00 the same day."""
    settings = on(time(13), quiet_start=time(12), quiet_end=time(14))
    assert next_due(settings, local(BERLIN, 2026, 5, 1, 8), BERLIN) == local(
        BERLIN, 2026, 5, 1, 14
    )


def test_a_late_evening_reminder_in_overnight_quiet_hours_comes_next_morning() -> None:
    """23:30 inside quiet 22:00-07:00 moves to 07:00 the next day."""
    settings = on(time(23, 30), quiet_start=time(22), quiet_end=time(7))
    assert next_due(settings, local(BERLIN, 2026, 5, 1, 20), BERLIN) == local(
        BERLIN, 2026, 5, 2, 7
    )


def test_an_early_reminder_in_overnight_quiet_hours_comes_that_morning() -> None:
    """06:00 inside quiet 22:00-07:00 moves to 07:00 the same day."""
    settings = on(time(6), quiet_start=time(22), quiet_end=time(7))
    assert next_due(settings, local(BERLIN, 2026, 5, 1, 1), BERLIN) == local(BERLIN, 2026, 5, 1, 7)


def test_yesterdays_reminder_pushed_past_midnight_is_still_due_today() -> None:
    """At 05:00, yesterday's 23:30 reminder (moved to 07:00 by quiet hours) is the next one."""
    settings = on(time(23, 30), quiet_start=time(22), quiet_end=time(7))
    assert next_due(settings, local(BERLIN, 2026, 5, 2, 5), BERLIN) == local(BERLIN, 2026, 5, 2, 7)


def test_a_reminder_at_the_start_of_quiet_hours_moves_and_at_their_end_does_not() -> None:
    """The start minute is quiet, the end minute is not."""
    at_start = on(time(22), quiet_start=time(22), quiet_end=time(7))
    at_end = on(time(7), quiet_start=time(22), quiet_end=time(7))
    now = local(BERLIN, 2026, 5, 1, 12)
    assert next_due(at_start, now, BERLIN) == local(BERLIN, 2026, 5, 2, 7)
    assert next_due(at_end, now, BERLIN) == local(BERLIN, 2026, 5, 2, 7)


def test_quiet_hours_ending_in_a_dst_gap_end_after_the_gap() -> None:
    """Quiet hours ending at 02:30 on Berlin's spring-forward night end at 03:30 CEST."""
    settings = on(time(23), quiet_start=time(22), quiet_end=time(2, 30))
    assert next_due(settings, utc(2026, 3, 28, 12), BERLIN) == utc(2026, 3, 29, 1, 30)


# Snooze and stop.


def test_snooze_brings_the_reminder_back_after_the_snooze() -> None:
    """Snoozing 30 minutes at 20:05 makes the next reminder come at 20:35 that day."""
    now = local(BERLIN, 2026, 5, 1, 20, 5)
    snoozed = snooze(on(), now, 30)
    assert snoozed.snoozed_until == now + timedelta(minutes=30)
    assert next_due(snoozed, now, BERLIN) == local(BERLIN, 2026, 5, 1, 20, 35)


def test_a_daily_reminder_inside_a_snooze_is_skipped_and_the_schedule_resumes() -> None:
    """Snoozed at 19:50 for 30 minutes: no 20:00 reminder, one at 20:20, then daily 20:00."""
    now = local(BERLIN, 2026, 5, 1, 19, 50)
    snoozed = snooze(on(), now, 30)
    assert next_due(snoozed, now, BERLIN) == local(BERLIN, 2026, 5, 1, 20, 20)
    after = local(BERLIN, 2026, 5, 1, 20, 21)
    assert next_due(snoozed, after, BERLIN) == local(BERLIN, 2026, 5, 2, 20)


def test_a_snooze_ending_in_quiet_hours_ends_with_them() -> None:
    """Snoozed at 21:30 for an hour with quiet hours 22:00-07:00: next reminder 07:00."""
    settings = on(quiet_start=time(22), quiet_end=time(7))
    now = local(BERLIN, 2026, 5, 1, 21, 30)
    assert next_due(snooze(settings, now, 60), now, BERLIN) == local(BERLIN, 2026, 5, 2, 7)


@pytest.mark.parametrize("minutes", [0, -5, 7 * 24 * 60 + 1])
def test_a_snooze_outside_a_minute_to_a_week_is_refused(minutes: int) -> None:
    """Snooze lengths must be 1 minute to 7 days."""
    with pytest.raises(InvalidReminderError):
        snooze(on(), utc(2026, 5, 1, 12), minutes)


def test_snoozing_reminders_that_are_off_is_refused() -> None:
    """There is nothing to snooze when reminders are off."""
    with pytest.raises(RemindersOffError):
        snooze(ReminderSettings(KEY), utc(2026, 5, 1, 12), 30)


def test_stop_turns_off_and_keeps_time_and_quiet_hours() -> None:
    """After stop nothing is due, and the chosen time and quiet hours survive for later."""
    settings = on(time(9), quiet_start=time(22), quiet_end=time(7))
    settings = scheduled(snooze(settings, utc(2026, 5, 1, 12), 30), utc(2026, 5, 1, 12), BERLIN)
    stopped = stop(settings)
    assert (stopped.enabled, stopped.next_due_at, stopped.snoozed_until) == (False, None, None)
    assert (stopped.at, stopped.quiet_start, stopped.quiet_end) == (time(9), time(22), time(7))


def test_enabling_sets_the_time_and_drops_a_snooze() -> None:
    """A new time replaces the old one and a pending snooze no longer applies."""
    snoozed = snooze(on(), utc(2026, 5, 1, 12), 600)
    enabled = enabled_at(snoozed, time(8, 15))
    assert (enabled.enabled, enabled.at, enabled.snoozed_until) == (True, time(8, 15), None)


def test_scheduling_records_the_zone_and_forgets_failures() -> None:
    """scheduled() stores next_due_at with the zone it was computed in, failures reset."""
    settings = scheduled(on(failures=3), utc(2026, 5, 1, 12), NEW_YORK)
    assert settings.timezone == NEW_YORK
    assert settings.failures == 0
    assert settings.next_due_at == local(NEW_YORK, 2026, 5, 1, 20)


# Validation.


@pytest.mark.parametrize("value", [time(20, 0, 30), time(20, 0, 0, 5), time(20, tzinfo=UTC)])
def test_reminder_times_are_whole_local_minutes(value: time) -> None:
    """A time with seconds or a time zone is refused."""
    with pytest.raises(InvalidReminderError):
        enabled_at(ReminderSettings(KEY), value)


@pytest.mark.parametrize(
    ("start", "end"),
    [(time(22), None), (None, time(7)), (time(22), time(22)), (time(22, 0, 1), time(7))],
)
def test_quiet_hours_need_two_different_whole_minutes(
    start: time | None, end: time | None
) -> None:
    """One-sided, empty or second-precise quiet hours are refused."""
    with pytest.raises(InvalidReminderError):
        ReminderSettings(KEY, quiet_start=start, quiet_end=end)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7:05", time(7, 5)), ("07:05", time(7, 5)), (" 19.30 ", time(19, 30)), ("0:00", time())],
)
def test_typed_times_are_parsed(text: str, expected: time) -> None:
    """H:MM, HH:MM and HH.MM are understood."""
    assert parse_local_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "7", "7:5", "19:60", "seven", ""])
def test_text_that_is_not_a_time_of_day_is_refused(text: str) -> None:
    """Anything but a valid hour and two-digit minute raises InvalidReminderError."""
    with pytest.raises(InvalidReminderError):
        parse_local_time(text)
