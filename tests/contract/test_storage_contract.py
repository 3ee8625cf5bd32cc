"""The ``Storage`` contract for conversations, profiles and batches, run against every adapter."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from innertalk.application.ports import Record, Storage
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import Language, Style
from innertalk.domain.wellbeing import Feedback, Portrait
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.contract.records import (
    ALICE,
    ALICE_ON_BOT_B,
    BOB,
    STRANGER,
    T0,
    at,
    everything,
    mood,
    portrait,
    profile,
    result,
    session,
    turns,
)


async def test_profile_round_trips(storage: Storage) -> None:
    """A profile comes back exactly as written, consent and enums included."""
    written = replace(profile(), style=Style.EMPATHY, timezone="Europe/Moscow")
    await storage.write([written])
    assert await storage.get_profile(ALICE) == written


async def test_profile_upsert_replaces_fields_but_keeps_created_at(storage: Storage) -> None:
    """Writing a profile again updates it in place and keeps when it was first created."""
    first = profile()
    await storage.write([first])
    second = replace(
        first,
        created_at=at(60),
        last_active_at=at(60),
        display_name="Alice",
        language=Language.EN,
        style=Style.ACTION,
        consent_at=None,
    )
    await storage.write([second])
    assert await storage.get_profile(ALICE) == replace(second, created_at=first.created_at)


async def test_unknown_user_has_nothing(storage: Storage) -> None:
    """Someone never seen has no profile, an empty context and no records."""
    await storage.write(everything(ALICE))
    assert await storage.get_profile(STRANGER) is None
    assert await storage.load_context(STRANGER, 10) == ConversationContext(key=STRANGER)
    assert await storage.sessions(STRANGER, 10) == []
    assert await storage.session_turns(STRANGER, f"{ALICE}:s1", 10) == []
    assert await storage.moods(STRANGER, 10) == []
    assert await storage.questionnaire_results(STRANGER, 10) == []
    assert await storage.portraits(STRANGER, 10) == []


async def test_load_context_assembles_what_a_reply_needs(storage: Storage) -> None:
    """Context = profile, open session, newest summary and its newest turns, oldest first."""
    oldest = session("s0", start=0, ended=5, summary="first talk")
    summarized = session("s1", start=10, ended=15, summary="second talk")
    unsummarized = session("s2", start=20, ended=25)
    opened = session("s3", start=30)
    open_turns = turns(opened, 7, start=30)
    records: list[Record] = [profile(), oldest, summarized, unsummarized, opened]
    records += [*turns(summarized, 4, start=10), *turns(unsummarized, 2, start=20), *open_turns]
    await storage.write(records)

    context = await storage.load_context(ALICE, 5)

    assert context == ConversationContext(
        key=ALICE,
        profile=profile(),
        session=opened,
        previous_summary="second talk",
        recent_turns=tuple(open_turns[-5:]),
    )


async def test_load_context_without_open_session_has_summary_but_no_turns(
    storage: Storage,
) -> None:
    """With every session ended, the context keeps the summary and carries no turns."""
    ended = session("s0", start=0, ended=5, summary="we talked")
    await storage.write([profile(), ended, *turns(ended, 3)])
    context = await storage.load_context(ALICE, 10)
    assert context.session is None
    assert context.previous_summary == "we talked"
    assert context.recent_turns == ()


async def test_load_context_picks_the_newest_open_session(storage: Storage) -> None:
    """When two sessions are open, the one started last is the conversation."""
    older, newer = session("s0", start=0), session("s1", start=5)
    await storage.write([newer, older, *turns(older, 2), *turns(newer, 2, start=5)])
    context = await storage.load_context(ALICE, 10)
    assert context.session == newer
    assert context.recent_turns == tuple(turns(newer, 2, start=5))


async def test_load_context_with_zero_turn_limit_has_no_turns(storage: Storage) -> None:
    """A turn limit of zero still loads the session but no turns."""
    opened = session("s0")
    await storage.write([opened, *turns(opened, 3)])
    context = await storage.load_context(ALICE, 0)
    assert context.session == opened
    assert context.recent_turns == ()


async def test_session_turns_are_the_newest_oldest_first(storage: Storage) -> None:
    """session_turns returns the newest ``limit`` turns of that session, oldest first."""
    first, second = session("s0", ended=30), session("s1", start=40)
    first_turns = turns(first, 6)
    await storage.write([first, second, *first_turns, *turns(second, 2, start=40)])
    assert await storage.session_turns(ALICE, "s0", 4) == first_turns[-4:]
    assert await storage.session_turns(ALICE, "s0", 100) == first_turns
    assert await storage.session_turns(ALICE, "s0", 0) == []


async def test_turns_keep_write_order_when_timestamps_are_equal(storage: Storage) -> None:
    """Turns written at the same instant come back in the order they were written."""
    opened = session("s0")
    same_time = [replace(turn, created_at=T0) for turn in turns(opened, 5)]
    await storage.write([opened, *same_time[:2]])
    await storage.write(same_time[2:])
    assert await storage.session_turns(ALICE, "s0", 10) == same_time
    assert (await storage.load_context(ALICE, 3)).recent_turns == tuple(same_time[2:])


async def test_sessions_are_newest_first_with_limit(storage: Storage) -> None:
    """sessions returns the newest ``limit`` by start, ties in reverse write order."""
    s0, s1, s2 = session("s0", start=0), session("s1", start=10), session("s2", start=10)
    await storage.write([s1, s0])
    await storage.write([s2])
    assert await storage.sessions(ALICE, 10) == [s2, s1, s0]
    assert await storage.sessions(ALICE, 2) == [s2, s1]


async def test_records_never_leak_across_users_or_bots(storage: Storage) -> None:
    """Records of another user, or of the same user id on another bot, are never returned."""
    keys = (ALICE, BOB, ALICE_ON_BOT_B)
    for key in keys:
        await storage.write(everything(key))
    for key in keys:
        context = await storage.load_context(key, 10)
        assert context.profile == profile(key)
        assert context.session is not None
        assert context.session.id == f"{key}:s1"
        assert context.previous_summary == f"summary of {key}"
        assert [t.id for t in context.recent_turns] == [f"{key}:s1:turn-{n}" for n in range(3)]
        assert [s.id for s in await storage.sessions(key, 10)] == [f"{key}:s1", f"{key}:s0"]
        assert [m.id for m in await storage.moods(key, 10)] == [f"{key}:m"]
        assert [q.id for q in await storage.questionnaire_results(key, 10)] == [f"{key}:q"]
        assert [p.id for p in await storage.portraits(key, 10)] == [f"{key}:p"]
        other = BOB if key != BOB else ALICE
        assert await storage.session_turns(key, f"{other}:s1", 10) == []


async def test_an_id_owned_by_someone_else_never_changes_their_records(storage: Storage) -> None:
    """A record reusing another person's id neither overwrites theirs nor shows up for them."""
    alice_session = session("s0")
    alice_turn = turns(alice_session, 1)[0]
    await storage.write([alice_session, alice_turn, mood("m0"), portrait("p0")])
    await storage.write(
        [
            replace(alice_session, key=BOB, ended_at=at(5), summary="not alice's"),
            replace(alice_turn, key=BOB, text="not alice's"),
            replace(mood("m0", score=1), key=BOB),
            replace(portrait("p0"), key=BOB, text="not alice's"),
        ]
    )
    assert await storage.sessions(ALICE, 10) == [alice_session]
    assert await storage.session_turns(ALICE, "s0", 10) == [alice_turn]
    assert await storage.moods(ALICE, 10) == [mood("m0")]
    assert await storage.portraits(ALICE, 10) == [portrait("p0")]


