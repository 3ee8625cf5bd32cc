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
