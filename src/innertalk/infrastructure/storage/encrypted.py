"""``EncryptedStorage``: any storage adapter with turn texts, summaries, notes and portraits
encrypted at rest (see ``infrastructure/crypto.py``). Other fields stay queryable as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from innertalk.application.ports import Record, Storage
from innertalk.domain.conversation import ConversationContext, Session, Turn
from innertalk.domain.privacy import UserRecords
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.stats import BotStats, Segment
from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult
from innertalk.infrastructure.crypto import FieldCipher


def _context(key: UserKey, field: str) -> str:
    return f"{key.bot_id}:{key.user_id}:{field}"


class EncryptedStorage:
    """Encrypts on write and decrypts on read around ``inner``; everything else passes through."""

    def __init__(self, inner: Storage, cipher: FieldCipher) -> None:
        self.inner = inner
        self._cipher = cipher

    # Sealing and opening records.

    def _seal(self, record: Record) -> Record:
        seal = self._cipher.encrypt
        match record:
            case Turn():
                return replace(record, text=seal(record.text, _context(record.key, "turn")))
            case Session() if record.summary is not None:
                summary = seal(record.summary, _context(record.key, "summary"))
                return replace(record, summary=summary)
            case MoodEntry() if record.note:
                return replace(record, note=seal(record.note, _context(record.key, "note")))
            case Portrait():
                return replace(record, text=seal(record.text, _context(record.key, "portrait")))
        return record

    def _turn(self, turn: Turn) -> Turn:
        return replace(turn, text=self._cipher.decrypt(turn.text, _context(turn.key, "turn")))

    def _summary(self, key: UserKey, summary: str | None) -> str | None:
        return None if summary is None else self._cipher.decrypt(summary, _context(key, "summary"))

    def _session(self, session: Session) -> Session:
        return replace(session, summary=self._summary(session.key, session.summary))

    def _mood(self, mood: MoodEntry) -> MoodEntry:
        note = self._cipher.decrypt(mood.note, _context(mood.key, "note")) if mood.note else ""
        return replace(mood, note=note)

    def _portrait(self, portrait: Portrait) -> Portrait:
        text = self._cipher.decrypt(portrait.text, _context(portrait.key, "portrait"))
        return replace(portrait, text=text)

    # Storage.

    async def write(self, records: Sequence[Record]) -> None:
        await self.inner.write([self._seal(record) for record in records])

    async def load_context(self, key: UserKey, turn_limit: int) -> ConversationContext:
        context = await self.inner.load_context(key, turn_limit)
        return replace(
            context,
            session=self._session(context.session) if context.session else None,
            previous_summary=self._summary(key, context.previous_summary),
            recent_turns=tuple(self._turn(turn) for turn in context.recent_turns),
        )

    async def session_turns(self, key: UserKey, session_id: str, limit: int) -> list[Turn]:
        return [self._turn(t) for t in await self.inner.session_turns(key, session_id, limit)]

    async def recent_messages(self, key: UserKey, limit: int) -> list[Turn]:
        return [self._turn(t) for t in await self.inner.recent_messages(key, limit)]

    async def sessions(self, key: UserKey, limit: int) -> list[Session]:
        return [self._session(session) for session in await self.inner.sessions(key, limit)]

    async def get_profile(self, key: UserKey) -> Profile | None:
        return await self.inner.get_profile(key)

    async def moods(self, key: UserKey, limit: int) -> list[MoodEntry]:
        return [self._mood(mood) for mood in await self.inner.moods(key, limit)]

    async def questionnaire_results(
        self, key: UserKey, limit: int, instrument: str | None = None
    ) -> list[QuestionnaireResult]:
        return await self.inner.questionnaire_results(key, limit, instrument)

    async def portraits(self, key: UserKey, limit: int) -> list[Portrait]:
        return [self._portrait(p) for p in await self.inner.portraits(key, limit)]

    async def feedback(self, key: UserKey, limit: int) -> list[Feedback]:
        return await self.inner.feedback(key, limit)

    async def export_user(self, key: UserKey) -> UserRecords:
        records = await self.inner.export_user(key)
        return replace(
            records,
            sessions=tuple(self._session(session) for session in records.sessions),
            turns=tuple(self._turn(turn) for turn in records.turns),
            moods=tuple(self._mood(mood) for mood in records.moods),
            portraits=tuple(self._portrait(portrait) for portrait in records.portraits),
        )

    async def purge_turns_before(self, cutoff: datetime) -> int:
        return await self.inner.purge_turns_before(cutoff)

    # Reminders hold no free text: nothing to encrypt.

    async def get_reminder(self, key: UserKey) -> ReminderSettings | None:
        return await self.inner.get_reminder(key)

    async def due_reminders(self, now: datetime, limit: int) -> list[ReminderSettings]:
        return await self.inner.due_reminders(now, limit)

    async def claim_reminder(
        self,
        key: UserKey,
        due_at: datetime,
        next_due_at: datetime | None,
        sent_at: datetime | None,
        *,
        failures: int = 0,
    ) -> bool:
        return await self.inner.claim_reminder(
            key, due_at, next_due_at, sent_at, failures=failures
        )

    async def bot_stats(self, bot_id: str, now: datetime) -> BotStats:
        return await self.inner.bot_stats(bot_id, now)

    async def audience(self, bot_id: str, segment: Segment, now: datetime) -> list[UserKey]:
        return await self.inner.audience(bot_id, segment, now)

    async def delete_user(self, key: UserKey) -> int:
        return await self.inner.delete_user(key)

    async def forget_summaries(self, key: UserKey) -> int:
        return await self.inner.forget_summaries(key)

    async def delete_results(self, key: UserKey) -> int:
        return await self.inner.delete_results(key)

    async def migrate(self) -> None:
        await self.inner.migrate()

    async def ping(self) -> None:
        await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()

    # Pass-throughs that tests and benchmarks read.

    @property
    def reads(self) -> int:
        return int(getattr(self.inner, "reads", 0))

    @property
    def writes(self) -> int:
        return int(getattr(self.inner, "writes", 0))

    async def count_user_rows(self, key: UserKey) -> dict[str, int]:
        counts: dict[str, int] = await getattr(self.inner, "count_user_rows")(key)  # noqa: B009
        return counts

    def __repr__(self) -> str:
        return f"EncryptedStorage({self.inner!r})"

    # Screen state (aiogram FSM) bypasses any queue: the next update reads it at once.

    async def fsm_get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        result: tuple[str | None, dict[str, Any]] = await self.inner.fsm_get(key)  # type: ignore[attr-defined]
        return result

    async def fsm_set_state(self, key: str, bot_id: str, user_id: int, state: str | None) -> None:
        await self.inner.fsm_set_state(key, bot_id, user_id, state)  # type: ignore[attr-defined]

    async def fsm_set_data(
        self, key: str, bot_id: str, user_id: int, data: dict[str, Any]
    ) -> None:
        await self.inner.fsm_set_data(key, bot_id, user_id, data)  # type: ignore[attr-defined]
