"""ReminderService: the commands a person uses, and what one dispatch round does with each
due reminder — send once, skip, stop after a 403, retry after a failure."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from innertalk.application.privacy import PrivacyService
from innertalk.application.wellbeing.reminder_dispatch import SendOutcome
from innertalk.domain.reminders import InvalidReminderError, RemindersOffError
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.presentation.texts import catalog
from tests.fakes.clock import FakeClock
from tests.fakes.reminders import RecordingSender, ReminderStack, reminder_stack

ALICE = UserKey("bot", 1)
BOB = UserKey("bot", 2)
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
TODAY_14_BERLIN = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
"""The FakeClock starts at 12:00 UTC, 13:00 in Berlin; a 14:00 reminder is due at 13:00 UTC."""


@pytest.fixture
def stack(clock: FakeClock) -> ReminderStack:
    return reminder_stack(LocalStorage(), clock)


@pytest.fixture
def sender(clock: FakeClock) -> RecordingSender:
    return RecordingSender(clock)


async def person(stack: ReminderStack, key: UserKey = ALICE, *, consent: bool = True) -> None:
    await stack.profiles.ensure(key, language=Language.RU, consent=consent)
    await stack.profiles.update(key, timezone=BERLIN)


def at_due(clock: FakeClock, seconds: float = 10) -> None:
    clock.advance((TODAY_14_BERLIN - clock.now()).total_seconds() + seconds)


# Commands.


async def test_enable_schedules_in_the_persons_time_zone(stack: ReminderStack) -> None:
    """enable(14:00) for someone in Berlin is due at 13:00 UTC today, and is stored."""
    await person(stack)
    settings = await stack.reminders.enable(ALICE, time(14))
    assert (settings.enabled, settings.next_due_at, settings.timezone) == (
        True,
        TODAY_14_BERLIN,
        BERLIN,
    )
    assert await stack.reminders.settings(ALICE) == settings


async def test_settings_never_chosen_are_off_in_the_persons_zone(stack: ReminderStack) -> None:
    """Someone who never opted in reads reminders off, at the default time, in their zone."""
    await person(stack)
    settings = await stack.reminders.settings(ALICE)
    assert (settings.enabled, settings.next_due_at, settings.timezone) == (False, None, BERLIN)
    assert await stack.storage.get_reminder(ALICE) is None


async def test_commands_for_someone_without_a_profile_raise_lookup_error(
    stack: ReminderStack,
) -> None:
    """Reminders need a profile (its time zone and language): LookupError otherwise."""
    with pytest.raises(LookupError):
        await stack.reminders.enable(BOB, time(9))


async def test_invalid_times_are_refused_and_nothing_changes(stack: ReminderStack) -> None:
    """Times with seconds or bad quiet hours raise and leave the settings as they were."""
    await person(stack)
    before = await stack.reminders.enable(ALICE, time(14))
    with pytest.raises(InvalidReminderError):
        await stack.reminders.enable(ALICE, time(14, 0, 30))
    with pytest.raises(InvalidReminderError):
        await stack.reminders.set_quiet_hours(ALICE, time(22), time(22))
    with pytest.raises(InvalidReminderError):
        await stack.reminders.set_quiet_hours(ALICE, time(22), None)
    assert await stack.reminders.settings(ALICE) == before


async def test_quiet_hours_move_the_schedule_and_can_be_cleared(stack: ReminderStack) -> None:
    """23:00 with quiet 22:00-07:00 comes at 07:00 tomorrow; clearing restores 23:00 today."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(23))
    quiet = await stack.reminders.set_quiet_hours(ALICE, time(22), time(7))
    assert quiet.next_due_at == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    cleared = await stack.reminders.set_quiet_hours(ALICE, None, None)
    assert cleared.next_due_at == datetime(2026, 11, 25, 22, 0, tzinfo=UTC)


