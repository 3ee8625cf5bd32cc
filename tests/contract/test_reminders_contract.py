"""The ``ReminderStore`` contract, run against every adapter: settings round trip, the due
query across people and bots, the compare-and-set claim, and export and erasure."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import time, timedelta, timezone

from innertalk.application.ports import Storage
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.contract.records import ALICE, ALICE_ON_BOT_B, BOB, STRANGER, at, everything

CAROL = UserKey("bot-a", 1003)


def reminder(key: UserKey = ALICE, due: float | None = 0, **fields: object) -> ReminderSettings:
    """Enabled settings of ``key`` due at minute ``due`` (``None``: not scheduled)."""
    settings = ReminderSettings(
        key,
        enabled=True,
        at=time(20, 0),
        next_due_at=None if due is None else at(due),
        timezone="Europe/Berlin",
    )
    return replace(settings, **fields)  # type: ignore[arg-type]


async def test_settings_round_trip(storage: Storage) -> None:
    """Every field comes back equal, datetimes in UTC; an unknown person has none."""
    written = reminder(
        quiet_start=time(22, 0),
        quiet_end=time(7, 30),
        snoozed_until=at(5).astimezone(timezone(timedelta(hours=-5))),
        last_sent_at=at(-1440),
        failures=2,
    )
    await storage.write([written])
    stored = await storage.get_reminder(ALICE)
    assert stored == written
    assert stored is not None
    assert stored.snoozed_until is not None
    assert stored.snoozed_until.utcoffset() == timedelta(0)
    assert await storage.get_reminder(STRANGER) is None
    assert await storage.get_reminder(ALICE_ON_BOT_B) is None


async def test_settings_are_one_per_person_and_replaced_on_write(storage: Storage) -> None:
    """Writing settings again replaces them; other people's settings are untouched."""
    await storage.write([reminder(ALICE), reminder(BOB)])
    changed = reminder(ALICE, due=None, enabled=False, at=time(8, 15))
    await storage.write([changed])
    assert await storage.get_reminder(ALICE) == changed
    assert await storage.get_reminder(BOB) == reminder(BOB)


async def test_a_write_never_moves_the_last_send_back(storage: Storage) -> None:
    """A stale copy written over a newer send keeps the newer last_sent_at."""
    await storage.write([reminder(last_sent_at=at(10))])
    await storage.write([reminder(due=30, last_sent_at=at(0))])
    stored = await storage.get_reminder(ALICE)
    assert stored is not None
    assert (stored.next_due_at, stored.last_sent_at) == (at(30), at(10))


async def test_due_reminders_longest_due_first_across_people_and_bots(storage: Storage) -> None:
    """Enabled reminders due by now, oldest due first, ties by bot then user, any bot."""
    await storage.write(
        [
            reminder(CAROL, due=5),
            reminder(ALICE_ON_BOT_B, due=1),
            reminder(BOB, due=1),
            reminder(ALICE, due=3),
            reminder(STRANGER, due=11),  # not due yet
        ]
    )
    due = await storage.due_reminders(at(10), 10)
    assert [r.key for r in due] == [BOB, ALICE_ON_BOT_B, ALICE, CAROL]
    assert due[0] == reminder(BOB, due=1)
    assert [r.key for r in await storage.due_reminders(at(10), 2)] == [BOB, ALICE_ON_BOT_B]
    assert await storage.due_reminders(at(10), 0) == []


async def test_due_reminders_include_the_exact_moment_and_skip_off_or_unscheduled(
    storage: Storage,
) -> None:
    """next_due_at equal to now is due; disabled or unscheduled reminders never are."""
    await storage.write(
        [
            reminder(ALICE, due=10),
            reminder(BOB, due=1, enabled=False),
            reminder(CAROL, due=None),
        ]
    )
    assert [r.key for r in await storage.due_reminders(at(10), 10)] == [ALICE]
    assert await storage.due_reminders(at(9.99), 10) == []


async def test_a_claim_moves_the_reminder_and_records_the_send(storage: Storage) -> None:
    """A claim at the stored due moment succeeds once and sets next due, send and failures."""
    await storage.write([reminder(due=0, failures=3)])
    assert await storage.claim_reminder(ALICE, at(0), at(1440), at(0.5))
    stored = await storage.get_reminder(ALICE)
    assert stored is not None
    assert (stored.next_due_at, stored.last_sent_at, stored.failures) == (at(1440), at(0.5), 0)
    assert not await storage.claim_reminder(ALICE, at(0), at(1440), at(0.5))
    assert await storage.due_reminders(at(10), 10) == []


async def test_a_claim_can_set_failures_and_restore_an_earlier_send(storage: Storage) -> None:
    """Rolling a claim back (a failed send) sets last_sent_at and failures exactly."""
    await storage.write([reminder(due=0, last_sent_at=at(-1440))])
    assert await storage.claim_reminder(ALICE, at(0), at(1440), at(0))
    assert await storage.claim_reminder(ALICE, at(1440), at(1), at(-1440), failures=1)
    stored = await storage.get_reminder(ALICE)
    assert stored is not None
    assert (stored.next_due_at, stored.last_sent_at, stored.failures) == (at(1), at(-1440), 1)


async def test_a_claim_fails_for_another_moment_someone_else_or_reminders_off(
    storage: Storage,
) -> None:
    """The compare-and-set fails unless owner, enabled flag and due moment all match."""
    await storage.write([reminder(ALICE, due=0), reminder(BOB, due=0, enabled=False)])
    assert not await storage.claim_reminder(ALICE, at(1), at(1440), at(1))
    assert not await storage.claim_reminder(ALICE_ON_BOT_B, at(0), at(1440), at(1))
    assert not await storage.claim_reminder(BOB, at(0), at(1440), at(1))
    assert not await storage.claim_reminder(STRANGER, at(0), at(1440), at(1))
    assert await storage.get_reminder(ALICE) == reminder(ALICE, due=0)


async def test_a_claim_accepts_the_due_moment_in_any_offset(storage: Storage) -> None:
    """The due moment is compared as an instant, whatever offset the caller uses."""
    await storage.write([reminder(due=0)])
    berlin_summer = timezone(timedelta(hours=2))
    assert await storage.claim_reminder(ALICE, at(0).astimezone(berlin_summer), None, at(0))
    stored = await storage.get_reminder(ALICE)
    assert stored is not None
    assert stored.next_due_at is None


async def test_concurrent_claims_have_exactly_one_winner(storage: Storage) -> None:
    """Of several simultaneous claims of one due reminder exactly one returns True."""
    await storage.write([reminder(due=0)])
    results = await asyncio.gather(
        *(storage.claim_reminder(ALICE, at(0), at(1440 + n), at(0)) for n in range(5))
    )
    assert sorted(results) == [False, False, False, False, True]


async def test_export_holds_the_reminder_and_delete_erases_it(
    storage: LocalStorage | SqliteStorage,
) -> None:
    """export_user includes the settings; delete_user leaves zero reminder rows of the person."""
    await storage.write([*everything(ALICE), reminder(ALICE), reminder(BOB)])
    exported = await storage.export_user(ALICE)
    assert exported.reminder == reminder(ALICE)
    assert exported.count == len(everything(ALICE)) + 1
    assert await storage.delete_user(ALICE) == len(everything(ALICE)) + 1
    assert (await storage.count_user_rows(ALICE))["reminders"] == 0
    assert await storage.get_reminder(ALICE) is None
    assert (await storage.export_user(ALICE)).reminder is None
    assert [r.key for r in await storage.due_reminders(at(10), 10)] == [BOB]
    assert (await storage.count_user_rows(BOB))["reminders"] == 1