async def test_writing_a_batch_twice_stores_each_record_once(storage: Storage) -> None:
    """A retried batch is harmless: every record is stored exactly once."""
    batch = everything(ALICE)
    await storage.write(batch)
    await storage.write(batch)
    assert len(await storage.sessions(ALICE, 10)) == 2
    assert len(await storage.session_turns(ALICE, f"{ALICE}:s0", 10)) == 2
    assert len((await storage.load_context(ALICE, 10)).recent_turns) == 3
    assert len(await storage.moods(ALICE, 10)) == 1
    assert len(await storage.questionnaire_results(ALICE, 10)) == 1
    assert len(await storage.portraits(ALICE, 10)) == 1


async def test_ending_a_session_updates_it(storage: Storage) -> None:
    """Writing an ended session records its end and summary and closes it for the context."""
    opened = session("s0")
    await storage.write([opened, *turns(opened, 2)])
    ended = opened.ended(at(30), "we talked about work")
    await storage.write([ended])
    assert await storage.sessions(ALICE, 10) == [ended]
    context = await storage.load_context(ALICE, 10)
    assert context.session is None
    assert context.previous_summary == "we talked about work"


async def test_a_stale_open_session_never_reopens_an_ended_one(storage: Storage) -> None:
    """A late retry of the open session keeps the stored end and summary."""
    opened = session("s0")
    ended = opened.ended(at(30), "summary")
    await storage.write([ended])
    await storage.write([opened])
    assert await storage.sessions(ALICE, 10) == [ended]


