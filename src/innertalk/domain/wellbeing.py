"""Records from the wellbeing tools: mood entries, questionnaire results, portraits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from innertalk.domain.users import UserKey

MOOD_MIN = 1
MOOD_MAX = 10


class InvalidMoodError(ValueError):
    """A mood score outside the 1-10 scale."""


@dataclass(frozen=True, slots=True)
class MoodEntry:
    """A mood check-in on a 1-10 scale, with optional emotion tags and a note."""

    id: str
    key: UserKey
    score: int
    created_at: datetime
    tags: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""

    def __post_init__(self) -> None:
        if not MOOD_MIN <= self.score <= MOOD_MAX:
            raise InvalidMoodError(f"mood must be {MOOD_MIN}-{MOOD_MAX}, got {self.score}")


@dataclass(frozen=True, slots=True)
class QuestionnaireResult:
    """A completed questionnaire: its total, severity band and the raw answers."""

    id: str
    key: UserKey
    instrument: str
    score: int
    severity: str
    answers: tuple[int | None, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Feedback:
    """A person's verdict on one of the companion's replies (helpful or not)."""

    id: str
    key: UserKey
    turn_id: str
    helpful: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Portrait:
    """A reflection written about the person from their own words and records."""

    id: str
    key: UserKey
    text: str
    created_at: datetime
