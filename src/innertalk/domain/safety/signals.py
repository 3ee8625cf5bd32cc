"""What the crisis detector reports: a category, a severity and whose crisis it is.

A signal never carries the person's words, only rule ids, so it can be logged, counted and
sent to administrators as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CrisisCategory(StrEnum):
    """Kinds of crisis the companion answers with human help instead of a model's words."""

    SUICIDAL_IDEATION = "suicidal_ideation"
    SELF_HARM = "self_harm"
    HARM_TO_OTHERS = "harm_to_others"
    ABUSE = "abuse"
    """Being abused: domestic, physical or sexual violence against the person."""
    ACUTE_DANGER = "acute_danger"
    """An emergency now: an overdose taken, heavy bleeding, an attacker at the door."""


class Severity(StrEnum):
    """``HIGH``: plan, intent, means, timeframe or an emergency; ``CONCERN``: the rest."""

    CONCERN = "concern"
    HIGH = "high"


PRIORITY = (
    CrisisCategory.ACUTE_DANGER,
    CrisisCategory.SUICIDAL_IDEATION,
    CrisisCategory.SELF_HARM,
    CrisisCategory.ABUSE,
    CrisisCategory.HARM_TO_OTHERS,
)
"""Which category leads when one message shows several at the same severity."""


@dataclass(frozen=True, slots=True)
class CrisisHit:
    """One rule that fired: where in the normalized text, and how it was judged."""

    rule: str
    category: CrisisCategory
    severity: Severity
    about_other: bool
    start: int
    end: int
    doubtful: bool = False
    """Said in a joking or exasperated shape ("…i'll shoot myself lol"): see ``resolved``."""


@dataclass(frozen=True, slots=True)
class CrisisSignal:
    """The verdict on one message: the leading category and everything else found.

    ``about_other`` is true when the crisis is someone else's ("my friend wants to die"):
    the person still gets resources, in words meant for a worried friend.
    """

    category: CrisisCategory
    severity: Severity
    about_other: bool = False
    categories: frozenset[CrisisCategory] = frozenset()
    rules: tuple[str, ...] = ()
    doubtful: bool = False
    """Every hit was doubtful: a third opinion, when one is configured, may decide."""

    @property
    def is_high(self) -> bool:
        return self.severity is Severity.HIGH


def _rank(hit: CrisisHit) -> tuple[bool, bool, int]:
    return (hit.about_other, hit.severity is not Severity.HIGH, PRIORITY.index(hit.category))


def summarize(hits: tuple[CrisisHit, ...] | list[CrisisHit]) -> CrisisSignal | None:
    """The signal for ``hits``: one's own crisis before someone else's, then severity, then
    ``PRIORITY``; ``None`` when nothing fired."""
    if not hits:
        return None
    lead = min(hits, key=_rank)
    return CrisisSignal(
        category=lead.category,
        severity=lead.severity,
        about_other=lead.about_other,
        categories=frozenset(hit.category for hit in hits),
        rules=tuple(sorted({hit.rule for hit in hits})),
        doubtful=all(hit.doubtful for hit in hits),
    )
