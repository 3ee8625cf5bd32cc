"""Domain records to SQLite parameters and back, and the upsert for each table.

Datetimes are fixed-width UTC text (``sqlite_values``), enums their values, tuples JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from innertalk.application.ports import Record
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.users import Language, Profile, Style, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult
from innertalk.infrastructure.storage.sqlite_reminders import UPSERT_REMINDER, reminder_params
from innertalk.infrastructure.storage.sqlite_values import (
    Params,
    Row,
    moment_from,
    moment_text,
)
from innertalk.infrastructure.storage.sqlite_values import optional_moment as _optional_moment
from innertalk.infrastructure.storage.sqlite_values import optional_text as _optional_text

# Every update by id is guarded by its owner (``WHERE bot_id = excluded.bot_id ...``):
# an id that belongs to someone else is never overwritten.

_UPSERT_PROFILE = """
INSERT INTO profiles (bot_id, user_id, created_at, last_active_at, display_name, language,
                      style, timezone, consent_at, active, blocked)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (bot_id, user_id) DO UPDATE SET
    last_active_at = excluded.last_active_at, display_name = excluded.display_name,
    language = excluded.language, style = excluded.style, timezone = excluded.timezone,
    consent_at = excluded.consent_at, active = excluded.active, blocked = excluded.blocked
"""

# An end or a summary once stored is never erased by a stale retry of an older batch.
_UPSERT_SESSION = """
INSERT INTO sessions (id, bot_id, user_id, started_at, ended_at, summary, tokens_used, safety)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    ended_at = coalesce(excluded.ended_at, ended_at),
    summary = coalesce(excluded.summary, summary),
    tokens_used = max(excluded.tokens_used, tokens_used),
    safety = max(excluded.safety, safety)