async def test_a_failed_batch_writes_nothing(storage: Storage) -> None:
    """A batch with one bad record (a naive datetime, last) stores none of its records."""
    naive = Portrait("p0", ALICE, "text", datetime(2024, 5, 1, 12, 0))
    with pytest.raises(ValueError, match="timezone"):
        await storage.write([*everything(ALICE), naive])
    assert await storage.load_context(ALICE, 10) == ConversationContext(key=ALICE)
    assert await storage.sessions(ALICE, 10) == []
    assert await storage.session_turns(ALICE, f"{ALICE}:s0", 10) == []
    assert await storage.moods(ALICE, 10) == []
    assert await storage.questionnaire_results(ALICE, 10) == []
    assert await storage.portraits(ALICE, 10) == []


async def test_a_record_of_unknown_type_fails_the_batch(storage: Storage) -> None:
    """Something that is not a storable record fails the whole batch with TypeError."""
    with pytest.raises(TypeError):
        await storage.write([profile(), "not a record"])  # type: ignore[list-item]
    assert await storage.get_profile(ALICE) is None


async def test_an_empty_batch_is_harmless(storage: Storage) -> None:
    """Writing nothing succeeds and stores nothing."""
    await storage.write([])
    assert await storage.load_context(ALICE, 10) == ConversationContext(key=ALICE)


async def test_counters_count_calls(storage: LocalStorage | SqliteStorage) -> None:
    """``reads`` grows by one per read call and ``writes`` by one per non-empty write call."""
    await storage.write(everything(ALICE))
    await storage.write([])
    await storage.load_context(ALICE, 10)
    await storage.session_turns(ALICE, "s0", 10)
    await storage.sessions(ALICE, 10)
    await storage.get_profile(ALICE)
    await storage.moods(ALICE, 10)
    await storage.questionnaire_results(ALICE, 10, "phq9")
    await storage.portraits(ALICE, 10)
    assert (storage.reads, storage.writes) == (7, 1)


async def test_reply_metadata_and_token_spend_round_trip(storage: Storage) -> None:
    """A reply's provider, model, tokens and variant, and a session's spend, round-trip."""
    opened = replace(session("s-meta"), tokens_used=420)
    question, answer = turns(opened, 2)
    answer = replace(
        answer,
        provider="gemini",
        model="gemini-2.5-flash",
        input_tokens=300,
        output_tokens=120,
        variant="B",
        latency_ms=850,
    )
    await storage.write([profile(), opened, question, answer])
    context = await storage.load_context(ALICE, 10)
    assert context.session == opened
    assert context.recent_turns == (question, answer)
    assert await storage.session_turns(ALICE, "s-meta", 10) == [question, answer]
    assert (await storage.sessions(ALICE, 1))[0].tokens_used == 420


async def test_a_stale_retry_never_lowers_a_sessions_token_spend(storage: Storage) -> None:
    """A session written again with an older, smaller spend keeps the larger one."""
    opened = session("s-spend")
    await storage.write([replace(opened, tokens_used=900)])
    await storage.write([replace(opened, tokens_used=100)])
    assert (await storage.sessions(ALICE, 1))[0].tokens_used == 900


