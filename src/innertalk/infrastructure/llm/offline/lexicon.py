"""Finding listed terms among a message's words, with negation and context checks.

A lexicon is written as compact term specs, one string of space-separated terms each:

- ``sad``: the exact word; ``тревож*``: any word starting with ``тревож`` (for Russian
  inflection; a term's first stem has at least three letters);
- ``worn_out``: a phrase (words joined by ``_``, matched within one clause);
- ``anxiety>anxious``: reflect the term as ``anxious`` in English replies;
- ``~lost``: counts only after a feeling verb or a copula ("I feel lost", "I'm so lost"),
  never in "I lost my keys".

Each hit records whether a negation ("not", "не", "без", …) stands right before it,
possibly across modifiers ("I'm not very happy", "мне совсем не грустно").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from innertalk.infrastructure.llm.offline.tokens import Words

T = TypeVar("T")


def word_set(text: str) -> frozenset[str]:
    """The space-separated words of ``text``: long word lists stay readable as prose."""
    return frozenset(text.split())


_NEGATORS = word_set(
    "not no nor never hardly without dont didnt doesnt cant isnt arent wasnt werent wont"
    " не ни нет без никогда нисколько"
)
_MODIFIERS = word_set(
    "very really so too quite pretty rather somewhat slightly a bit little kind kinda sort"
    " sorta of just still always often sometimes also even extremely incredibly super"
    " totally completely utterly deeply truly particularly especially that all at anymore"
    " longer more most constantly lately today now right tonight again overly terribly"
    " awfully absolutely genuinely literally almost mostly mainly and"
    " очень так такой такая слишком особо особенно сильно уж совсем вовсе немного немножко"
    " чуть чуть-чуть слегка как-то довольно настолько реально правда просто все вообще тоже"
    " также прямо ужасно жутко безумно дико страшно сейчас сегодня опять снова уже еще"
    " всегда постоянно часто иногда теперь вечером утром ночью днем здесь тут то чтобы бы"
    " же ли и почти капец нереально невероятно крайне весь вся как"
)
_CONTEXT = word_set(
    "feel feels feeling felt am i'm im i've ive was been be being get gets getting got"
    " become becoming became seem seems seemed"
    " мне я себя себе чувствую ощущаю стало становится станет было будет бывает"
    " чувствовал чувствовала ощущал ощущала"
)
_LOOK_BACK = 5


def _is_negator(word: str) -> bool:
    return word in _NEGATORS or word.endswith("n't")


@dataclass(frozen=True, slots=True)
class Term:
    """One parsed term spec."""

    words: tuple[str, ...]
    shown: str | None
    needs_context: bool

    @classmethod
    def parse(cls, spec: str) -> Term:
        needs_context = spec.startswith("~")
        body, _, shown = spec.removeprefix("~").partition(">")
        words = tuple(body.split("_"))
        if words[0].endswith("*") and len(words[0]) < 4:
            raise ValueError(f"a first stem needs three letters to be indexed: {spec!r}")
        return cls(words, shown.replace("_", " ") or None, needs_context)


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """A term found in a message: its payload, where it is, and whether it was negated."""

    payload: T
    start: int
    end: int
    matched: str
    shown: str | None
    negated: bool


def _fits(pattern: str, word: str) -> bool:
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


class Lexicon(Generic[T]):
    """Terms with payloads, indexed by their first word for quick lookup."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._exact: dict[str, list[tuple[Term, T]]] = {}
        self._stems: dict[str, list[tuple[Term, T]]] = {}
        for specs, payload in entries:
            for spec in specs.split():
                term = Term.parse(spec)
                first = term.words[0]
                if first.endswith("*"):
                    self._stems.setdefault(first[:3], []).append((term, payload))
                else:
                    self._exact.setdefault(first, []).append((term, payload))

    def find(self, words: Words) -> list[Hit[T]]:
        """Non-overlapping hits in reading order; the longest term wins at each word."""
        hits: list[Hit[T]] = []
        index = 0
        while index < len(words):
            hit = self._longest_at(words, index)
            if hit is None:
                index += 1
                continue
            hits.append(hit)
            index = hit.end
        return hits

    def _candidates(self, word: str) -> list[tuple[Term, T]]:
        stems = [
            entry for entry in self._stems.get(word[:3], ()) if _fits(entry[0].words[0], word)
        ]
        return self._exact.get(word, []) + stems

    def _longest_at(self, words: Words, start: int) -> Hit[T] | None:
        best: Hit[T] | None = None
        for term, payload in self._candidates(words.words[start]):
            end = start + len(term.words)
            if best is not None and end <= best.end:
                continue
            if not _phrase_fits(term, words, start):
                continue
            negated, has_context = _look_back(words, start)
            if term.needs_context and not has_context:
                continue
            matched = " ".join(words.words[start:end])
            best = Hit(payload, start, end, matched, term.shown, negated)
        return best


def _phrase_fits(term: Term, words: Words, start: int) -> bool:
    end = start + len(term.words)
    if end > len(words) or words.clauses[end - 1] != words.clauses[start]:
        return False
    return all(
        _fits(pattern, word)
        for pattern, word in zip(term.words[1:], words.words[start + 1 : end], strict=True)
    )


def _look_back(words: Words, start: int) -> tuple[bool, bool]:
    """Whether a negation and whether a feeling verb/copula precede ``start`` closely."""
    negated = has_context = False
    clause = words.clauses[start] if start < len(words) else -1
    for index in range(start - 1, max(-1, start - 1 - _LOOK_BACK), -1):
        word = words.words[index]
        if words.clauses[index] != clause:
            break
        if _is_negator(word):
            negated = True
        elif word in _CONTEXT:
            has_context = True
        elif word not in _MODIFIERS:
            break
    return negated, has_context
