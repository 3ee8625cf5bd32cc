"""MemoryService: what the companion remembers about a person, and forgetting parts of it.

``/memory`` shows the profile facts, the last session summary and the newest results;
``/forget`` removes a chosen part. Forgetting also drops the cached conversation context, so
the very next prompt no longer carries what was forgotten.

The summary shown is model text: it passes the output screen (``allows_shown``) again here,
since summaries stored before the screen read them whole may not have; one that fails is not
returned at all (``Memory.summary_withheld``), and the screen shows a neutral line instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.ports import (
    ConversationStore,
    ForgettingStore,
    ProfileStore,
    UserLocks,
    WellbeingStore,
)
from innertalk.application.screened_output import allows_shown
from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import QuestionnaireResult

MEMORY_RESULTS = 3


class MemoryStore(ForgettingStore, ConversationStore, ProfileStore, WellbeingStore, Protocol):
    """What showing and forgetting memory reads and erases."""


@dataclass(frozen=True, slots=True)
class Memory:
    """What the companion remembers about one person."""

    profile: Profile | None
    summary: str | None
    results: tuple[QuestionnaireResult, ...]
    summary_withheld: bool = False
    """The stored summary failed the output screen: ``summary`` is ``None``, show a neutral
    line in its place."""


class MemoryService:
    def __init__(self, *, store: MemoryStore, contexts: ContextLoader, locks: UserLocks) -> None:
        self._store = store
        self._contexts = contexts
        self._locks = locks

    async def show(self, key: UserKey) -> Memory:
        context = await self._contexts.load(key)
        results = await self._store.questionnaire_results(key, MEMORY_RESULTS)
        summary = context.previous_summary
        if summary and not allows_shown(summary, what="memory_summary"):
            return Memory(context.profile, None, tuple(results), summary_withheld=True)
        return Memory(context.profile, summary, tuple(results))

    async def forget_summaries(self, key: UserKey) -> int:
        """Every session summary erased; the next prompt starts without one."""
        async with self._locks.hold(key):
            count = await self._store.forget_summaries(key)
            await self._contexts.forget(key)
        return count

    async def forget_results(self, key: UserKey) -> int:
        """Every questionnaire result erased; the next prompt carries none."""
        async with self._locks.hold(key):
            count = await self._store.delete_results(key)
            await self._contexts.forget(key)
        return count
