"""``wire_services`` (the composition root's wiring, shared with the tests) connects the use
cases to each other, not only to their adapters."""

from __future__ import annotations

from datetime import UTC, datetime, time

from innertalk.domain.users import Language, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ScriptedModel

ALEX = UserKey("bot", 7)


async def test_a_time_zone_change_reschedules_the_reminder() -> None:
    """A profile's new time zone moves the daily reminder to the same local time there."""
    core = build_core(ScriptedModel(), FakeClock())
    await core.profiles.ensure(ALEX, language=Language.EN, consent=True)
    reminders = core.services.reminders
    before = await reminders.enable(ALEX, time(9, 0))
    await core.profiles.update(ALEX, timezone="Asia/Tokyo")
    after = await reminders.settings(ALEX)
    assert (before.timezone, before.next_due_at) == ("UTC", datetime(2026, 11, 26, 9, tzinfo=UTC))
    # 09:00 in Tokyo is midnight UTC
    assert (after.timezone, after.next_due_at) == (
        "Asia/Tokyo",
        datetime(2026, 11, 26, 0, tzinfo=UTC),
    )
