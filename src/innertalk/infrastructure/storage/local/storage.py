"""Storage in this process only (gone at exit): the fake for unit tests, held to the same
contract as SQLite.

Records are frozen dataclasses, so they are kept and handed out as they are. Order follows
the SQLite adapter: newest first by timestamp, ties broken by insertion order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from innertalk.application.ports import Record
from innertalk.domain.analytics import CrisisMark
from innertalk.domain.conversation import ConversationContext, Role, Session, Turn
from innertalk.domain.privacy import UserRecords
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult
from innertalk.infrastructure.storage.local.analytics import LocalAnalyticsStore
from innertalk.infrastructure.storage.local.dead_letters import LocalDeadLetterStore
from innertalk.infrastructure.storage.local.fsm import LocalFsmStore
from innertalk.infrastructure.storage.local.operators import LocalOperatorStore
from innertalk.infrastructure.storage.local.reminders import LocalReminderStore
from innertalk.infrastructure.storage.local.stats import LocalStatsStore
from innertalk.infrastructure.storage.local.tenants import LocalTenantStore
from innertalk.infrastructure.storage.timestamps import normalized

CONTEXT_RESULTS = 3
"""Newest questionnaire results loaded with a conversation's context (as in SQLite)."""


class _Owned(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def key(self) -> UserKey: ...


_R = TypeVar("_R", bound=_Owned)


class _Table(Generic[_R]):
    """Records by id, plus each group's ids in insertion order (the SQLite rowid order)."""

    def __init__(
        self, group_of: Callable[[_R], Hashable], merge: Callable[[_R, _R], _R] | None
    ) -> None:
        self._by_id: dict[str, _R] = {}
        self._groups: dict[Hashable, list[str]] = {}
        self._group_of = group_of
        self._merge = merge

    def upsert(self, record: _R) -> None:
        old = self._by_id.get(record.id)
        if old is None:
            self._by_id[record.id] = record
            self._groups.setdefault(self._group_of(record), []).append(record.id)
        # An id already owned by someone else is never touched, as in SQLite.
        elif self._merge is not None and old.key == record.key:
            self._by_id[record.id] = self._merge(old, record)

    def all(self) -> list[_R]:
        return list(self._by_id.values())

    def owned_by(self, key: UserKey) -> list[_R]:
        """Every record of ``key``, in insertion order."""
        return [record for record in self._by_id.values() if record.key == key]

    def overwrite(self, record: _R) -> None:
        """Replace a stored record (same id and owner) as it is, without merging."""
        self._by_id[record.id] = record

    def remove_owner(self, key: UserKey) -> int:
        """Erase every record of ``key``; returns how many."""
        return self.remove_where(lambda record: record.key == key)

    def remove_where(self, doomed_if: Callable[[_R], bool]) -> int:
        """Erase every record ``doomed_if`` accepts; returns how many."""
        doomed = {record_id for record_id, record in self._by_id.items() if doomed_if(record)}
        for record_id in doomed:
            del self._by_id[record_id]
        for group, ids in list(self._groups.items()):
            kept = [record_id for record_id in ids if record_id not in doomed]
            if kept:
                self._groups[group] = kept
            else:
                del self._groups[group]
        return len(doomed)

    def group(self, group: Hashable) -> list[_R]:
        """The group's records, oldest inserted first."""
        return [self._by_id[record_id] for record_id in self._groups.get(group, ())]


def _newest_first(records: list[_R], when: Callable[[_R], datetime]) -> list[_R]:
    ranked = sorted(enumerate(records), key=lambda pair: (when(pair[1]), pair[0]), reverse=True)
    return [record for _, record in ranked]


def _merge_session(old: Session, new: Session) -> Session:
    # An end or a summary once stored is never erased by a stale retry.
    return replace(
        old,
        ended_at=new.ended_at if new.ended_at is not None else old.ended_at,
        summary=new.summary if new.summary is not None else old.summary,
        tokens_used=max(old.tokens_used, new.tokens_used),
        safety=old.safety or new.safety,
        folded_through=new.folded_through or old.folded_through,
        fold_summary=new.fold_summary if new.folded_through else old.fold_summary,
    )


def _last_write_wins(_old: _R, new: _R) -> _R:
    return new


def _by_key(record: _Owned) -> Hashable:
    return record.key


def _by_session(turn: Turn) -> Hashable:
    return (turn.key, turn.session_id)


class LocalStorage(
    LocalReminderStore,
    LocalStatsStore,
    LocalFsmStore,
    LocalDeadLetterStore,
    LocalTenantStore,
    LocalAnalyticsStore,
    LocalOperatorStore,
):
    """A complete ``Storage`` in dicts; ``reads`` and ``writes`` count calls like round trips."""

    def __init__(self) -> None:
        super().__init__()
        LocalTenantStore.__init__(self)  # the reminders' __init__ does not chain on
        LocalOperatorStore.__init__(self)
        self.reads = 0
        self.writes = 0
        self._profiles: dict[UserKey, Profile] = {}
        self._crisis: list[CrisisMark] = []
        self._sessions: _Table[Session] = _Table(_by_key, _merge_session)
        self._turns: _Table[Turn] = _Table(_by_session, None)
        self._moods: _Table[MoodEntry] = _Table(_by_key, _last_write_wins)
        self._results: _Table[QuestionnaireResult] = _Table(_by_key, _last_write_wins)
        self._portraits: _Table[Portrait] = _Table(_by_key, _last_write_wins)
        self._feedback: _Table[Feedback] = _Table(_by_key, _last_write_wins)

    async def migrate(self) -> None:
        """Nothing to migrate in this process."""

    async def close(self) -> None:
        """Nothing to release in this process."""

    async def ping(self) -> None:
        """This process always answers."""

    async def write(self, records: Sequence[Record]) -> None:
        """Upsert ``records``; all are checked before any is stored, so a bad one stores none."""
        if not records:
            return
        self.writes += 1
        for record in [normalized(record) for record in records]:
            self._store(record)

    def _store(self, record: Record) -> None:
        match record:
            case Profile():
                old = self._profiles.get(record.key)
                kept = record if old is None else replace(record, created_at=old.created_at)
                self._profiles[record.key] = kept
            case Session():
                self._sessions.upsert(record)
            case Turn():
                self._turns.upsert(record)
            case MoodEntry():
                self._moods.upsert(record)
            case QuestionnaireResult():
                self._results.upsert(record)
            case Portrait():
                self._portraits.upsert(record)
            case Feedback():
                self._feedback.upsert(record)
            case ReminderSettings():
                self._store_reminder(record)

    async def load_context(
        self, key: UserKey, turn_limit: int, opening_limit: int = 0
    ) -> ConversationContext:
        self.reads += 1
        sessions = _newest_first(self._sessions.group(key), lambda session: session.started_at)
        session = next((s for s in sessions if s.ended_at is None), None)
        previous_summary = next(
            (s.summary for s in sessions if s.ended_at is not None and s.summary is not None),
            None,
        )
        turns = self._newest_turns(key, session.id, turn_limit) if session else []
        opening = self._turns.group((key, session.id))[: max(opening_limit, 0)] if session else []
        return ConversationContext(
            key=key,
            profile=self._profiles.get(key),
            session=session,
            previous_summary=previous_summary,
            recent_turns=tuple(turns),
            opening_turns=tuple(opening),
            recent_results=tuple(
                _newest_first(self._results.group(key), lambda result: result.created_at)[
                    :CONTEXT_RESULTS
                ]
            ),
        )

    async def session_turns(self, key: UserKey, session_id: str, limit: int) -> list[Turn]:
        self.reads += 1
        return self._newest_turns(key, session_id, limit)

    def _newest_turns(self, key: UserKey, session_id: str, limit: int) -> list[Turn]:
        turns = self._turns.group((key, session_id))
        return turns[-limit:] if limit > 0 else []

    async def recent_messages(self, key: UserKey, limit: int) -> list[Turn]:
        self.reads += 1
        mine = [turn for turn in self._turns.owned_by(key) if turn.role is Role.USER]
        return mine[-limit:] if limit > 0 else []

    async def sessions(self, key: UserKey, limit: int) -> list[Session]:
        self.reads += 1
        sessions = self._sessions.group(key)
        return _newest_first(sessions, lambda session: session.started_at)[: max(limit, 0)]

    async def get_profile(self, key: UserKey) -> Profile | None:
        self.reads += 1
        return self._profiles.get(key)

    async def moods(self, key: UserKey, limit: int) -> list[MoodEntry]:
        self.reads += 1
        moods = self._moods.group(key)
        return _newest_first(moods, lambda mood: mood.created_at)[: max(limit, 0)]

    async def questionnaire_results(
        self, key: UserKey, limit: int, instrument: str | None = None
    ) -> list[QuestionnaireResult]:
        self.reads += 1
        results = [
            result
            for result in self._results.group(key)
            if instrument is None or result.instrument == instrument
        ]
        return _newest_first(results, lambda result: result.created_at)[: max(limit, 0)]

    async def portraits(self, key: UserKey, limit: int) -> list[Portrait]:
        self.reads += 1
        portraits = self._portraits.group(key)
        return _newest_first(portraits, lambda portrait: portrait.created_at)[: max(limit, 0)]

    async def feedback(self, key: UserKey, limit: int) -> list[Feedback]:
        self.reads += 1
        verdicts = self._feedback.group(key)
        return _newest_first(verdicts, lambda verdict: verdict.created_at)[: max(limit, 0)]

    def _tables(self) -> tuple[_Table[Any], ...]:
        return (
            self._sessions,
            self._turns,
            self._moods,
            self._results,
            self._portraits,
            self._feedback,
        )

    async def export_user(self, key: UserKey) -> UserRecords:
        self.reads += 1

        def oldest_first(records: list[_R], when: Callable[[_R], datetime]) -> tuple[_R, ...]:
            return tuple(reversed(_newest_first(records, when)))

        return UserRecords(
            key=key,
            profile=self._profiles.get(key),
            sessions=oldest_first(self._sessions.owned_by(key), lambda s: s.started_at),
            turns=tuple(self._turns.owned_by(key)),
            moods=oldest_first(self._moods.owned_by(key), lambda m: m.created_at),
            results=oldest_first(self._results.owned_by(key), lambda r: r.created_at),
            portraits=oldest_first(self._portraits.owned_by(key), lambda p: p.created_at),
            feedback=oldest_first(self._feedback.owned_by(key), lambda f: f.created_at),
            reminder=self._reminders.get(key),
        )

    async def delete_user(self, key: UserKey) -> int:
        self.writes += 1
        erased = int(self._profiles.pop(key, None) is not None) + self._remove_reminder(key)
        erased += self._remove_fsm(key) + self._remove_dead_letters(key) + self._remove_ref(key)
        return erased + sum(table.remove_owner(key) for table in self._tables())

    async def count_user_rows(self, key: UserKey) -> dict[str, int]:
        """Records per kind that belong to ``key`` (mirrors ``SqliteStorage``)."""
        names = ("sessions", "turns", "mood_entries", "questionnaire_results", "portraits",
                 "feedback")  # fmt: skip
        counts = {
            "profiles": int(key in self._profiles),
            "reminders": int(key in self._reminders),
            "fsm_states": sum(1 for who, _, _ in self._fsm.values() if who == key),
            "dead_letters": sum(1 for letter in self._letters if letter.key == key),
            "person_refs": int(key in self._refs),
        }
        counts.update(
            {
                name: len(table.owned_by(key))
                for name, table in zip(names, self._tables(), strict=True)
            }
        )
        return counts

    async def forget_summaries(self, key: UserKey) -> int:
        self.writes += 1
        summarized = [
            s
            for s in self._sessions.owned_by(key)
            if s.summary is not None or s.fold_summary is not None
        ]
        for session in summarized:
            self._sessions.overwrite(replace(session, summary=None, fold_summary=None))
        return len(summarized)

    async def delete_results(self, key: UserKey) -> int:
        self.writes += 1
        return self._results.remove_owner(key)

    async def purge_turns_before(self, cutoff: datetime) -> int:
        self.writes += 1
        return self._turns.remove_where(lambda turn: turn.created_at < cutoff)

    def _all(self, kind: type) -> Iterable[Any]:
        tables: dict[type, _Table[Any]] = {
            Session: self._sessions,
            Turn: self._turns,
            MoodEntry: self._moods,
            QuestionnaireResult: self._results,
            Feedback: self._feedback,
        }
        return tables[kind].all()
