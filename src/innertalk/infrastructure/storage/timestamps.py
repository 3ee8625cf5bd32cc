"""The time rule every storage adapter shares: aware datetimes in, UTC datetimes out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time

from innertalk.application.ports import Record
from innertalk.domain.conversation import Session, Turn
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.users import Profile
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult


class NaiveDatetimeError(ValueError):
    """A record carried a datetime without a timezone, so the instant it names is unknown."""


def as_utc(moment: datetime) -> datetime:
    """``moment`` as a UTC datetime; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError("stored datetimes must be timezone-aware")
    return moment.astimezone(UTC)


def _as_utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def normalized(record: Record) -> Record:
    """``record`` with every datetime in UTC, as a store gives it back."""
    match record:
        case Profile():
            return replace(
                record,
                created_at=as_utc(record.created_at),
                last_active_at=as_utc(record.last_active_at),
                consent_at=_as_utc_or_none(record.consent_at),
            )
        case Session():
            return replace(
                record,
                started_at=as_utc(record.started_at),
                ended_at=_as_utc_or_none(record.ended_at),
            )
        case Turn():
            return replace(record, created_at=as_utc(record.created_at))
        case MoodEntry() | QuestionnaireResult() | Portrait() | Feedback():
            return replace(record, created_at=as_utc(record.created_at))
        case ReminderSettings():
            return replace(
                record,
                snoozed_until=_as_utc_or_none(record.snoozed_until),
                next_due_at=_as_utc_or_none(record.next_due_at),
                last_sent_at=_as_utc_or_none(record.last_sent_at),
            )
    raise TypeError(f"cannot store a {type(record).__name__}")


def moment_text(moment: datetime) -> str:
    """A moment as fixed-width UTC text (sorts as it compares; microseconds kept)."""
    return as_utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def moment_from(text: str) -> datetime:
    return datetime.fromisoformat(text)


def optional_text(moment: datetime | None) -> str | None:
    return None if moment is None else moment_text(moment)


def optional_moment(text: str | None) -> datetime | None:
    return None if text is None else moment_from(text)


def clock_text(value: time | None) -> str | None:
    """A local time of day as ``HH:MM`` (reminder times, quiet hours)."""
    return None if value is None else value.strftime("%H:%M")


def clock_from(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)
