"""Prompt assembly rules."""

from __future__ import annotations

from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ChatMessage, ModelRequest, halve_history


def test_halving_never_starts_the_history_with_the_companion() -> None:
    """After an overflow trim the history starts with a user turn, newest turns kept."""
    history = tuple(
        ChatMessage(Role.USER if n % 2 == 0 else Role.ASSISTANT, f"m{n}") for n in range(6)
    )
    trimmed = halve_history(ModelRequest(system="s", message="now", history=history))
    assert trimmed is not None
    assert [m.text for m in trimmed.history] == ["m4", "m5"]
    assert trimmed.history[0].role is Role.USER


def test_halving_keeps_the_pinned_opening_and_summary_while_turns_remain() -> None:
    """An overflow drops kept turns first; only with none left do the opening and note go."""
    lead = (
        ChatMessage(Role.USER, "o1"),
        ChatMessage(Role.ASSISTANT, "o2"),
        ChatMessage(Role.USER, "note"),
    )
    kept = (ChatMessage(Role.USER, "k1"), ChatMessage(Role.ASSISTANT, "k2"))
    request = ModelRequest(
        system="s", message="now", history=(*lead, *kept), pinned=2, kept_from=3
    )
    once = halve_history(request)
    assert once is not None
    assert once.history == lead
    twice = halve_history(once)
    assert twice is not None
    assert twice.history == ()
    assert twice.pinned == 0
    assert halve_history(twice) is None
