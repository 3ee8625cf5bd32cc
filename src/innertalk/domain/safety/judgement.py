"""Judging one rule match in its context, and its severity (steps 4 and 5 of ``detector``).

A match is no hit when an idiom exception, a negation, someone addressed ("you"), a fiction
frame, a recovery, a resolved or denied shape (``resolved``) or a topic word says so. Otherwise
whose crisis it is decides ``about_other``, and the words around it its severity and whether it
is doubtful.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from innertalk.domain.safety import context, doubt, resolved
from innertalk.domain.safety.rules import Rule
from innertalk.domain.safety.signals import CrisisCategory, CrisisHit, Severity
from innertalk.domain.safety.text import CLAUSE, clause_end, clause_start, sentence_span

BEFORE_WORDS = 3
PERSONS = ("me", "other", "you", "intent")
"""The named groups a pattern may mark its person (or intent) words with."""
RAISERS = {
    CrisisCategory.SUICIDAL_IDEATION: (context.INTENT, context.MEANS),
    CrisisCategory.SELF_HARM: (context.INTENT, None),
    CrisisCategory.HARM_TO_OTHERS: (context.INTENT, context.WEAPONS),
    CrisisCategory.ABUSE: (context.DANGER_NOW, None),
}
"""Per category: a marker raising severity within the sentence, and one within the message."""

Groups = dict[str, tuple[str, ...]]
"""A rule's group names per person (``PERSONS``)."""


class Message:
    """One canonical form of a message and, found on first use, where each marker occurs."""

    def __init__(self, canon: str) -> None:
        self.canon = canon
        self._spots: dict[re.Pattern[str], list[int]] = {}

    def has(self, marker: re.Pattern[str], start: int = 0, end: int | None = None) -> bool:
        """Whether ``marker`` occurs starting within ``[start, end)``."""
        spots = self._spots.get(marker)
        if spots is None:
            spots = self._spots[marker] = [found.start() for found in marker.finditer(self.canon)]
        index = bisect_left(spots, start)
        return index < len(spots) and spots[index] < (len(self.canon) if end is None else end)


def person_groups(rule: Rule) -> Groups:
    """``rule``'s group names per person (reading them compiles its pattern: see ``rules``)."""
    return {key: _groups(rule, key) for key in PERSONS}


def judge(rule: Rule, match: re.Match[str], message: Message, groups: Groups) -> CrisisHit | None:
    """The hit ``match`` makes once its context is read, or ``None`` if it is not one."""
    canon = message.canon
    if _any_group(match, groups["you"]):
        return None
    start, end = match.start() + 1, match.end()
    if rule.after is not None and rule.after.match(canon, end):
        return None
    clause_from = clause_start(canon, start)
    tail = context.clause_tail(canon[clause_from:start])
    if rule.before is not None and rule.before.search(" ".join(tail[-BEFORE_WORDS:])):
        return None
    if rule.negatable and context.is_negated(tail):
        return None
    person = _person(rule, match, groups, tail)
    if person is None and tail[:1] and tail[0] in context.REPORTING:
        person = context.speaker(_previous_clause(canon, clause_from))
    if person == "you" or message.has(context.FICTION, clause_from, clause_end(canon, end)):
        return None
    sentence = sentence_span(canon, start, end)
    intent = _any_group(match, groups["intent"])
    if message.has(context.RECOVERY, end, sentence[1]) or (
        not intent
        and (
            resolved.is_resolved(message, canon, start, end, sentence[0])
            or resolved.is_denied(message, canon, start, end)
        )
    ):
        return None
    about_other = person == "other"
    if (rule.topical or about_other or person is None) and message.has(context.TOPIC, *sentence):
        return None
    raised = intent or _raised(rule.category, message, sentence)
    severity = Severity.HIGH if raised else rule.severity
    return CrisisHit(
        rule=rule.id,
        category=rule.category,
        severity=Severity.CONCERN if about_other else severity,
        about_other=about_other,
        start=start,
        end=end,
        doubtful=_doubtful(rule, message, person, (start, end), sentence),
    )


def _doubtful(
    rule: Rule,
    message: Message,
    person: str | None,
    span: tuple[int, int],
    sentence: tuple[int, int],
) -> bool:
    """Whether the hit is in a shape that is usually no crisis now (see ``doubt``), with no
    intent word anywhere: an emergency long past or its noun asked about; someone else's
    death told as done, or their crisis asked about in general; said as a joke; or, with no
    resolve named anywhere ("gonna", "решила"), words unsure alone, a past act, a general
    question, a topic noun naming no one, or an aside (hyperbole, a question answered "no",
    a denial, a work or a game)."""
    if message.has(context.INTENT):
        return False
    if rule.category is CrisisCategory.ACUTE_DANGER:  # an act long past, or a noun asked about
        return doubt.told_long_ago(message, message.canon, sentence, span[1]) or (
            rule.id in doubt.UNSURE_ALONE
            and doubt.asks_of_an_emergency(message, message.canon, span, sentence)
        )
    if person == "other":  # a death told as done has no one left to help
        return doubt.tells_of_a_death(
            message, message.canon, span, sentence, theirs=True
        ) or doubt.asks_about_others(message, message.canon, sentence)
    if doubt.is_doubtful(rule.category, message, sentence):
        return True
    if message.has(doubt.DETERMINED) or message.has(doubt.SERIOUS):
        return False
    if rule.id in doubt.UNSURE_ALONE and doubt.unsure_alone(message, message.canon, sentence):
        return True
    canon = message.canon
    clause_from = clause_start(canon, span[0])
    return (
        doubt.looks_back(message, canon, sentence, span[1])
        or doubt.tells_of_a_death(message, canon, span, sentence)
        or (person is None and doubt.asks_in_general(message, canon, sentence))
        or (rule.topical and person is None and doubt.names_no_one(rule, message, sentence))
        or doubt.reads_as_aside(message, canon, span, clause_from, sentence)
    )


def _groups(rule: Rule, prefix: str) -> tuple[str, ...]:
    return tuple(name for name in rule.pattern.groupindex if name.startswith(prefix))


def _any_group(match: re.Match[str], names: tuple[str, ...]) -> bool:
    return any(match.group(name) for name in names)


def _previous_clause(canon: str, clause_from: int) -> list[str]:
    """The words of the clause before the one starting at ``clause_from``, in one sentence."""
    if clause_from < 2 or canon[clause_from - 1] != CLAUSE:
        return []
    return context.clause_tail(canon[clause_start(canon, clause_from - 1) : clause_from - 1])


def _person(rule: Rule, match: re.Match[str], groups: Groups, tail: list[str]) -> str | None:
    """``"me"``, ``"other"`` or ``"you"`` from the match's own words, else from ``tail``;
    ``None`` when nothing says whose it is (then it is read as the writer's own)."""
    for person in ("me", "other"):
        if _any_group(match, groups[person]):
            return person
    if rule.category is CrisisCategory.ABUSE:
        return context.victim(tail)
    return context.speaker(tail)


def _raised(category: CrisisCategory, message: Message, sentence: tuple[int, int]) -> bool:
    """Whether the words around a match raise it to ``HIGH`` (``detector``'s step 5)."""
    if category is CrisisCategory.ACUTE_DANGER:
        return True
    in_sentence, in_message = RAISERS[category]
    return message.has(in_sentence, *sentence) or (
        in_message is not None and message.has(in_message)
    )
