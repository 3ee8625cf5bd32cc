"""Domain records to MongoDB documents (as upserts) and back.

- ``profiles``: one per person, ``_id`` = ``{bot_id, user_id}``.
- ``records``: sessions, mood entries, questionnaire results, portraits and feedback, told
  apart by ``kind``. ``_id`` = ``{kind, bot_id, user_id, id}``: ids are scoped to their owner,
  so a record that reuses someone else's id is stored as its writer's own and never changes
  theirs. ``at`` is the record's moment (a session's start, the others' ``created_at``).
- ``turns``: ``_id`` = ``{bot_id, user_id, id}``; ``session`` is the session's ``_id``;
  ``created_date`` repeats ``created_at`` as a BSON date for the retention TTL index.

Moments are fixed-width UTC text (``YYYY-MM-DDTHH:MM:SS.ffffffZ``): BSON dates keep only
milliseconds, and text of one width sorts and compares as the instants do. ``seq`` (from the
``counters`` collection) records the write order, so equal moments keep one order.

Every field that says something about a person is sealed by ``MongoCodec``'s ``FieldSeal``
(display name, texts, mood score and tags, questionnaire score, severity and answers, the
session's safety flag); ids, moments and counters stay clear (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import UpdateOne

from innertalk.application.ports import Record
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.users import Language, Profile, Style, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult
from innertalk.infrastructure.storage.mongo.reminders import REMINDERS, reminder_upsert
from innertalk.infrastructure.storage.mongo.values import (
    Document,
    moment_from,
    moment_text,
    optional_moment,
    optional_text,
    owner,
)
from innertalk.infrastructure.storage.sealing import PLAIN, FieldSeal
from innertalk.infrastructure.storage.timestamps import as_utc

PROFILES = "profiles"
RECORDS = "records"
TURNS = "turns"

SESSION, MOOD, RESULT, PORTRAIT, FEEDBACK = "session", "mood", "result", "portrait", "feedback"
_KINDS: dict[type, str] = {
    Session: SESSION,
    MoodEntry: MOOD,
    QuestionnaireResult: RESULT,
    Portrait: PORTRAIT,
    Feedback: FEEDBACK,
}
_ORDERED = (Session, Turn, MoodEntry, QuestionnaireResult, Portrait, Feedback)
"""Records that carry ``seq``."""

Upsert = UpdateOne
WritePlan = list[tuple[str, list[Upsert], bool]]


def record_id(kind: str, key: UserKey, record_id: str) -> Document:
    return {"kind": kind, **owner(key), "id": record_id}


def turn_id(key: UserKey, turn: str) -> Document:
    return {**owner(key), "id": turn}


def needs_seq(record: Record) -> bool:
    return isinstance(record, _ORDERED)


class MongoCodec:
    """Records to upserts and documents to records, sealing with ``seal``."""

    def __init__(self, seal: FieldSeal = PLAIN) -> None:
        self.seal = seal

    def write_plan(self, records: Sequence[Record], first_seq: int) -> WritePlan:
        """(collection, upserts, ordered) per collection, parents first, in batch order within
        each; ``first_seq`` onwards numbers the records that carry ``seq``.

        Turns are only ever inserted (a retry changes nothing), so their order does not
        matter; elsewhere a later copy of a record in the batch must land after an earlier one.
        """
        plan: dict[str, list[Upsert]] = {PROFILES: [], RECORDS: [], TURNS: [], REMINDERS: []}
        seq = first_seq
        for record in records:
            collection, upsert = self._upsert(record, seq)
            plan[collection].append(upsert)
            seq += needs_seq(record)
        return [(name, upserts, name != TURNS) for name, upserts in plan.items() if upserts]

    def _upsert(self, record: Record, seq: int) -> tuple[str, Upsert]:
        seal, key = self.seal, record.key
        match record:
            case Profile():
                return PROFILES, self._profile_upsert(record)
            case Session():
                return RECORDS, self._session_upsert(record, seq)
            case Turn():
                return TURNS, self._turn_upsert(record, seq)
            case MoodEntry():
                fields = {
                    "score": seal.value(record.score, key, "mood_score"),
                    "tags": seal.value(list(record.tags), key, "mood_tags"),
                    "note": seal.text(record.note, key, "note"),
                }
                return RECORDS, _record_upsert(record, fields, seq)
            case QuestionnaireResult():
                fields = {
                    "instrument": record.instrument,
                    "score": seal.value(record.score, key, "result_score"),
                    "severity": seal.text(record.severity, key, "severity"),
                    "answers": seal.value(list(record.answers), key, "answers"),
                }
                return RECORDS, _record_upsert(record, fields, seq)
            case Portrait():
                text = seal.text(record.text, key, "portrait")
                return RECORDS, _record_upsert(record, {"text": text}, seq)
            case Feedback():
                fields = {"turn_id": record.turn_id, "helpful": record.helpful}
                return RECORDS, _record_upsert(record, fields, seq)
            case ReminderSettings():
                return REMINDERS, reminder_upsert(record)
        raise TypeError(f"cannot store a {type(record).__name__}")

    def _profile_upsert(self, profile: Profile) -> Upsert:
        fields = {
            **owner(profile.key),
            "last_active_at": moment_text(profile.last_active_at),
            "display_name": self.seal.text(profile.display_name, profile.key, "display_name"),
            "language": profile.language.value,
            "style": profile.style.value,
            "timezone": profile.timezone,
            "consent_at": optional_text(profile.consent_at),
            "active": profile.active,
            "blocked": profile.blocked,
        }
        created = {"created_at": moment_text(profile.created_at)}
        return UpdateOne(
            {"_id": owner(profile.key)}, {"$set": fields, "$setOnInsert": created}, upsert=True
        )

    def _session_upsert(self, session: Session, seq: int) -> Upsert:
        """An end or a summary once stored is never erased by a stale retry of an older batch,
        the token spend never goes down, and the safety flag, sealed, is written over the
        stored one only when raised (no ``$max`` over ciphertext). A fold point is never
        erased by a record without one; its rolling summary moves with it."""
        on_insert: Document = {
            "kind": SESSION,
            **owner(session.key),
            "id": session.id,
            "at": moment_text(session.started_at),
            "seq": seq,
        }
        changes: Document = {}
        summary = self.seal.optional_text(session.summary, session.key, "summary")
        for name, value in (("ended_at", optional_text(session.ended_at)), ("summary", summary)):
            (on_insert if value is None else changes)[name] = value
        safety = self.seal.value(session.safety, session.key, "safety")
        (changes if session.safety else on_insert)["safety"] = safety
        if session.folded_through:
            changes["folded_through"] = session.folded_through
            changes["fold_summary"] = self.seal.optional_text(
                session.fold_summary, session.key, "fold_summary"
            )
        update: Document = {
            "$setOnInsert": on_insert,
            "$max": {"tokens_used": session.tokens_used},
        }
        if changes:
            update["$set"] = changes
        return UpdateOne({"_id": record_id(SESSION, session.key, session.id)}, update, upsert=True)

    def _turn_upsert(self, turn: Turn, seq: int) -> Upsert:
        document = {
            **owner(turn.key),
            "id": turn.id,
            "session": record_id(SESSION, turn.key, turn.session_id),
            "role": turn.role.value,
            "text": self.seal.text(turn.text, turn.key, "turn"),
            "created_at": moment_text(turn.created_at),
            "created_date": as_utc(turn.created_at),
            "provider": turn.provider,
            "model": turn.model,
            "input_tokens": turn.input_tokens,
            "output_tokens": turn.output_tokens,
            "variant": turn.variant,
            "latency_ms": turn.latency_ms,
            "seq": seq,
        }
        return UpdateOne(
            {"_id": turn_id(turn.key, turn.id)}, {"$setOnInsert": document}, upsert=True
        )

    def summary(self, key: UserKey, stored: str | None) -> str | None:
        return self.seal.open_optional_text(stored, key, "summary")

    def profile_from(self, key: UserKey, doc: Document) -> Profile:
        return Profile(
            key=key,
            created_at=moment_from(doc["created_at"]),
            last_active_at=moment_from(doc["last_active_at"]),
            display_name=self.seal.open_text(doc["display_name"], key, "display_name"),
            language=Language(doc["language"]),
            style=Style(doc["style"]),
            timezone=doc["timezone"],
            consent_at=optional_moment(doc["consent_at"]),
            active=bool(doc["active"]),
            blocked=bool(doc["blocked"]),
        )

    def session_from(self, key: UserKey, doc: Document) -> Session:
        return Session(
            id=doc["id"],
            key=key,
            started_at=moment_from(doc["at"]),
            ended_at=optional_moment(doc.get("ended_at")),
            summary=self.summary(key, doc.get("summary")),
            tokens_used=int(doc["tokens_used"]),
            safety=bool(self.seal.open_value(doc["safety"], key, "safety")),
            folded_through=doc.get("folded_through", ""),
            fold_summary=self.seal.open_optional_text(
                doc.get("fold_summary"), key, "fold_summary"
            ),
        )

    def turn_from(self, key: UserKey, doc: Document) -> Turn:
        return Turn(
            id=doc["id"],
            key=key,
            session_id=doc["session"]["id"],
            role=Role(doc["role"]),
            text=self.seal.open_text(doc["text"], key, "turn"),
            created_at=moment_from(doc["created_at"]),
            provider=doc["provider"],
            model=doc["model"],
            input_tokens=doc["input_tokens"],
            output_tokens=doc["output_tokens"],
            variant=doc["variant"],
            latency_ms=doc["latency_ms"],
        )

    def mood_from(self, key: UserKey, doc: Document) -> MoodEntry:
        return MoodEntry(
            id=doc["id"],
            key=key,
            score=int(self.seal.open_value(doc["score"], key, "mood_score")),
            created_at=moment_from(doc["at"]),
            tags=tuple(self.seal.open_value(doc["tags"], key, "mood_tags")),
            note=self.seal.open_text(doc["note"], key, "note"),
        )

    def result_from(self, key: UserKey, doc: Document) -> QuestionnaireResult:
        answers: list[Any] = self.seal.open_value(doc["answers"], key, "answers")
        return QuestionnaireResult(
            id=doc["id"],
            key=key,
            instrument=doc["instrument"],
            score=int(self.seal.open_value(doc["score"], key, "result_score")),
            severity=self.seal.open_text(doc["severity"], key, "severity"),
            answers=tuple(answers),
            created_at=moment_from(doc["at"]),
        )

    def portrait_from(self, key: UserKey, doc: Document) -> Portrait:
        text = self.seal.open_text(doc["text"], key, "portrait")
        return Portrait(id=doc["id"], key=key, text=text, created_at=moment_from(doc["at"]))

    @staticmethod
    def feedback_from(key: UserKey, doc: Document) -> Feedback:
        return Feedback(
            id=doc["id"],
            key=key,
            turn_id=doc["turn_id"],
            helpful=bool(doc["helpful"]),
            created_at=moment_from(doc["at"]),
        )


def _record_upsert(
    record: MoodEntry | QuestionnaireResult | Portrait | Feedback, fields: Document, seq: int
) -> Upsert:
    kind = _KINDS[type(record)]
    document = {
        "kind": kind,
        **owner(record.key),
        "id": record.id,
        "at": moment_text(record.created_at),
        **fields,
    }
    return UpdateOne(
        {"_id": record_id(kind, record.key, record.id)},
        {"$set": document, "$setOnInsert": {"seq": seq}},
        upsert=True,
    )
