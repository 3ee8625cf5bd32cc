"""Block folding rules (domain): when a session's kept turns fold, and what stays."""

from __future__ import annotations

from datetime import UTC, datetime

from innertalk.domain.conversation import Role, Session, Turn, kept_turns
from innertalk.domain.folding import (
    FOLD_SUMMARY_MAX_CHARS,
    appended_summary,
    build_fold_request,
    fold_due,
    split_for_fold,
)
from innertalk.domain.prompting import ModelRequest, Purpose, Tier, history_of, system_prompt
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
    """Rendering is deterministic, and the rolling summary only appends to the stable part."""
    stable = system_prompt(
        Language.EN, Style.ACTION, display_name="Ana", previous_summary="Last time: work."
    )
    again = system_prompt(
        Language.EN, Style.ACTION, display_name="Ana", previous_summary="Last time: work."
    )
    folded = system_prompt(
        Language.EN,
        Style.ACTION,
        display_name="Ana",
        previous_summary="Last time: work.",
        earlier="They felt tired.",
    )
    assert stable == again
    assert folded.startswith(stable)
    assert folded.endswith("They felt tired.")