async def test_snooze_then_stop(stack: ReminderStack, clock: FakeClock) -> None:
    """Snooze moves the next reminder N minutes ahead; stop turns it off; snoozing then fails."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(14))
    snoozed = await stack.reminders.snooze(ALICE, 30)
    assert snoozed.next_due_at == clock.now() + timedelta(minutes=30)
    stopped = await stack.reminders.stop(ALICE)
    assert (stopped.enabled, stopped.next_due_at, stopped.at) == (False, None, time(14))
    with pytest.raises(RemindersOffError):
        await stack.reminders.snooze(ALICE, 30)


async def test_changing_the_time_zone_reschedules_at_once(stack: ReminderStack) -> None:
    """Moving from Berlin to New York makes 14:00 mean 14:00 in New York (19:00 UTC)."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(14))
    await stack.profiles.update(ALICE, timezone=NEW_YORK)
    settings = await stack.reminders.settings(ALICE)
    assert (settings.next_due_at, settings.timezone) == (
        datetime(2026, 11, 25, 19, 0, tzinfo=UTC),
        NEW_YORK,
    )


async def test_export_and_erasure_include_the_reminder(
    stack: ReminderStack, clock: FakeClock
) -> None:
    """The export files show the reminder settings; erasure leaves none behind."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(14))
    await stack.reminders.set_quiet_hours(ALICE, time(22), time(7))
    privacy = PrivacyService(
        store=stack.storage, contexts=stack.contexts, locks=stack.locks, clock=clock
    )
    files = await privacy.export(ALICE, labels=catalog("export", Language.RU))
    document = json.loads(files.json)
    assert document["reminder"]["at"] == "14:00:00"
    assert document["reminder"]["quiet_start"] == "22:00:00"
    assert "- 14:00 (Europe/Berlin): включено" in files.markdown.decode()
    assert "- Тихие часы: 22:00–07:00" in files.markdown.decode()
    await privacy.delete(ALICE)
    assert await stack.storage.get_reminder(ALICE) is None


# Dispatching.


async def test_a_due_reminder_is_sent_once_in_the_persons_language(
    stack: ReminderStack, clock: FakeClock, sender: RecordingSender
) -> None:
    """At its moment the reminder goes out once, in Russian, and moves to tomorrow."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(14))
    assert (await stack.reminders.dispatch_once(sender)).sent == 0
    at_due(clock)
    report = await stack.reminders.dispatch_once(sender)
    assert (report.sent, [c.language for c in sender.calls]) == (1, [Language.RU])
    settings = await stack.reminders.settings(ALICE)
    assert settings.next_due_at == TODAY_14_BERLIN + timedelta(days=1)
    assert settings.last_sent_at == clock.now()
    assert (await stack.reminders.dispatch_once(sender)).sent == 0
    assert sender.keys == [ALICE]


@pytest.mark.parametrize("why", ["unreachable", "admin_blocked", "no_consent"])
async def test_people_who_cannot_or_may_not_be_reached_are_skipped(
    stack: ReminderStack, clock: FakeClock, sender: RecordingSender, why: str
) -> None:
    """Unreachable, admin-blocked or unconsenting people get nothing; tomorrow stays scheduled."""
    await person(stack, consent=why != "no_consent")
    await stack.reminders.enable(ALICE, time(14))
    if why == "unreachable":
        await stack.profiles.set_reachable(ALICE, False)
    elif why == "admin_blocked":
        await stack.profiles.set_blocked(ALICE, True)
    at_due(clock)
    report = await stack.reminders.dispatch_once(sender)
    assert (report.sent, report.skipped, sender.calls) == (0, 1, [])
    settings = await stack.reminders.settings(ALICE)
    assert settings.enabled
    assert settings.next_due_at == TODAY_14_BERLIN + timedelta(days=1)


