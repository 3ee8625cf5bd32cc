"""Rules for what people write: cleaning a message before it is answered and stored."""

from __future__ import annotations

import unicodedata

MAX_MESSAGE_CHARS = 16_000
"""Longer messages are cut here; Telegram's own limit is 4,096, the console has none."""

_KEEP = {"\n", "\t"}


class EmptyMessageError(ValueError):
    """The message has nothing to answer once whitespace and control characters are gone."""


def clean_message(text: str) -> str:
    """``text`` without control characters or surrounding whitespace, cut to the maximum length.

    Format characters (zero-width joiners, direction marks) stay: emoji sequences and
    right-to-left text need them. Raises ``EmptyMessageError`` when nothing visible is left.
    """
    kept = "".join(char for char in text if char in _KEEP or unicodedata.category(char) != "Cc")
    cleaned = kept.strip()[:MAX_MESSAGE_CHARS]
    if not any(
        not char.isspace() and unicodedata.category(char) not in ("Cf", "Zs") for char in cleaned
    ):
        raise EmptyMessageError("nothing to answer")
    return cleaned
