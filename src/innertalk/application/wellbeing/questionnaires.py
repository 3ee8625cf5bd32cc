"""QuestionnaireService: storing a completed questionnaire and comparing it with the last one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.ids import new_id
from innertalk.application.ports import Clock, RecordStore, WellbeingStore
from innertalk.domain.questionnaires import (
    Comparison,
    Instrument,
    QuestionnaireRun,
    Scored,
    compare,
    to_result,
)
from innertalk.domain.users import UserKey
from innertalk.domain.wellbeing import QuestionnaireResult

CONTEXT_RESULTS = 3


class ResultStore(RecordStore, WellbeingStore, Protocol):
    """What saving a result reads and writes."""


@dataclass(frozen=True, slots=True)
class SavedResult:
    result: QuestionnaireResult
    scored: Scored
    comparison: Comparison
    previous: QuestionnaireResult | None


class QuestionnaireService:
    """Saves results; the next reply's context includes them (the cached context is updated)."""

    def __init__(self, *, store: ResultStore, contexts: ContextLoader, clock: Clock) -> None:
        self._store = store
        self._contexts = contexts
        self._clock = clock

    async def save(self, key: UserKey, run: QuestionnaireRun) -> SavedResult:
        """Store a completed, scorable run; ``ValueError`` when it is not complete or scorable."""
        if not run.is_complete:
            raise ValueError("the questionnaire is not complete")
        instrument: Instrument = run.instrument
        scored = run.score()
        previous = await self._store.questionnaire_results(key, 1, instrument.id)
        result = to_result(scored, id=new_id(), key=key, now=self._clock.now())
        await self._store.write([result])
        context = await self._contexts.load(key)
        newest = (result, *context.recent_results)[:CONTEXT_RESULTS]
        await self._contexts.remember(replace(context, recent_results=newest))
        last = previous[0] if previous else None
        return SavedResult(result, scored, compare(instrument, last, scored), last)

    async def history(
        self, key: UserKey, instrument_id: str | None, limit: int = 10
    ) -> list[QuestionnaireResult]:
        """The newest results first: of one instrument, or of every one (``None``)."""
        return await self._store.questionnaire_results(key, limit, instrument_id)
