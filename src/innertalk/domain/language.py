"""Telling Russian from English in a message, without any model."""

from __future__ import annotations

from innertalk.domain.users import Language


def detect_language(text: str) -> Language | None:
    """The language a message is written in, or ``None`` when it has no letters to tell.

    Counts Cyrillic against Latin letters; emoji, digits and punctuation do not vote.
    """
    cyrillic = latin = 0
    for char in text:
        if not char.isalpha():
            continue
        if "\u0400" <= char <= "\u04ff":
            cyrillic += 1
        elif char.isascii():
            latin += 1
    if cyrillic == latin == 0:
        return None
    return Language.RU if cyrillic >= latin else Language.EN
