"""The words of a message, normalized for matching, and the clause each one belongs to.

Clauses end at punctuation and at contrasting conjunctions ("but", "но"), so that a
negation in one clause never reaches a feeling named in the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Zero-width and formatting characters would otherwise split or glue words invisibly.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"), None)
_PIECES = re.compile(
    r"(?P<word>[^\W\d_]+(?:['’\-][^\W\d_]+)*)|(?P<stop>[.!?;:,…()\"«»“”—–\n]|\s-\s)"
)
_CONJUNCTIONS = frozenset({"but", "however", "though", "although", "но", "однако", "зато", "а"})
_ANALYZED_CHARS = 8_000
"""Longer messages are read up to here (twice Telegram's limit): bounded work per reply."""


@dataclass(frozen=True, slots=True)
class Words:
    """Normalized words of a text with the index of the clause each word is in."""

    words: tuple[str, ...]
    clauses: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.words)


def normalize(text: str) -> str:
    """Lower case, ``ё`` as ``е``, typographic apostrophes as ASCII, invisible marks gone."""
    return text.translate(_INVISIBLE).lower().replace("ё", "е").replace("’", "'")


def words_of(text: str) -> Words:
    """The normalized words of ``text`` split into clauses."""
    words: list[str] = []
    clauses: list[int] = []
    clause = 0
    for piece in _PIECES.finditer(normalize(text[:_ANALYZED_CHARS])):
        word = piece.group("word")
        if word is None or word in _CONJUNCTIONS:
            clause += 1
            continue
        words.append(word)
        clauses.append(clause)
    return Words(tuple(words), tuple(clauses))


def has_letters(text: str) -> bool:
    """Whether ``text`` contains at least one letter of any script."""
    return any(char.isalpha() for char in text)
