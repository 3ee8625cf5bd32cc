"""Reply rules: read a message, lay out the alternatives for each part of the answer, and
pick one combination deterministically, never the previous reply again.

A reply is an optional opener, a body that reflects what was heard, and a closing that is
usually one open question. Every part has several wordings; a stable hash of the message
and the history length picks the combination, so the same request gets the same reply.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from math import prod

from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ChatMessage
from innertalk.domain.users import Language
from innertalk.infrastructure.llm.offline.feelings import (
    FeelingMention,
    feelings_in,
    present_feelings,
)
from innertalk.infrastructure.llm.offline.intents import Intent, Intents, intents_in
from innertalk.infrastructure.llm.offline.phrasebook import Phrasebook, Templates
from innertalk.infrastructure.llm.offline.phrases_en import ENGLISH
from innertalk.infrastructure.llm.offline.phrases_ru import RUSSIAN
from innertalk.infrastructure.llm.offline.tokens import Words, has_letters, words_of
from innertalk.infrastructure.llm.offline.topics import LOSS, Topic, topics_in

PHRASEBOOKS = {Language.RU: RUSSIAN, Language.EN: ENGLISH}
_LONG_MESSAGE_WORDS = 60
_AVOIDED_REPLIES = 3
"""Recent assistant replies the responder tries not to echo (the last one, never)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What the responder understood from one message."""

    words: Words
    feelings: tuple[FeelingMention, ...]
    negated_positive: FeelingMention | None
    topics: tuple[Topic, ...]
    intents: Intents
    has_letters: bool

    @property
    def is_long(self) -> bool:
        return len(self.words) > _LONG_MESSAGE_WORDS


def read_message(text: str) -> Reading:
    """Feelings, topics and intents of ``text``."""
    words = words_of(text)
    mentions = feelings_in(words, text)
    negated_positive = next((m for m in mentions if m.negated and m.feeling.positive), None)
    return Reading(
        words=words,
        feelings=tuple(present_feelings(mentions)),
        negated_positive=negated_positive,
        topics=tuple(topics_in(words)),
        intents=intents_in(words, text),
        has_letters=has_letters(text),
    )


def compose_reply(message: str, language: Language, history: Sequence[ChatMessage]) -> str:
    """The reply to ``message`` in ``language``, given the conversation so far."""
    parts = plan_reply(read_message(message), PHRASEBOOKS[language], language)
    seed = zlib.crc32(f"{len(history)}\x1f{message}".encode(errors="surrogatepass"))
    recent = [m.text for m in history if m.role is Role.ASSISTANT][-_AVOIDED_REPLIES:]
    return choose(parts, seed, recent)


def choose(parts: Sequence[Templates], seed: int, recent: Sequence[str]) -> str:
    """One wording per part, trying combinations in order from ``seed``.

    Preferred is a combination that is none of the ``recent`` replies and reuses no
    varying part (body, question) of the last one; failing that, any combination other
    than the last reply, which is never repeated verbatim.
    """
    total = prod(len(options) for options in parts)
    previous = recent[-1] if recent else ""
    fallback = ""
    for step in range(total):
        chosen = _combination(parts, (seed + step) % total)
        reply = " ".join(part for part in chosen if part)
        if reply == previous:
            continue
        fresh = not any(
            len(options) > 1 and part and part in previous
            for options, part in zip(parts, chosen, strict=True)
        )
        if fresh and reply not in recent:
            return reply
        fallback = fallback or reply
    return fallback


def _combination(parts: Sequence[Templates], number: int) -> list[str]:
    """The ``number``-th combination of one option per part (mixed-radix counting)."""
    chosen: list[str] = []
    for options in reversed(parts):
        number, index = divmod(number, len(options))
        chosen.append(options[index])
    chosen.reverse()
    return chosen


def plan_reply(reading: Reading, book: Phrasebook, language: Language) -> list[Templates]:
    """The alternatives for each part of the reply to ``reading``."""
    intents = reading.intents
    if Intent.CRISIS in intents:
        return [book.crisis_bodies, book.crisis_questions]
    opener = _opener(reading, book)
    feeling_parts = _feeling_parts(reading, book, language)
    if Intent.IDENTITY in intents:
        rest = feeling_parts or [book.identity_support, book.identity_questions]
        return [opener, book.identity_statements, *rest]
    if feeling_parts:
        body, questions = feeling_parts
        if Intent.FAREWELL in intents:
            return [opener, body, _farewells(reading, book)]
        if Intent.ADVICE in intents:
            questions = book.advice_questions
        return [opener, _without_echo(body, opener), questions]
    return [opener, *_situation_parts(reading, book)]


def _situation_parts(reading: Reading, book: Phrasebook) -> list[Templates]:
    """Parts for a message that names no feeling."""
    intents = reading.intents
    if Intent.FAREWELL in intents:
        return [_farewells(reading, book), book.farewell_closings]
    if Intent.HOW_ARE_YOU in intents:
        return [book.how_are_you_bodies, book.how_are_you_questions]
    if Intent.THANKS in intents:
        return [book.thanks_bodies, book.thanks_closings]
    if reading.topics and reading.topics[0].key == LOSS:
        return [book.loss_bodies, book.loss_questions]
    if reading.topics:
        bodies = _fill(book.topic_bodies, _topic_fields(reading.topics[0]))
        advice = Intent.ADVICE in intents
        return [bodies, book.advice_questions if advice else book.topic_questions]
    if Intent.ADVICE in intents:
        return [book.advice_bodies, book.advice_questions]
    if Intent.UNSURE in intents:
        return [book.unsure_bodies, book.unsure_questions]
    if Intent.GREETING in intents:
        return [book.greeting_bodies, book.greeting_questions]
    if not reading.words:
        return [book.empty_bodies, book.empty_questions]
    return [book.generic_bodies, book.generic_questions]


def _opener(reading: Reading, book: Phrasebook) -> Templates:
    """A greeting back, condolences for a loss, thanks for a long message, or nothing."""
    greeting = ""
    if Intent.GREETING in reading.intents:
        found = reading.intents.greeting
        greeting = book.greeting_openers.get(found, book.default_greeting_opener)
    if reading.topics and reading.topics[0].key == LOSS:
        follow_ups = book.loss_openers
    elif reading.is_long and not greeting:
        follow_ups = book.long_message_openers
    else:
        return (greeting,)
    return tuple(f"{greeting} {follow_up}".strip() for follow_up in follow_ups)


def _without_echo(bodies: Templates, opener: Templates) -> Templates:
    """Bodies that do not open with the opener's first word ("Thank you… Thank you…")."""
    first_words = {text.split(" ", 1)[0] for text in opener if text}
    kept = tuple(body for body in bodies if body.split(" ", 1)[0] not in first_words)
    return kept or bodies


