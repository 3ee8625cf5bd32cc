"""Scoring answers, comparing a result with the previous one, and summarizing it for the model.

Missing answers (``None``, a skipped item) follow the instrument's ``max_missing``: within it,
a sum is prorated — the mean of the answered items times the number of items, rounded half up
(the PHQ-9 and GAD-7 manuals' rule) — and a subscale is the mean of its answered items; beyond
it there is no score (``Scored.is_scored`` is false) rather than a misleadingly low one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from innertalk.domain.questionnaires.instruments import (
    PERCENT_MAX,
    Band,
    HigherIs,
    Instrument,
    ScoringMethod,
    Subscale,
)
from innertalk.domain.sessions import local_day
from innertalk.domain.users import Language, UserKey
from innertalk.domain.wellbeing import QuestionnaireResult


@dataclass(frozen=True, slots=True)
class SubscaleScore:
    """One trait: the mean of its items (1 decimal) and its position on the range, 0-100 %."""

    key: str
    mean: float | None
    percent: int | None
    band: Band | None
    answered: int
    items: int


@dataclass(frozen=True, slots=True)
class Scored:
    """The outcome of a set of answers; ``total``/``band`` are ``None`` when not scorable."""

    instrument_id: str
    answers: tuple[int | None, ...]
    total: int | None
    band: Band | None
    subscales: tuple[SubscaleScore, ...]
    crisis: bool
    """An answer met a crisis rule (PHQ-9 item 9 above 0): the crisis flow must start."""
    answered: int
    prorated: bool

    @property
    def is_scored(self) -> bool:
        """Enough items were answered for a result that means something."""
        if self.total is not None:
            return True
        return bool(self.subscales) and all(sub.percent is not None for sub in self.subscales)


def score_answers(instrument: Instrument, answers: Sequence[int | None]) -> Scored:
    """Score ``answers`` (one per item, ``None`` for skipped) by the instrument's rules."""
    if len(answers) != len(instrument.items):
        raise ValueError(f"{instrument.id}: {len(instrument.items)} answers expected")
    if any(value is not None and value not in instrument.option_values for value in answers):
        raise ValueError(f"{instrument.id}: an answer is not one of the options")
    answered = sum(value is not None for value in answers)
    total, prorated = _total(instrument, answers)
    return Scored(
        instrument_id=instrument.id,
        answers=tuple(answers),
        total=total,
        band=instrument.band_for(total) if total is not None else None,
        subscales=tuple(_subscale(instrument, sub, answers) for sub in instrument.subscales),
        crisis=crisis_flagged(instrument, answers),
        answered=answered,
        prorated=prorated,
    )


def crisis_flagged(instrument: Instrument, answers: Sequence[int | None]) -> bool:
    """Whether any given answer meets a crisis rule; unanswered items never do."""
    for rule in instrument.crisis:
        value = answers[rule.item] if rule.item < len(answers) else None
        if value is not None and value >= rule.min_value:
            return True
    return False


def _total(instrument: Instrument, answers: Sequence[int | None]) -> tuple[int | None, bool]:
    if instrument.scoring.method is not ScoringMethod.SUM:
        return None, False
    scores = [
        instrument.item_score(index, value)
        for index, value in enumerate(answers)
        if value is not None
    ]
    missing = len(answers) - len(scores)
    if missing > instrument.scoring.max_missing or not scores:
        return None, False
    raw = _half_up(Fraction(sum(scores) * len(answers), len(scores)))
    return raw * instrument.scoring.multiplier, missing > 0


def _subscale(
    instrument: Instrument, subscale: Subscale, answers: Sequence[int | None]
) -> SubscaleScore:
    indexes = [i for i, item in enumerate(instrument.items) if item.subscale == subscale.key]
    scores = [
        instrument.item_score(i, value) for i in indexes if (value := answers[i]) is not None
    ]
    if not scores or len(indexes) - len(scores) > instrument.scoring.max_missing:
        return SubscaleScore(subscale.key, None, None, None, len(scores), len(indexes))
    mean = Fraction(sum(scores), len(scores))
    span = instrument.max_value - instrument.min_value
    percent = _half_up((mean - instrument.min_value) / span * PERCENT_MAX)
    band = next((band for band in subscale.bands if band.contains(percent)), None)
    return SubscaleScore(
        subscale.key, _half_up(mean * 10) / 10, percent, band, len(scores), len(indexes)
    )


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


class Change(StrEnum):
    FIRST = "first"
    """There is no previous result."""
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    """The change is smaller than the instrument's ``meaningful_change``."""
    CHANGED = "changed"
    """A meaningful change on an instrument where higher is neither better nor worse."""
    UNKNOWN = "unknown"
    """One of the two results could not be scored."""


