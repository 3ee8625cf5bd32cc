"""The ``Storage`` contract for values: wellbeing records, datetimes and any text come back
exactly as written, in the promised order. Run against every adapter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from innertalk.application.ports import Record, Storage
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.wellbeing import MoodEntry, Portrait, QuestionnaireResult
from tests.contract.records import ALICE, T0, at, mood, portrait, profile, result, session


async def test_moods_round_trip_newest_first_with_limit(storage: Storage) -> None:
    """Mood entries keep score, tags and note, newest first, ties in reverse write order."""
    entries = [mood("m0", minutes=0), mood("m1", minutes=10, score=9), mood("m2", minutes=10)]
    entries.append(MoodEntry("m3", ALICE, 1, at(5)))
    await storage.write(entries)
    assert await storage.moods(ALICE, 10) == [entries[2], entries[1], entries[3], entries[0]]
    assert await storage.moods(ALICE, 2) == [entries[2], entries[1]]


async def test_a_mood_written_again_is_replaced(storage: Storage) -> None:
    """Writing a mood entry with the same id updates it instead of adding one."""
    await storage.write([mood("m0")])
    changed = replace(mood("m0"), score=2, tags=("sad",), note="worse")
    await storage.write([changed])
    assert await storage.moods(ALICE, 10) == [changed]


async def test_questionnaire_results_round_trip_and_filter(storage: Storage) -> None:
    """Results keep answers (None included), come newest first, and filter by instrument."""
    phq = [result("q0", minutes=0), result("q2", minutes=20)]
    gad = [
        result("q1", minutes=10, instrument="gad7"),
        result("q3", minutes=30, instrument="gad7"),
    ]
    await storage.write([phq[0], gad[0], phq[1], gad[1]])
    assert await storage.questionnaire_results(ALICE, 10) == [gad[1], phq[1], gad[0], phq[0]]
    assert await storage.questionnaire_results(ALICE, 1) == [gad[1]]
    assert await storage.questionnaire_results(ALICE, 10, "phq9") == [phq[1], phq[0]]
    assert await storage.questionnaire_results(ALICE, 1, "gad7") == [gad[1]]
    assert await storage.questionnaire_results(ALICE, 10, "unknown") == []


async def test_portraits_round_trip_newest_first_with_limit(storage: Storage) -> None:
    """Portraits come back whole, newest first, at most ``limit``."""
    written = [portrait("p0", minutes=0), portrait("p1", minutes=10), portrait("p2", minutes=5)]
    await storage.write(written)
    assert await storage.portraits(ALICE, 10) == [written[1], written[2], written[0]]
    assert await storage.portraits(ALICE, 1) == [written[1]]


async def test_datetimes_come_back_equal_and_in_utc(storage: Storage) -> None:
    """Datetimes in any zone come back as the same instant, timezone-aware UTC, to the µs."""
    moment = datetime(2024, 3, 10, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=3)))
    opened = Session("s0", ALICE, moment)
    written: list[Record] = [
        replace(profile(), created_at=moment, last_active_at=moment, consent_at=moment),
        opened,
        Turn("t0", ALICE, "s0", Role.USER, "hi", moment),
        MoodEntry("m0", ALICE, 5, moment),
        replace(result("q0"), created_at=moment),
        Portrait("p0", ALICE, "text", moment),
    ]
    await storage.write(written)
    context = await storage.load_context(ALICE, 10)
    assert context.profile is not None
    assert context.session is not None
    read_back = [
        context.profile.created_at,
        context.profile.last_active_at,
        context.profile.consent_at,
        context.session.started_at,
        context.recent_turns[0].created_at,
        (await storage.moods(ALICE, 1))[0].created_at,
        (await storage.questionnaire_results(ALICE, 1))[0].created_at,
        (await storage.portraits(ALICE, 1))[0].created_at,
    ]
    later = moment + timedelta(microseconds=1)
    await storage.write([opened.ended(later, None)])
    read_back.append((await storage.sessions(ALICE, 1))[0].ended_at)
    assert read_back == [*[moment] * 8, later]
    assert all(value is not None and value.tzinfo is UTC for value in read_back)


TEXTS = {
    "emoji": "Сегодня 😀👩🏽‍💻🏳️‍🌈 так себе",
    "rtl": "שלום עולם مرحبا بالعالم \u202eabc\u202c end",
    "zero_width": "a\u200bb\u200cc\u200dd\ufeffe\u2060f",
    "controls": 'line1\r\nline2\ttab\x00nul\x1f "quote" \\backslash',
    "unnormalized": "e\u0301 \u00c5 A\u030a",
    "long": ("длинный текст 😀 مرحبا " * 5000)[:100_000],
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
async def test_text_round_trips_exactly(storage: Storage, text: str) -> None:
    """Any text (emoji, RTL, zero-width, controls, 100k chars) comes back byte for byte."""
    ended = session("s0", ended=5, summary=text)
    opened = session("s1", start=10)
    turn = Turn("t0", ALICE, "s1", Role.USER, text, at(10))
    await storage.write(
        [
            replace(profile(), display_name=text),
            ended,
            opened,
            turn,
            MoodEntry("m0", ALICE, 5, T0, tags=(text, "calm"), note=text),
            QuestionnaireResult("q0", ALICE, text, 1, text, (None,), T0),
            Portrait("p0", ALICE, text, T0),
        ]
    )
    context = await storage.load_context(ALICE, 10)
    assert context.profile is not None
    assert context.profile.display_name == text
    assert context.previous_summary == text
    assert context.recent_turns == (turn,)
    assert await storage.session_turns(ALICE, "s1", 10) == [turn]
    assert (await storage.sessions(ALICE, 10))[1].summary == text
    (entry,) = await storage.moods(ALICE, 10)
    assert (entry.note, entry.tags) == (text, (text, "calm"))
    (stored,) = await storage.questionnaire_results(ALICE, 10, instrument=text)
    assert (stored.instrument, stored.severity) == (text, text)
    assert (await storage.portraits(ALICE, 10))[0].text == text
