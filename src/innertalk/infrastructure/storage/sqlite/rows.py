"""Domain records to SQLite parameters and back, and the upsert for each table.

Datetimes are fixed-width UTC text (``sqlite.values``), enums their values, tuples JSON.
Every field that says something about a person is sealed by ``SqliteCodec``'s ``FieldSeal``
(the display name, texts, mood score and tags, questionnaire score, severity and answers,
the session's safety flag); ids, moments and the counters statistics need stay clear
(docs/architecture.md, *Encryption at rest*).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from innertalk.application.ports import Record
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.users import Language, Profile, Style, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult
from innertalk.infrastructure.storage.sealing import PLAIN, FieldSeal, is_sealed
from innertalk.infrastructure.storage.sqlite.reminders import UPSERT_REMINDER, reminder_params
from innertalk.infrastructure.storage.sqlite.values import (
    Params,
    Row,
    moment_from,
    moment_text,
)
from innertalk.infrastructure.storage.sqlite.values import optional_moment as _optional_moment
from innertalk.infrastructure.storage.sqlite.values import optional_text as _optional_text

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
# The safety flag may be sealed (no ``max`` over ciphertext): the eleventh parameter, the clear
# flag, which is never stored, lets only a raised flag replace the stored one. A fold point
# is never erased by a record without one; its rolling summary moves with it.
_UPSERT_SESSION = """
INSERT INTO sessions (id, bot_id, user_id, started_at, ended_at, summary, tokens_used, safety,
                      folded_through, fold_summary)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    ended_at = coalesce(excluded.ended_at, ended_at),
    summary = coalesce(excluded.summary, summary),
    tokens_used = max(excluded.tokens_used, tokens_used),
    safety = CASE WHEN ? THEN excluded.safety ELSE safety END,
    fold_summary = CASE WHEN excluded.folded_through = '' THEN fold_summary
                        ELSE excluded.fold_summary END,
    folded_through = CASE WHEN excluded.folded_through = '' THEN folded_through
                          ELSE excluded.folded_through END
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


class SqliteCodec:
    """Records to statement parameters and rows to records, sealing with ``seal``."""

    def __init__(self, seal: FieldSeal = PLAIN) -> None:
        self.seal = seal

    def params_of(self, record: Record) -> Params:
        """The statement parameters for ``record``, in its upsert's column order."""
        owner = (record.key.bot_id, record.key.user_id)
        seal, key = self.seal, record.key
        match record:
            case Profile():
                return (
                    *owner,
                    moment_text(record.created_at),
                    moment_text(record.last_active_at),
                    seal.text(record.display_name, key, "display_name"),
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
                    seal.optional_text(record.summary, key, "summary"),
                    record.tokens_used,
                    seal.value(int(record.safety), key, "safety"),
                    record.folded_through,
                    seal.optional_text(record.fold_summary, key, "fold_summary"),
                    int(record.safety),
                )
            case Turn():
                return (
                    record.id,
                    *owner,
                    record.session_id,
                    record.role.value,
                    seal.text(record.text, key, "turn"),
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
                    seal.value(record.score, key, "mood_score"),
                    self._json(list(record.tags), key, "mood_tags"),
                    seal.text(record.note, key, "note"),
                    moment_text(record.created_at),
                )
            case QuestionnaireResult():
                return (
                    record.id,
                    *owner,
                    record.instrument,
                    seal.value(record.score, key, "result_score"),
                    seal.text(record.severity, key, "severity"),
                    self._json(list(record.answers), key, "answers"),
                    moment_text(record.created_at),
                )
            case Portrait():
                text = seal.text(record.text, key, "portrait")
                return (record.id, *owner, text, moment_text(record.created_at))
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

    def _json(self, value: list[Any], key: UserKey, field: str) -> str:
        """Plain: the JSON text, as before encryption; sealed: the sealed JSON."""
        if self.seal.active:
            return str(self.seal.value(value, key, field))
        return json.dumps(value, ensure_ascii=False)

    def _open_json(self, stored: str, key: UserKey, field: str) -> Any:
        if is_sealed(stored):
            return self.seal.open_value(stored, key, field)
        return json.loads(stored)

    def summary(self, key: UserKey, stored: str | None) -> str | None:
        return self.seal.open_optional_text(stored, key, "summary")

    def profile_from(self, key: UserKey, row: Row) -> Profile:
        return Profile(
            key=key,
            created_at=moment_from(row["created_at"]),
            last_active_at=moment_from(row["last_active_at"]),
            display_name=self.seal.open_text(row["display_name"], key, "display_name"),
            language=Language(row["language"]),
            style=Style(row["style"]),
            timezone=row["timezone"],
            consent_at=_optional_moment(row["consent_at"]),
            active=bool(row["active"]),
            blocked=bool(row["blocked"]),
        )

    def session_from(self, key: UserKey, row: Row) -> Session:
        return Session(
            id=row["id"],
            key=key,
            started_at=moment_from(row["started_at"]),
            ended_at=_optional_moment(row["ended_at"]),
            summary=self.summary(key, row["summary"]),
            tokens_used=row["tokens_used"],
            safety=bool(self.seal.open_value(row["safety"], key, "safety")),
            folded_through=row["folded_through"],
            fold_summary=self.seal.open_optional_text(row["fold_summary"], key, "fold_summary"),
        )

    def turn_from(self, key: UserKey, session_id: str, row: Row) -> Turn:
        return Turn(
            id=row["id"],
            key=key,
            session_id=session_id,
            role=Role(row["role"]),
            text=self.seal.open_text(row["text"], key, "turn"),
            created_at=moment_from(row["created_at"]),
            provider=row["provider"],
            model=row["model"],
            input_tokens=row["input_tokens"],
            output_tokens=row["output_tokens"],
            variant=row["variant"],
            latency_ms=row["latency_ms"],
        )

    def mood_from(self, key: UserKey, row: Row) -> MoodEntry:
        return MoodEntry(
            id=row["id"],
            key=key,
            score=int(self.seal.open_value(row["score"], key, "mood_score")),
            created_at=moment_from(row["created_at"]),
            tags=tuple(self._open_json(row["tags"], key, "mood_tags")),
            note=self.seal.open_text(row["note"], key, "note"),
        )

    def result_from(self, key: UserKey, row: Row) -> QuestionnaireResult:
        return QuestionnaireResult(
            id=row["id"],
            key=key,
            instrument=row["instrument"],
            score=int(self.seal.open_value(row["score"], key, "result_score")),
            severity=self.seal.open_text(row["severity"], key, "severity"),
            answers=tuple(self._open_json(row["answers"], key, "answers")),
            created_at=moment_from(row["created_at"]),
        )

    def portrait_from(self, key: UserKey, row: Row) -> Portrait:
        return Portrait(
            id=row["id"],
            key=key,
            text=self.seal.open_text(row["text"], key, "portrait"),
            created_at=moment_from(row["created_at"]),
        )

    @staticmethod
    def feedback_from(key: UserKey, row: Row) -> Feedback:
        return Feedback(
            id=row["id"],
            key=key,
            turn_id=row["turn_id"],
            helpful=bool(row["helpful"]),
            created_at=moment_from(row["created_at"]),
        )
