"""Talk sessions: explicit start and end, abandoned sessions, the daily limit in local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from innertalk.domain.prompting import ModelRequest
from innertalk.domain.sessions import DailySessionLimitError, SessionPolicy
from innertalk.domain.users import Language, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ScriptedModel

ALICE = UserKey("bot", 1)


def summarizing(request: ModelRequest) -> str:
    return f"summary#{len(request.history)}" if request.purpose.value == "summary" else "reply"


async def ready(core: Core, timezone: str = "UTC") -> None:
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    await core.profiles.update(ALICE, timezone=timezone)


async def test_start_continues_a_fresh_session_and_opens_a_new_one_after_end(
    clock: FakeClock,
) -> None:
    """start() returns the open session while it is fresh, and a new one after end()."""
    core = build_core(ScriptedModel(summarizing), clock)
    await ready(core)
    first, is_new = await core.sessions.start(ALICE)
    assert is_new
    again, is_new = await core.sessions.start(ALICE)
    assert (again.id, is_new) == (first.id, False)
    await core.talk.reply(ALICE, "hello")
    await core.sessions.end(ALICE)
    second, is_new = await core.sessions.start(ALICE)
    assert is_new
    assert second.id != first.id


async def test_an_abandoned_session_is_summarized_when_the_next_message_comes(
    clock: FakeClock,
) -> None:
    """After the idle timeout, the next message closes the old session with a summary first."""
    model = ScriptedModel(summarizing)
    policy = SessionPolicy(sessions_per_day=0, idle_timeout=timedelta(hours=2))
    core = build_core(model, clock, sessions=policy)
    await ready(core)
    old = await core.talk.reply(ALICE, "work was hard today")
    clock.advance(3 * 3600)
    new = await core.talk.reply(ALICE, "good morning")
    assert new.session_id != old.session_id
    ended = (await core.storage.sessions(ALICE, 5))[1]
    assert (ended.id, ended.summary) == (old.session_id, "summary#2")
    assert "summary#2" in model.requests[-1].system


async def test_a_short_pause_keeps_the_session(clock: FakeClock) -> None:
    """Within the idle timeout the conversation continues in the same session."""
    core = build_core(ScriptedModel(), clock, sessions=SessionPolicy(sessions_per_day=0))
    await ready(core)
    first = await core.talk.reply(ALICE, "one")
    clock.advance(60 * 60)
    assert (await core.talk.reply(ALICE, "two")).session_id == first.session_id


async def test_the_daily_limit_counts_sessions_started_today(clock: FakeClock) -> None:
    """The fourth session of a day is refused with the time the limit resets."""
    core = build_core(ScriptedModel(summarizing), clock, sessions=SessionPolicy(3))
    await ready(core)
    for _ in range(3):
        await core.talk.reply(ALICE, "hello")
        await core.sessions.end(ALICE)
    with pytest.raises(DailySessionLimitError) as refused:
        await core.talk.reply(ALICE, "one more")
    assert refused.value.resets_at == datetime(2026, 11, 26, tzinfo=UTC)
    with pytest.raises(DailySessionLimitError):
        await core.sessions.start(ALICE)


async def test_walking_away_does_not_dodge_the_limit(clock: FakeClock) -> None:
    """Abandoned sessions count: idling out three times still uses up the day."""
    policy = SessionPolicy(sessions_per_day=3, idle_timeout=timedelta(minutes=30))
    core = build_core(ScriptedModel(summarizing), clock, sessions=policy)
    await ready(core)
    for _ in range(3):
        await core.talk.reply(ALICE, "hello")
        clock.advance(31 * 60)
    with pytest.raises(DailySessionLimitError):
        await core.talk.reply(ALICE, "again")
    sessions = await core.storage.sessions(ALICE, 10)
    assert all(session.summary == "summary#2" for session in sessions)


async def test_the_day_follows_the_persons_time_zone() -> None:
    """At 12:00 UTC it is already tomorrow in Kamchatka, so yesterday's sessions don't count."""
    model = ScriptedModel(summarizing)
    clock = FakeClock(datetime(2026, 11, 25, 11, 0, tzinfo=UTC))
    core = build_core(model, clock, sessions=SessionPolicy(sessions_per_day=1))
    await ready(core, timezone="Asia/Kamchatka")  # UTC+12: 23:00 local
    await core.talk.reply(ALICE, "late evening")
    await core.sessions.end(ALICE)
    with pytest.raises(DailySessionLimitError) as refused:
        await core.talk.reply(ALICE, "still today")
    assert refused.value.resets_at == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    clock.advance(3600)  # 00:00 local: a new day
    await core.talk.reply(ALICE, "a new day")


async def test_unknown_time_zones_are_refused(clock: FakeClock) -> None:
    """Setting a time zone that does not exist fails instead of silently becoming UTC."""
    core = build_core(ScriptedModel(), clock)
    await ready(core)
    with pytest.raises(ValueError, match="Mars/Olympus"):
        await core.profiles.update(ALICE, timezone="Mars/Olympus")


async def test_an_off_the_record_session_stores_nothing(clock: FakeClock) -> None:
    """Off the record: replies work with history, but no session, turn or summary is stored."""
    model = ScriptedModel(summarizing)
    core = build_core(model, clock)
    await ready(core)
    await core.talk.reply(ALICE, "on the record")
    before = await core.storage.export_user(ALICE)
    session, is_new = await core.sessions.start(ALICE, off_record=True)
    assert is_new
    assert session.off_record
    await core.talk.reply(ALICE, "a secret")
    await core.talk.reply(ALICE, "another secret")
    assert [m.text for m in model.requests[-1].history][:1] == ["a secret"]
    ended = await core.sessions.end(ALICE)
    assert ended is not None
    assert ended.summary is None
    after = await core.storage.export_user(ALICE)
    assert [t.text for t in after.turns] == [t.text for t in before.turns]
    assert all("secret" not in (s.summary or "") for s in after.sessions)
    assert len(after.sessions) == len(before.sessions)
