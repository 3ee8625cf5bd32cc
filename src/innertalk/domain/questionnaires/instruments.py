"""Questionnaire instruments as data: items, options, scoring rules, bands, in ru and en.

The instruments themselves are TOML files in ``instruments/``, read by ``loader``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from innertalk.domain.users import Language

PERCENT_MAX = 100


class ScoringMethod(StrEnum):
    SUM = "sum"
    """The (prorated) sum of item scores times ``multiplier``, placed in a band."""
    SUBSCALE_MEAN = "subscale_mean"
    """No total: each subscale is the mean of its items, shown as 0-100 % of the range."""


class HigherIs(StrEnum):
    """What a higher score means, which decides whether a change is better or worse."""

    BETTER = "better"
    WORSE = "worse"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class Localized:
    """One text in every language the companion speaks."""

    en: str
    ru: str

    def in_(self, language: Language) -> str:
        return self.ru if language is Language.RU else self.en


@dataclass(frozen=True, slots=True)
class Option:
    value: int
    label: Localized


@dataclass(frozen=True, slots=True)
class Item:
    text: Localized
    reverse: bool = False
    subscale: str = ""
    skippable: bool = True


@dataclass(frozen=True, slots=True)
class Band:
    """Scores ``min``..``max`` (inclusive) mean ``label``; ``meaning`` explains it."""

    key: str
    min: int
    max: int
    label: Localized
    meaning: Localized

    def contains(self, score: int) -> bool:
        return self.min <= score <= self.max


@dataclass(frozen=True, slots=True)
class Subscale:
    """A group of items scored together; its bands are over 0-100 % of the scale range."""

    key: str
    name: Localized
    bands: tuple[Band, ...]


@dataclass(frozen=True, slots=True)
class CrisisRule:
    """An answer of ``min_value`` or more to item ``item`` (0-based) needs the crisis flow."""

    item: int
    min_value: int


@dataclass(frozen=True, slots=True)
class Scoring:
    method: ScoringMethod
    multiplier: int = 1
    max_missing: int = 0
    """Sum: items that may be missing (the sum is then prorated). Subscale mean: the same,
    per subscale."""


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    short_name: str
    title: Localized
    instructions: Localized
    disclaimer: Localized
    items: tuple[Item, ...]
    options: tuple[Option, ...]
    scoring: Scoring
    bands: tuple[Band, ...]
    subscales: tuple[Subscale, ...]
    crisis: tuple[CrisisRule, ...]
    higher_is: HigherIs
    meaningful_change: int
    """The smallest change between two results reported as better/worse rather than same."""
    source: str
    license: str
    translation: str

    @property
    def option_values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)

    @property
    def min_value(self) -> int:
        return min(self.option_values)

    @property
    def max_value(self) -> int:
        return max(self.option_values)

    @property
    def min_total(self) -> int:
        return self.min_value * len(self.items) * self.scoring.multiplier

    @property
    def max_total(self) -> int:
        return self.max_value * len(self.items) * self.scoring.multiplier

    def item_score(self, index: int, value: int) -> int:
        """What answer ``value`` to item ``index`` counts for, after reverse keying."""
        if self.items[index].reverse:
            return self.min_value + self.max_value - value
        return value

    def option(self, value: int) -> Option:
        return next(option for option in self.options if option.value == value)

    def band_for(self, total: int) -> Band | None:
        return next((band for band in self.bands if band.contains(total)), None)

    def subscale(self, key: str) -> Subscale:
        return next(subscale for subscale in self.subscales if subscale.key == key)