async def test_reachability_and_admin_block_round_trip(storage: Storage) -> None:
    """A profile marked unreachable or blocked by an admin comes back that way."""
    written = replace(profile(), active=False, blocked=True)
    await storage.write([written])
    assert await storage.get_profile(ALICE) == written
    assert (await storage.load_context(ALICE, 5)).profile == written


async def test_feedback_round_trips_newest_first_and_can_change(storage: Storage) -> None:
    """Verdicts on replies come back newest first; voting again on the same id replaces it."""
    first = Feedback("f1", ALICE, "turn-1", True, at(1))
    second = Feedback("f2", ALICE, "turn-2", False, at(2))
    await storage.write([first, second, Feedback("f3", BOB, "turn-9", True, at(3))])
    assert await storage.feedback(ALICE, 10) == [second, first]
    await storage.write([replace(first, helpful=False)])
    assert (await storage.feedback(ALICE, 10))[1].helpful is False


async def test_the_context_carries_the_newest_three_results(storage: Storage) -> None:
    """load_context includes the three newest questionnaire results, newest first."""
    await storage.write([profile(), *(result(f"q{n}", minutes=n) for n in range(5))])
    context = await storage.load_context(ALICE, 10)
    assert [r.id for r in context.recent_results] == ["q4", "q3", "q2"]
    assert context.recent_results[0].answers == (1, 2, None, 0)


async def test_a_sessions_safety_mode_is_kept_once_set(storage: Storage) -> None:
    """A session marked for safety stays marked even if a stale copy is written again."""
    opened = session("s-safe")
    await storage.write([replace(opened, safety=True)])
    await storage.write([opened])
    context = await storage.load_context(ALICE, 5)
    assert context.session is not None
    assert context.session.safety is True


async def test_a_sessions_fold_point_and_rolling_summary_round_trip(storage: Storage) -> None:
    """The fold point and rolling summary come back, and a copy without a fold keeps them."""
    opened = session("s-fold")
    folded = opened.folded("turn-10", "They talked about work; they felt tired.")
    await storage.write([folded])
    await storage.write([replace(opened, tokens_used=50)])  # a stale copy without the fold
    context = await storage.load_context(ALICE, 5)
    assert context.session is not None
    assert context.session.folded_through == "turn-10"
    assert context.session.fold_summary == "They talked about work; they felt tired."
    assert (await storage.sessions(ALICE, 1))[0].fold_summary == folded.fold_summary
    await storage.write([folded.folded("turn-20", "Later: they felt calmer.")])
    again = await storage.load_context(ALICE, 5)
    assert again.session is not None
    assert (again.session.folded_through, again.session.fold_summary) == (
        "turn-20",
        "Later: they felt calmer.",
    )


async def test_recent_messages_are_the_persons_own_across_sessions(storage: Storage) -> None:
    """recent_messages returns only user turns, across sessions, the newest N oldest first."""
    await storage.write([*everything(ALICE), *everything(BOB)])
    recent = await storage.recent_messages(ALICE, 2)
    assert [t.id for t in recent] == [f"{ALICE}:s1:turn-0", f"{ALICE}:s1:turn-2"]
    assert all(t.key == ALICE for t in await storage.recent_messages(ALICE, 50))
    assert len(await storage.recent_messages(ALICE, 50)) == 3


async def test_load_context_brings_the_open_sessions_first_turns(storage: Storage) -> None:
    """With an opening limit the context also holds the open session's first turns, oldest
    first (the pinned opening's candidates), in the same read as its newest."""
    ended, opened = session("s0", start=0, ended=5), session("s1", start=10)
    open_turns = turns(opened, 9, start=10)
    await storage.write([profile(), ended, opened, *turns(ended, 4), *open_turns])
    context = await storage.load_context(ALICE, 3, opening_limit=4)
    assert context.opening_turns == tuple(open_turns[:4])
    assert context.recent_turns == tuple(open_turns[-3:])
    assert (await storage.load_context(ALICE, 3)).opening_turns == ()
    assert (await storage.load_context(ALICE, 0, opening_limit=20)).opening_turns == tuple(
        open_turns
    )
