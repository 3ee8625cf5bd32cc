"""A message rewritten into the one form every crisis pattern is written against.

The canonical form is the message's words in lower case, separated by single spaces, with
``.`` standing for every sentence end (``.!?…;`` and line breaks) and ``,`` for every clause
break (``,:()«»—`` and a spaced dash), each as a token of its own. Patterns then need no
case, spacing or punctuation variants, and a pattern's gap can refuse to cross a clause.

On the way:

- ``ё`` is ``е``, typographic apostrophes are ``'``, invisible characters (zero-width
  spaces, soft hyphens, direction marks) are gone: they would split or glue words unseen.
- A word mixing Cyrillic and Latin letters ("нe" with a Latin ``e``, "kіll" with a
  Ukrainian ``і``) has its minority-script look-alikes replaced by the majority script:
  such words come from keyboard switching and from deliberate evasion alike.
- Letters repeated three or more times ("хочууу", "diiie") are squeezed. Squeezing to one
  letter fixes "умеретььь" but breaks "killll"; squeezing to two does the opposite. A
  message with runs is read squeezed to one; its sentences with stretched Latin letters
  (up to ``_DOUBLE_MAX_CHARS``) are read again squeezed to two, since English has doubled
  letters (kill, feel, sleep) and the Russian crisis words do not. Messages without runs
  cost nothing extra.
- A word with a digit right after a letter ("su1c1de", "k1ll", "уб1ть") is read once more
  with its digits as the letters they stand for (``0134567@$``); numbers with a suffix
  ("20s", "10pm") never are. Messages without such a word cost nothing extra.
"""

from __future__ import annotations

import re

MAX_CHARS = 16_000
"""Messages are read up to here (the longest message InnerTalk accepts)."""

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff]")
_APOSTROPHES = re.compile("[’‘`ʼ´]")
# Each step is one C-level substitution over the whole text: no per-word Python loop.
_STOPS = re.compile(r"[.!?…;\n]+")
_PAUSES = re.compile(r"[,:()\[\]\"«»“”„—–/*]")
_MARKS = re.compile(r"['\-]+")
_OTHER = re.compile(r"(?:[^\w\s'\-.,]|_)+")
_RUNS = re.compile(r"[.,](?: [.,])+")
_MIXED = re.compile(r"[а-яіїєґ][a-z]|[a-z][а-яіїєґ]")
_CYRILLIC_THEN_LATIN = re.compile(r"[а-яіїєґ][a-z]")
_LATIN_THEN_CYRILLIC = re.compile(r"[a-z][а-яіїєґ]")
"""``_MIXED`` split in two: each half starts with a character class, so it scans fast."""
_MAX_MIXED_WORDS = 64
"""Evasion or a keyboard slip mixes scripts in a few words; hundreds of them is noise."""
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_ANY_RUN = re.compile(r"(\w)\1\1")
"""A cheap first look for ``_REPEATS`` (it also counts digits, which is harmless)."""
_LATIN_REPEATS = re.compile(r"([a-z])\1{2,}")
_DOUBLE_MAX_CHARS = 2_000
"""The squeezed-to-two reading covers sentences with stretched Latin letters, up to here."""
_ANY_CYRILLIC = re.compile(r"[а-яіїєґ]")
_ANY_LATIN = re.compile(r"[a-z]")
_DROP_CYRILLIC = dict.fromkeys(map(ord, "абвгдежзийклмнопрстуфхцчшщъыьэюяіїєґ"))
_DROP_LATIN = dict.fromkeys(map(ord, "abcdefghijklmnopqrstuvwxyz"))
_TO_CYRILLIC = str.maketrans("aeopcyxkmth", "аеорсухкмтн")
_TO_LATIN = str.maketrans("аеорсухкмтні", "aeopcyxkmthi")

SENTENCE = "."
CLAUSE = ","


def _unmix(word: str) -> str:
    cyrillic = len(word) - len(word.translate(_DROP_CYRILLIC))
    latin = len(word) - len(word.translate(_DROP_LATIN))
    return word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)


def _run(marks: re.Match[str]) -> str:
    return SENTENCE if SENTENCE in marks.group() else CLAUSE


def _mark(found: re.Match[str]) -> str:
    """Apostrophes and hyphens stay only between two letters ("don't", "кто-то")."""
    text, start, end = found.string, found.start(), found.end()
    inside = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return found.group() if inside and len(found.group()) == 1 else " "


def _has_mixed_word(text: str) -> bool:
    return bool(_CYRILLIC_THEN_LATIN.search(text) or _LATIN_THEN_CYRILLIC.search(text))