def _farewells(reading: Reading, book: Phrasebook) -> Templates:
    if reading.intents.farewell in book.night_farewells:
        return book.night_farewell_bodies
    return book.farewell_bodies


def _feeling_parts(
    reading: Reading, book: Phrasebook, language: Language
) -> list[Templates] | None:
    """Body and question alternatives reflecting the message's feelings, if it names any."""
    feelings = reading.feelings[:2]
    if not feelings:
        return _negated_positive_parts(reading.negated_positive, book, language)
    first = feelings[0].feeling
    if len(feelings) == 2 and feelings[1].feeling.positive != first.positive:
        fields = _mixed_fields(feelings, language)
        return [_fill(book.mixed, fields), book.mixed_questions]
    fields = _feeling_fields(feelings, language)
    as_state = language is Language.EN or all(m.feeling.ru_state for m in feelings)
    specific = book.feeling_questions.get(first.key, ())
    if first.positive:
        bodies = book.positive_state if as_state else book.positive_noun
        return [_fill(bodies, fields), specific + book.positive_questions]
    bodies = book.negative_state if as_state else book.negative_noun
    if reading.topics:
        linked = book.negative_with_topic_state if as_state else book.negative_with_topic_noun
        bodies = linked + bodies
        fields |= _topic_fields(reading.topics[0])
    return [_fill(bodies, fields), specific + book.negative_questions]


def _negated_positive_parts(
    mention: FeelingMention | None, book: Phrasebook, language: Language
) -> list[Templates] | None:
    """ "I'm not happy" is reflected as such; "мне не грустно" needs no reflection."""
    if mention is None:
        return None
    state = mention.en if language is Language.EN else mention.feeling.ru_state
    if state is None:
        return [book.negated_positive_plain, book.negative_questions]
    return [_fill(book.negated_positive, {"state": state}), book.negative_questions]


def _feeling_fields(feelings: Sequence[FeelingMention], language: Language) -> dict[str, str]:
    if language is Language.EN:
        return {"state": " and ".join(m.en for m in feelings)}
    nom = " и ".join(m.feeling.ru_nom for m in feelings)
    return {
        "state": " и ".join(m.feeling.ru_state or m.feeling.ru_nom for m in feelings),
        "acc": " и ".join(m.feeling.ru_acc for m in feelings),
        "nom": nom,
    }


def _mixed_fields(feelings: Sequence[FeelingMention], language: Language) -> dict[str, str]:
    first, second = feelings[0], feelings[1]
    if language is Language.EN:
        return {"state1": first.en, "state2": second.en}
    return {
        "nom1": first.feeling.ru_nom,
        "nom2": second.feeling.ru_nom,
        "acc1": first.feeling.ru_acc,
        "acc2": second.feeling.ru_acc,
    }


def _topic_fields(topic: Topic) -> dict[str, str]:
    return {"about": topic.ru_about, "with": topic.ru_with, "topic": topic.en_yours}


def _fill(templates: Templates, fields: dict[str, str]) -> Templates:
    return tuple(template.format(**fields) for template in templates)
