"""Block folding rules (domain): when a session's kept turns fold, and what stays."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from innertalk.domain.conversation import (
    Role,
    Session,
    Turn,
    estimate_tokens,
    kept_turns,
    pinned_opening,
)
from innertalk.domain.folding import (
    FOLD_SUMMARY_MAX_CHARS,
    FOLD_SUMMARY_MAX_TOKENS,
    appended_summary,
    build_fold_request,
    fold_due,
    keep_budget,
    split_for_fold,
)
from innertalk.domain.prompting import (
    ChatMessage,
    ModelRequest,
    Purpose,
    Tier,
    history_of,
    system_prompt,
)
from innertalk.domain.users import Language, Style, UserKey

KEY = UserKey("bot-a", 1)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _turns(count: int) -> tuple[Turn, ...]:
    roles = (Role.USER, Role.ASSISTANT)
    return tuple(Turn(f"t{n}", KEY, "s", roles[n % 2], f"turn {n}", T0) for n in range(count))


def test_kept_turns_are_the_ones_after_the_fold_point() -> None:
    """Turns up to the fold point are in the rolling summary; the rest are kept."""
    session = Session("s", KEY, T0).folded("t3", "earlier")
    assert [t.id for t in kept_turns(session, _turns(8))] == ["t4", "t5", "t6", "t7"]
    assert kept_turns(Session("s", KEY, T0), _turns(3)) == _turns(3)


def test_a_fold_point_outside_the_loaded_turns_keeps_them_all() -> None:
    """Every loaded turn is newer than a fold point that left the window."""
    session = Session("s", KEY, T0).folded("gone", "earlier")
    assert kept_turns(session, _turns(4)) == _turns(4)


def test_a_fold_is_due_only_when_turns_would_be_dropped_or_lost() -> None:
    """Folding waits while the kept turns fit the budget and the next exchange fits the window."""
    assert not fold_due(_turns(38), sent=38, turn_limit=40)
    assert fold_due(_turns(40), sent=40, turn_limit=40)  # the next exchange would not fit
    assert fold_due(_turns(20), sent=18, turn_limit=40)  # the budget drops two


def test_the_kept_half_starts_with_the_person() -> None:
    """The older half folds; the newer half never starts with a reply whose question went."""
    folded, kept = split_for_fold(_turns(10)[1:])  # nine turns, the first a reply
    assert kept[0].role is Role.USER
    assert (*folded, *kept) == _turns(10)[1:]
    assert len(kept) <= 5


def test_the_fold_request_repeats_the_reply_prefix_on_the_standard_tier() -> None:
    """The fold request keeps the reply's system prompt and person, sends just the folded
    turns, and closes with the instruction alone (no reply-language note)."""
    reply = ModelRequest(
        system="You are InnerTalk.\n\nSummary of the earlier part: They felt tired.",
        message="how are you",
        note="(Reply in Russian.)",
        history=history_of(_turns(6)),
        tier=Tier.FAST,
        user_ref="person-7",
    )
    request = build_fold_request(reply, _turns(4), language=Language.RU)
    assert (request.purpose, request.tier, request.language) == (
        Purpose.SUMMARY,
        Tier.STANDARD,
        Language.RU,
    )
    assert (request.system, request.user_ref) == (reply.system, reply.user_ref)
    assert [m.text for m in request.history] == ["turn 0", "turn 1", "turn 2", "turn 3"]
    assert request.prompt_message == request.message
    assert request.message.startswith("(Пометка приложения")


def test_appended_offline_summaries_drop_the_oldest_beyond_the_cap() -> None:
    """Offline summaries are appended; the rolling summary never outgrows its cap."""
    summary = None
    for n in range(40):
        summary = appended_summary(summary, f"Block {n}: " + "words " * 20)
    assert summary is not None
    assert len(summary) <= FOLD_SUMMARY_MAX_CHARS
    assert summary.splitlines()[-1].startswith("Block 39")
    assert "Block 0:" not in summary


def test_the_system_prompt_renders_the_same_for_the_same_content() -> None:
    """Rendering is deterministic, and the rolling summary is no part of the system prompt."""
    stable = system_prompt(
        Language.EN, Style.ACTION, display_name="Ana", previous_summary="Last time: work."
    )
    again = system_prompt(
        Language.EN, Style.ACTION, display_name="Ana", previous_summary="Last time: work."
    )
    assert stable == again
    assert "Last time: work." in stable


def test_the_pinned_opening_is_the_first_whole_exchanges_within_the_budget() -> None:
    """Pinning stops before the first turn over budget and never ends on the person's turn."""
    opening = _turns(10)  # "turn n": three tokens each (estimate_tokens)
    assert pinned_opening(opening, budget=13) == opening[:4]  # a fifth turn would not fit
    assert pinned_opening(opening, budget=2) == ()
    assert pinned_opening(opening[:3], budget=100) == opening[:2]  # t2 awaits its reply


def test_pinned_turns_are_never_kept_nor_folded() -> None:
    """The kept turns leave out the pinned opening, so a fold never takes it."""
    turns = _turns(10)
    kept = kept_turns(Session("s", KEY, T0), turns, turns[:4])
    assert kept == turns[4:]
    folded, _ = split_for_fold(kept)
    assert not set(folded) & set(turns[:4])


def test_a_fold_keeps_no_more_than_the_stable_part_outweighs() -> None:
    """With a pinned opening the fold keeps the newest turns within ``keep_budget``: the
    system prompt and opening then outweigh the summary, kept turns and message together."""
    opening = tuple(ChatMessage(Role.USER, "o" * 600) for _ in range(4))  # 201 tokens each
    reply = ModelRequest(system="s" * 300, message="hi", history=opening, pinned=4, kept_from=4)
    budget = keep_budget(reply)
    assert budget == (101 + 4 * 201 - FOLD_SUMMARY_MAX_TOKENS - 1) // 2
    folded, kept = split_for_fold(_turns(200), budget)
    assert sum(estimate_tokens(turn.text) for turn in kept) <= budget
    assert len(kept) >= 2
    assert kept[0].role is Role.USER
    assert (*folded, *kept) == _turns(200)
    assert keep_budget(replace(reply, pinned=0)) is None
    assert len(split_for_fold(_turns(200), -5)[1]) == 2  # never less than the last exchange


def test_the_fold_request_keeps_the_pinned_opening_and_the_summary_note() -> None:
    """The fold request starts like the reply request (opening, summary note), then the
    folded turns: all but the instruction repeats the reply's beginning."""
    lead = (
        ChatMessage(Role.USER, "first"),
        ChatMessage(Role.ASSISTANT, "hello"),
        ChatMessage(Role.USER, "(A note from the app ...) They felt tired."),
    )
    folded = _turns(4)
    reply = ModelRequest(
        system="s",
        message="now",
        history=(*lead, *history_of(folded), *history_of(_turns(6)[4:])),
        pinned=2,
        kept_from=3,
    )
    fold = build_fold_request(reply, folded, language=Language.EN)
    assert fold.history == (*lead, *history_of(folded))
    assert fold.history == reply.history[: len(fold.history)]
    assert (fold.pinned, fold.kept_from) == (2, 3)