def _canonical(text: str) -> str:
    text = _PAUSES.sub(" , ", _STOPS.sub(" . ", text).replace(" - ", " , "))
    text = " ".join(_OTHER.sub(" ", _MARKS.sub(_mark, text)).split())
    text = _RUNS.sub(_run, text).lstrip(".,").lstrip()
    if _ANY_CYRILLIC.search(text) and _ANY_LATIN.search(text) and _has_mixed_word(text):
        text = _unmix_words(text)
    return text


def _unmix_words(text: str) -> str:
    """``text`` with its first ``_MAX_MIXED_WORDS`` words mixing scripts unmixed; each
    search resumes after the word it found, so the work grows with the number of mixed
    words, not their length."""
    pieces: list[str] = []
    done = 0
    found = _MIXED.search(text)
    for _ in range(_MAX_MIXED_WORDS):
        if found is None:
            break
        start = text.rfind(" ", 0, found.start()) + 1
        end = text.find(" ", found.end())
        end = len(text) if end < 0 else end
        pieces += [text[done:start], _unmix(text[start:end])]
        done = end
        found = _MIXED.search(text, end)
    return "".join([*pieces, text[done:]])


def prepare(text: str) -> str:
    """``text`` lower-cased with ``ё`` as ``е``, straight apostrophes, no invisible marks."""
    cut = _INVISIBLE.sub("", text[:MAX_CHARS]).lower()
    return _APOSTROPHES.sub("'", cut.replace("ё", "е"))


def variants(text: str) -> tuple[str, ...]:
    """The canonical forms of ``text``: one, or two when it stretches letters; and one more
    with digits read as letters when a word mixes them ("su1c1de", "k1ll mys3lf")."""
    prepared = prepare(text)
    if not _ANY_RUN.search(prepared) or not _REPEATS.search(prepared):
        found: tuple[str, ...] = (_canonical(prepared),)
    else:
        single = _canonical(_REPEATS.sub(r"\1", prepared))
        parts = _STOPS.split(prepared)
        stretched = " . ".join(part for part in parts if _LATIN_REPEATS.search(part))
        double = _canonical(_REPEATS.sub(r"\1\1", stretched[:_DOUBLE_MAX_CHARS]))
        found = (single,) if double in single else (single, double)
    if not _LEET_WORD.search(prepared):
        return found
    return (*found, _canonical(_LEET_WORD.sub(_unleet, _REPEATS.sub(r"\1", prepared))))


_LEET_WORD = re.compile(r"(?<![\w@$])(?=[\w@$]*[a-zа-я][0134567@$])[\w@$]+")
"""A word with a digit (or ``@``, ``$``) right after a letter, standing for a letter; never
a number with a suffix ("20s", "10pm", "1st")."""
_LEET_LATIN = str.maketrans("013457@$", "oieastas")
_LEET_CYRILLIC = str.maketrans("01346@", "оизчба")


def _unleet(found: re.Match[str]) -> str:
    word = found.group()
    return word.translate(_LEET_CYRILLIC if _ANY_CYRILLIC.search(word) else _LEET_LATIN)


SCOPE = 250
"""Context is read at most this far either side of a match: a "sentence" of thousands of
characters without a full stop is cut here, which keeps judging a match cheap."""


def clause_start(canon: str, position: int) -> int:
    """Where the clause containing ``position`` starts (at most ``SCOPE`` back)."""
    floor = max(0, position - SCOPE)
    breaks = (canon.rfind(SENTENCE, floor, position), canon.rfind(CLAUSE, floor, position))
    found = max(breaks)
    return floor if found < 0 else found + 1


def sentence_span(canon: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``canon[start:end]`` (at most ``SCOPE`` either side)."""
    floor, ceiling = max(0, start - SCOPE), min(len(canon), end + SCOPE)
    close = canon.find(SENTENCE, end, ceiling)
    return canon.rfind(SENTENCE, floor, start) + 1 or floor, ceiling if close < 0 else close


def clause_end(canon: str, position: int) -> int:
    """Where the clause containing ``position`` ends (at most ``SCOPE`` ahead)."""
    ceiling = min(len(canon), position + SCOPE)
    ends = (canon.find(SENTENCE, position, ceiling), canon.find(CLAUSE, position, ceiling))
    return min((found for found in ends if found >= 0), default=ceiling)


def word_marker(pattern: str) -> re.Pattern[str]:
    """Whole words of space-led canonical text (the leading space is the fast form): the
    shape of every marker the rules read around a match."""
    return re.compile(rf" (?:{pattern})(?!\S)")
