"""Rules for incoming messages: cleaning and the fast-model test."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from innertalk.domain.messages import (
    MAX_MESSAGE_CHARS,
    EmptyMessageError,
    clean_message,
    is_simple_message,
)


@given(st.text())
def test_cleaning_never_fails_unexpectedly(text: str) -> None:
    """Any text either cleans to something visible or is refused as empty."""
    try:
        cleaned = clean_message(text)
    except EmptyMessageError:
        return
    assert cleaned == cleaned.strip()
    assert 0 < len(cleaned) <= MAX_MESSAGE_CHARS
    assert "\x00" not in cleaned


def test_emoji_sequences_and_rtl_marks_survive_cleaning() -> None:
    """Zero-width joiners inside emoji and direction marks in RTL text are kept."""
    family = "👨\u200d👩\u200d👧"
    assert clean_message(f"  {family}  ") == family
    assert clean_message("\u200fשלום") == "\u200fשלום"


@pytest.mark.parametrize("text", ["Привет", "hi!", "Спасибо большое", "thank you", "ok", "Пока"])
def test_pleasantries_are_simple(text: str) -> None:
    """Greetings, thanks, farewells and acknowledgements qualify for the fast model."""
    assert is_simple_message(text)


@pytest.mark.parametrize(
    "text",
    ["привет, мне плохо", "hi, how do I stop worrying?", "ok?", "I lost my job", "🙂"],
)
def test_anything_more_is_not_simple(text: str) -> None:
    """Questions, feelings and content go to the standard model."""
    assert not is_simple_message(text)