@dataclass(frozen=True, slots=True)
class Comparison:
    change: Change
    delta: int | None
    """Current total minus previous total."""
    band_changed: bool
    subscale_deltas: tuple[tuple[str, int], ...]
    """Per subscale, current minus previous percentage points."""
    previous: QuestionnaireResult | None


def compare(
    instrument: Instrument, previous: QuestionnaireResult | None, current: Scored
) -> Comparison:
    """How ``current`` differs from ``previous``, judged by the instrument's direction.

    Changes smaller than ``meaningful_change`` (WHO-5: 10 points, PHQ-9: 5, GAD-7: 4) are
    ``SAME``; ``delta`` and ``band_changed`` still say what moved.
    """
    if current.instrument_id != instrument.id:
        raise ValueError(f"{current.instrument_id} scored, {instrument.id} given")
    if previous is None:
        return Comparison(Change.FIRST, None, False, (), None)
    if previous.instrument != instrument.id:
        raise ValueError(f"cannot compare {previous.instrument} with {instrument.id}")
    deltas = _subscale_deltas(instrument, previous, current)
    if instrument.scoring.method is ScoringMethod.SUM:
        if current.total is None or current.band is None:
            return Comparison(Change.UNKNOWN, None, False, deltas, previous)
        delta = current.total - previous.score
        change = _judge([delta], instrument)
        return Comparison(change, delta, current.band.key != previous.severity, deltas, previous)
    change = _judge([delta for _, delta in deltas], instrument) if deltas else Change.UNKNOWN
    return Comparison(change, None, False, deltas, previous)


def _judge(deltas: Sequence[int], instrument: Instrument) -> Change:
    largest = max(deltas, key=abs)
    if abs(largest) < instrument.meaningful_change:
        return Change.SAME
    if instrument.higher_is is HigherIs.NEUTRAL:
        return Change.CHANGED
    rose = largest > 0
    return Change.BETTER if rose == (instrument.higher_is is HigherIs.BETTER) else Change.WORSE


def _subscale_deltas(
    instrument: Instrument, previous: QuestionnaireResult, current: Scored
) -> tuple[tuple[str, int], ...]:
    before = rescore(instrument, previous)
    if before is None:
        return ()
    old = {sub.key: sub.percent for sub in before.subscales}
    return tuple(
        (sub.key, sub.percent - was)
        for sub in current.subscales
        if sub.percent is not None and (was := old.get(sub.key)) is not None
    )


def rescore(instrument: Instrument, result: QuestionnaireResult) -> Scored | None:
    """A stored result scored again from its answers; ``None`` if the items no longer match."""
    if result.instrument != instrument.id or len(result.answers) != len(instrument.items):
        return None
    try:
        return score_answers(instrument, result.answers)
    except ValueError:
        return None


def to_result(scored: Scored, *, id: str, key: UserKey, now: datetime) -> QuestionnaireResult:
    """The record to store. Instruments without a total (Big Five) store score 0 and no
    severity: their trait scores are recomputed from the stored answers (``rescore``)."""
    if not scored.is_scored:
        raise ValueError(f"{scored.instrument_id}: too many items missing to store a result")
    return QuestionnaireResult(
        id=id,
        key=key,
        instrument=scored.instrument_id,
        score=scored.total if scored.total is not None else 0,
        severity=scored.band.key if scored.band is not None else "",
        answers=scored.answers,
        created_at=now,
    )


_ON = {Language.EN: "{name} on {date}: {details}", Language.RU: "{name}, {date}: {details}"}
_CRISIS = {
    Language.EN: "thoughts of death or self-harm were reported",
    Language.RU: "отмечены мысли о смерти или самоповреждении",
}


def result_context_line(
    instrument: Instrument,
    result: QuestionnaireResult,
    language: Language,
    timezone: str = "UTC",
) -> str:
    """One line about ``result`` for the conversation context, e.g.
    ``PHQ-9 on 2026-11-20: 7/27 (mild)``, in ``language``, dated in the person's zone."""
    scored = rescore(instrument, result)
    if instrument.scoring.method is ScoringMethod.SUM:
        band = instrument.band_for(result.score)
        label = band.label.in_(language) if band is not None else result.severity
        details = f"{result.score}/{instrument.max_total} ({label})"
    else:
        details = ", ".join(
            f"{instrument.subscale(sub.key).name.in_(language)} {sub.percent}%"
            f" ({sub.band.label.in_(language)})"
            for sub in (scored.subscales if scored is not None else ())
            if sub.percent is not None and sub.band is not None
        )
    if scored is not None and scored.crisis:
        details += f"; {_CRISIS[language]}"
    return _ON[language].format(
        name=instrument.short_name,
        date=local_day(result.created_at, timezone).isoformat(),
        details=details or "—",
    )
