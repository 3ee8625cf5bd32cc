"""An extractive summary of a conversation, from the person's own words.

It names the topics and the feelings the person spoke of (negated ones excluded) and
quotes the most telling of their sentences, shortened. Used for ``Purpose.SUMMARY`` and
directly by the application when no model can summarize.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ChatMessage
from innertalk.domain.users import Language
from innertalk.infrastructure.llm.offline.feelings import (
    FeelingMention,
    feelings_in,
    present_feelings,
)
from innertalk.infrastructure.llm.offline.tokens import words_of
from innertalk.infrastructure.llm.offline.topics import Topic, topics_in

QUOTE_LIMIT = 160
"""Longest quoted sentence, in characters, ellipsis included."""
_MAX_FEELINGS = 3
_MAX_TOPICS = 2
_MAX_QUOTES = 2
_MIN_QUOTE_WORDS = 3
_MIN_PLAIN_QUOTE_WORDS = 5
_MERE_LENGTH_SCORE = 2.0
"""Length alone scores at most this; a higher score means a feeling or topic was named."""
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    order: int
    score: float


def summarize_turns(messages: Sequence[ChatMessage], language: Language) -> str:
    """A 1-3 sentence third-person summary of the person's side of ``messages``."""
    said = [message.text for message in messages if message.role is Role.USER]
    text = "\n".join(said)
    words = words_of(text)
    feelings = present_feelings(feelings_in(words, text))[:_MAX_FEELINGS]
    topics = topics_in(words)[:_MAX_TOPICS]
    quotes = _salient_sentences(said)
    if language is Language.RU:
        return _russian(feelings, topics, quotes, said=bool(said))
    return _english(feelings, topics, quotes, said=bool(said))


def _salient_sentences(said: Sequence[str]) -> list[str]:
    """Up to two of the person's sentences richest in feelings and topics, in order.

    Without any feeling or topic named, the one longest sentence stands for the rest.
    """
    sentences: list[_Sentence] = []
    for turn in said:
        for piece in _SENTENCE_END.split(turn):
            sentence = " ".join(piece.split())
            words = words_of(sentence)
            if len(words) < _MIN_QUOTE_WORDS:
                continue
            feelings = [m for m in feelings_in(words) if not m.negated]
            score = 3 * len(feelings) + 2 * len(topics_in(words)) + min(len(words), 20) / 10
            if all(sentence != known.text for known in sentences):
                sentences.append(_Sentence(sentence, len(sentences), score))
    rich = [s for s in sentences if s.score > _MERE_LENGTH_SCORE]
    if rich:
        best = sorted(rich, key=lambda s: (-s.score, s.order))[:_MAX_QUOTES]
    else:
        long_enough = [s for s in sentences if len(s.text.split()) >= _MIN_PLAIN_QUOTE_WORDS]
        best = sorted(long_enough, key=lambda s: (-s.score, s.order))[:1]
    return [_shortened(s.text) for s in sorted(best, key=lambda s: s.order)]


def _shortened(sentence: str) -> str:
    """``sentence`` without end punctuation, cut at a word boundary to fit the limit."""
    sentence = sentence.rstrip(" .!?…;,:")
    if len(sentence) <= QUOTE_LIMIT:
        return sentence
    cut = sentence[: QUOTE_LIMIT - 1]
    if " " in cut[QUOTE_LIMIT // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—-") + "…"


def _listed(items: Sequence[str], conjunction: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _english(
    feelings: Sequence[FeelingMention],
    topics: Sequence[Topic],
    quotes: Sequence[str],
    *,
    said: bool,
) -> str:
    if not said:
        return "No conversation to summarize yet."
    felt = _listed([m.en for m in feelings], "and")
    about = _listed([topic.en_theirs for topic in topics], "and")
    if about and felt:
        lead = f"The person talked about {about}; they felt {felt}."
    elif about:
        lead = f"The person talked about {about}."
    elif felt:
        lead = f"The person shared that they felt {felt}."
    elif quotes:
        lead = "The person shared what was on their mind."
    else:
        return "A short conversation; the person did not share anything specific yet."
    if not quotes:
        return lead
    return f"{lead} In their words: {'; '.join(f'“{quote}”' for quote in quotes)}."


def _russian(
    feelings: Sequence[FeelingMention],
    topics: Sequence[Topic],
    quotes: Sequence[str],
    *,
    said: bool,
) -> str:
    if not said:
        return "Разговора пока не было."
    felt = _listed([m.feeling.ru_acc for m in feelings], "и")
    about = _listed([topic.ru_about for topic in topics], "и")
    if about and felt:
        lead = f"Человек говорил {about}; чувствовал(а) {felt}."
    elif about:
        lead = f"Человек говорил {about}."
    elif felt:
        lead = f"Человек рассказывал, что чувствует {felt}."
    elif quotes:
        lead = "Человек делился тем, что у него на душе."
    else:
        return "Короткий разговор: человек пока не рассказал ничего конкретного."
    if not quotes:
        return lead
    return f"{lead} Главное из сказанного: {'; '.join(f'«{quote}»' for quote in quotes)}."