WHERE bot_id = excluded.bot_id AND user_id = excluded.user_id
"""

_INSERT_TURN = """
INSERT INTO turns (id, bot_id, user_id, session_id, role, text, created_at, provider, model,
                   input_tokens, output_tokens, variant, latency_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING
"""

_UPSERT_MOOD = """
INSERT INTO mood_entries (id, bot_id, user_id, score, tags, note, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    score = excluded.score, tags = excluded.tags, note = excluded.note,
    created_at = excluded.created_at
WHERE bot_id = excluded.bot_id AND user_id = excluded.user_id
"""

_UPSERT_RESULT = """
INSERT INTO questionnaire_results (id, bot_id, user_id, instrument, score, severity, answers,
                                   created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    instrument = excluded.instrument, score = excluded.score, severity = excluded.severity,
    answers = excluded.answers, created_at = excluded.created_at
WHERE bot_id = excluded.bot_id AND user_id = excluded.user_id
"""

_UPSERT_FEEDBACK = """
INSERT INTO feedback (id, bot_id, user_id, turn_id, helpful, created_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET helpful = excluded.helpful, created_at = excluded.created_at
WHERE bot_id = excluded.bot_id AND user_id = excluded.user_id
"""

_UPSERT_PORTRAIT = """
INSERT INTO portraits (id, bot_id, user_id, text, created_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET text = excluded.text, created_at = excluded.created_at
WHERE bot_id = excluded.bot_id AND user_id = excluded.user_id
"""

# Parents before children, so a batch reads like the conversation it came from.
_WRITE_ORDER: tuple[tuple[type, str], ...] = (
    (Profile, _UPSERT_PROFILE),
    (Session, _UPSERT_SESSION),
    (Turn, _INSERT_TURN),
    (MoodEntry, _UPSERT_MOOD),
    (QuestionnaireResult, _UPSERT_RESULT),
    (Portrait, _UPSERT_PORTRAIT),
    (Feedback, _UPSERT_FEEDBACK),
    (ReminderSettings, UPSERT_REMINDER),
)


def write_plan(records: Sequence[Record]) -> list[tuple[str, list[Record]]]:
    """The batch as (statement, records) per table, in batch order within a table."""
    groups: dict[type, list[Record]] = {kind: [] for kind, _ in _WRITE_ORDER}
    for record in records:
        group = groups.get(type(record))
        if group is None:
            raise TypeError(f"cannot store a {type(record).__name__}")
        group.append(record)
    return [(sql, groups[kind]) for kind, sql in _WRITE_ORDER if groups[kind]]


def params_of(record: Record) -> Params:
    """The statement parameters for ``record``, in its upsert's column order."""
    owner = (record.key.bot_id, record.key.user_id)
    match record:
        case Profile():
            return (
                *owner,
                moment_text(record.created_at),
                moment_text(record.last_active_at),
                record.display_name,
                record.language.value,
                record.style.value,
                record.timezone,
                _optional_text(record.consent_at),
                int(record.active),
                int(record.blocked),
            )
        case Session():
            return (
                record.id,
                *owner,
                moment_text(record.started_at),
                _optional_text(record.ended_at),
                record.summary,
                record.tokens_used,
                int(record.safety),
            )
        case Turn():
            return (
                record.id,
                *owner,
                record.session_id,
                record.role.value,
                record.text,
                moment_text(record.created_at),
                record.provider,
                record.model,
                record.input_tokens,
                record.output_tokens,
                record.variant,
                record.latency_ms,
            )
        case MoodEntry():
            return (
                record.id,
                *owner,
                record.score,
                json.dumps(list(record.tags), ensure_ascii=False),
                record.note,
                moment_text(record.created_at),
            )
        case QuestionnaireResult():
            return (
                record.id,
                *owner,
                record.instrument,
                record.score,
                record.severity,
                json.dumps(list(record.answers)),
                moment_text(record.created_at),
            )
        case Portrait():
            return (record.id, *owner, record.text, moment_text(record.created_at))
        case Feedback():
            return (
                record.id,
                *owner,
                record.turn_id,
                int(record.helpful),
                moment_text(record.created_at),
            )
        case ReminderSettings():
            return reminder_params(record)
    raise TypeError(f"cannot store a {type(record).__name__}")


def profile_from(key: UserKey, row: Row) -> Profile:
    return Profile(
        key=key,
        created_at=moment_from(row["created_at"]),
        last_active_at=moment_from(row["last_active_at"]),
        display_name=row["display_name"],
        language=Language(row["language"]),
        style=Style(row["style"]),
        timezone=row["timezone"],
        consent_at=_optional_moment(row["consent_at"]),
        active=bool(row["active"]),
        blocked=bool(row["blocked"]),
    )


def session_from(key: UserKey, row: Row) -> Session:
    return Session(
        id=row["id"],
        key=key,
        started_at=moment_from(row["started_at"]),
        ended_at=_optional_moment(row["ended_at"]),
        summary=row["summary"],
        tokens_used=row["tokens_used"],
        safety=bool(row["safety"]),
    )


def turn_from(key: UserKey, session_id: str, row: Row) -> Turn:
    return Turn(
        id=row["id"],
        key=key,
        session_id=session_id,
        role=Role(row["role"]),
        text=row["text"],
        created_at=moment_from(row["created_at"]),
        provider=row["provider"],
        model=row["model"],
        input_tokens=row["input_tokens"],
        output_tokens=row["output_tokens"],
        variant=row["variant"],
        latency_ms=row["latency_ms"],
    )


def mood_from(key: UserKey, row: Row) -> MoodEntry:
    return MoodEntry(
        id=row["id"],
        key=key,
        score=row["score"],
        created_at=moment_from(row["created_at"]),
        tags=tuple(json.loads(row["tags"])),
        note=row["note"],
    )


def result_from(key: UserKey, row: Row) -> QuestionnaireResult:
    return QuestionnaireResult(
        id=row["id"],
        key=key,
        instrument=row["instrument"],
        score=row["score"],
        severity=row["severity"],
        answers=tuple(json.loads(row["answers"])),
        created_at=moment_from(row["created_at"]),
    )


def portrait_from(key: UserKey, row: Row) -> Portrait:
    return Portrait(
        id=row["id"],
        key=key,
        text=row["text"],
        created_at=moment_from(row["created_at"]),
    )


def feedback_from(key: UserKey, row: Row) -> Feedback:
    return Feedback(
        id=row["id"],
        key=key,
        turn_id=row["turn_id"],
        helpful=bool(row["helpful"]),
        created_at=moment_from(row["created_at"]),
    )