async def test_a_403_marks_the_person_unreachable_and_stops_reminders(
    stack: ReminderStack, clock: FakeClock, sender: RecordingSender
) -> None:
    """UNREACHABLE: the profile is marked inactive and the reminders are turned off."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(14))
    sender.outcome = SendOutcome.UNREACHABLE
    at_due(clock)
    assert (await stack.reminders.dispatch_once(sender)).unreachable == 1
    profile = await stack.profiles.get(ALICE)
    assert profile is not None
    assert not profile.active
    settings = await stack.reminders.settings(ALICE)
    assert (settings.enabled, settings.next_due_at) == (False, None)


async def test_a_failed_send_is_retried_a_minute_later(
    stack: ReminderStack, clock: FakeClock, sender: RecordingSender
) -> None:
    """FAILED rolls the claim back to a retry in one minute; the retry is sent, then tomorrow."""
    await person(stack)
    before = await stack.reminders.enable(ALICE, time(14))
    sender.queue = [SendOutcome.FAILED]
    at_due(clock)
    failed_at = clock.now()
    assert (await stack.reminders.dispatch_once(sender)).failed == 1
    retry = await stack.reminders.settings(ALICE)
    assert (retry.next_due_at, retry.failures) == (failed_at + timedelta(minutes=1), 1)
    assert retry.last_sent_at == before.last_sent_at
    clock.advance(30)
    assert (await stack.reminders.dispatch_once(sender)).sent == 0
    clock.advance(31)
    assert (await stack.reminders.dispatch_once(sender)).sent == 1
    after = await stack.reminders.settings(ALICE)
    assert (after.next_due_at, after.failures) == (TODAY_14_BERLIN + timedelta(days=1), 0)
    assert len(sender.calls) == 2


async def test_a_sender_that_raises_counts_as_a_failed_send(
    stack: ReminderStack, clock: FakeClock, sender: RecordingSender
) -> None:
    """An exception from the sender is a failed delivery: the round goes on, a retry is set."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(14))
    sender.raises = ConnectionError("telegram down")
    at_due(clock)
    assert (await stack.reminders.dispatch_once(sender)).failed == 1
    assert (await stack.reminders.settings(ALICE)).failures == 1


async def test_a_long_outage_gives_the_day_up_without_a_backlog(
    stack: ReminderStack, clock: FakeClock, sender: RecordingSender
) -> None:
    """Telegram down for hours: six attempts that day, then exactly one reminder the next day."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(14))
    sender.outcome = SendOutcome.FAILED
    at_due(clock, 0)
    for _ in range(6 * 120):  # every 30 s for six hours
        await stack.reminders.dispatch_once(sender)
        clock.advance(30)
    assert len(sender.calls) == 6
    sender.outcome = SendOutcome.SENT
    for _ in range(2 * 24 * 60):  # every 30 s until the next day's reminder has passed
        await stack.reminders.dispatch_once(sender)
        clock.advance(30)
        if clock.now() > TODAY_14_BERLIN + timedelta(days=1, hours=1):
            break
    assert len(sender.calls) == 7
    assert sender.calls[-1].at - sender.calls[0].at == pytest.approx(24 * 3600, abs=30)


async def test_a_reminder_hours_overdue_is_skipped(
    stack: ReminderStack, clock: FakeClock, sender: RecordingSender
) -> None:
    """After the bot was down for three hours the missed reminder is not sent late."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(14))
    at_due(clock, 3 * 3600)
    report = await stack.reminders.dispatch_once(sender)
    assert (report.sent, report.skipped) == (0, 1)
    assert (await stack.reminders.settings(ALICE)).next_due_at == TODAY_14_BERLIN + timedelta(
        days=1
    )


async def test_a_stale_schedule_written_over_a_claim_is_not_sent_again(
    stack: ReminderStack, clock: FakeClock, sender: RecordingSender
) -> None:
    """A copy from before the send, written after it, does not bring the same reminder back."""
    await person(stack)
    stale = await stack.reminders.enable(ALICE, time(14))
    at_due(clock)
    await stack.reminders.dispatch_once(sender)
    await stack.storage.write([stale])
    await stack.reminders.dispatch_once(sender)
    assert sender.keys == [ALICE]
    settings = await stack.reminders.settings(ALICE)
    assert settings.next_due_at == TODAY_14_BERLIN + timedelta(days=1)


async def test_a_zone_changed_without_the_hook_reschedules_instead_of_sending(
    stack: ReminderStack, clock: FakeClock, sender: RecordingSender
) -> None:
    """A reminder computed in a zone the profile no longer has is recomputed, not sent."""
    await person(stack)
    await stack.reminders.enable(ALICE, time(14))
    profile = await stack.storage.get_profile(ALICE)
    assert profile is not None
    await stack.storage.write([replace(profile, timezone=NEW_YORK)])
    at_due(clock)
    report = await stack.reminders.dispatch_once(sender)
    assert (report.sent, report.skipped) == (0, 1)
    settings = await stack.reminders.settings(ALICE)
    assert (settings.next_due_at, settings.timezone) == (
        datetime(2026, 11, 25, 19, 0, tzinfo=UTC),
        NEW_YORK,
    )
