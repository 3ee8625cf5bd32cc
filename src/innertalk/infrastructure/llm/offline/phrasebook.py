"""The shape of the offline responder's wording in one language.

Placeholders: ``{state}`` is a Russian predicative ("тревожно") or an English adjective;
``{acc}``/``{nom}`` are Russian nouns in the accusative/nominative; ``{acc1}``/``{nom1}``
etc. name two mixed feelings (English uses ``{state1}``/``{state2}``); ``{about}``/``{with}``
name a topic in Russian ("о работе"/"с работой"), ``{topic}`` in English ("your family").
No template except questions contains a "?", so every reply has at most one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Templates = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Phrasebook:
    """Every template of one language, grouped by the situation it answers."""

    negative_state: Templates
    negative_noun: Templates
    negative_with_topic_state: Templates
    negative_with_topic_noun: Templates
    positive_state: Templates
    positive_noun: Templates
    mixed: Templates
    negated_positive: Templates
    negated_positive_plain: Templates
    negative_questions: Templates
    positive_questions: Templates
    mixed_questions: Templates
    feeling_questions: Mapping[str, Templates]
    topic_bodies: Templates
    topic_questions: Templates
    loss_openers: Templates
    loss_bodies: Templates
    loss_questions: Templates
    generic_bodies: Templates
    generic_questions: Templates
    empty_bodies: Templates
    empty_questions: Templates
    greeting_bodies: Templates
    greeting_questions: Templates
    how_are_you_bodies: Templates
    how_are_you_questions: Templates
    identity_statements: Templates
    identity_support: Templates
    identity_questions: Templates
    thanks_bodies: Templates
    thanks_closings: Templates
    farewell_bodies: Templates
    night_farewell_bodies: Templates
    farewell_closings: Templates
    advice_bodies: Templates
    advice_questions: Templates
    unsure_bodies: Templates
    unsure_questions: Templates
    crisis_bodies: Templates
    crisis_questions: Templates
    long_message_openers: Templates
    greeting_openers: Mapping[str, str]
    default_greeting_opener: str
    night_farewells: frozenset[str]
