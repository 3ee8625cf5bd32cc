"""Rules for what people write: cleaning a message before it is answered and stored."""

from __future__ import annotations

import unicodedata

MAX_MESSAGE_CHARS = 16_000
"""Longer messages are cut here; Telegram's own limit is 4,096, the console has none."""

_KEEP = {"\n", "\t"}


_REPLACEMENT = "\ufffd"
_SURROGATES = range(0xD800, 0xE000)


def clean_text(text: str) -> str:
    """``text`` safe to store and encode: lone surrogates (broken UTF-16, or undecodable
    bytes read with ``surrogateescape``) become U+FFFD, NUL characters are dropped.

    Every text that enters — a Telegram update, a console line, callback data — passes here
    first, so no record can fail to encode later (a poison record in the write-behind queue).
    """
    if text.isascii():
        return text.replace("\0", "")
    return "".join(
        _REPLACEMENT if ord(char) in _SURROGATES else char for char in text if char != "\0"
    )


def clean_json(value: object) -> object:
    """Every string (keys too) inside a decoded JSON value put through ``clean_text``."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    return value


class EmptyMessageError(ValueError):
    """The message has nothing to answer once whitespace and control characters are gone."""


def clean_message(text: str) -> str:
    """``text`` without control characters or surrounding whitespace, cut to the maximum length.

    Format characters (zero-width joiners, direction marks) stay: emoji sequences and
    right-to-left text need them. Raises ``EmptyMessageError`` when nothing visible is left.
    """
    kept = "".join(
        char for char in clean_text(text) if char in _KEEP or unicodedata.category(char) != "Cc"
    )
    cleaned = kept.strip()[:MAX_MESSAGE_CHARS]
    if not any(
        not char.isspace() and unicodedata.category(char) not in ("Cf", "Zs") for char in cleaned
    ):
        raise EmptyMessageError("nothing to answer")
    return cleaned


_SIMPLE_MAX_WORDS = 4
_SIMPLE_MAX_CHARS = 40
_SIMPLE_WORDS = frozenset(
    {
        # greetings, thanks, farewells, acknowledgements (ru, en)
        "привет", "приветик", "здравствуй", "здравствуйте", "добрый", "доброе", "день", "утро",
        "вечер", "ночи", "спокойной", "спасибо", "большое", "благодарю", "пока", "до", "свидания",
        "ок", "окей", "ага", "да", "нет", "хорошо", "понятно", "ясно", "угу", "ладно",
        "hi", "hello", "hey", "good", "morning", "evening", "night", "thanks", "thank", "you",
        "bye", "goodbye", "see", "ok", "okay", "yes", "no", "sure", "got", "it", "cool", "fine",
        "much", "so", "a", "lot",
    }
)  # fmt: skip


def is_simple_message(text: str) -> bool:
    """Whether ``text`` is a short pleasantry a fast, cheap model answers as well as a big one.

    Greetings, thanks, farewells and one-word acknowledgements qualify; anything with a
    question or a feeling word beyond these does not.
    """
    if len(text) > _SIMPLE_MAX_CHARS or "?" in text:
        return False
    words = "".join(char if char.isalpha() else " " for char in text.lower()).split()
    return 0 < len(words) <= _SIMPLE_MAX_WORDS and all(word in _SIMPLE_WORDS for word in words)
