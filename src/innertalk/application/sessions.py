"""SessionService: ending a talk session with a summary the next one starts from."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import structlog

from innertalk.application.contexts import ContextLoader
from innertalk.application.ports import (
    Clock,
    ConversationStore,
    LanguageModel,
    RecordStore,
    UserLocks,
)
from innertalk.domain.conversation import ConversationContext, Session
from innertalk.domain.prompting import build_summary_request
from innertalk.domain.users import Language, UserKey

log = structlog.get_logger(__name__)


class SessionStore(RecordStore, ConversationStore, Protocol):
    """What ending a session reads and writes."""


@dataclass(frozen=True, slots=True)
class EndedSession:
    """A session that was just closed, and its summary (``None`` when nothing was said)."""

    session: Session
    summary: str | None


class SessionService:
    """Closes sessions. The summary comes from the model, or from ``fallback`` when it fails."""

    def __init__(
        self,
        *,
        store: SessionStore,
        contexts: ContextLoader,
        locks: UserLocks,
        model: LanguageModel,
        fallback: LanguageModel,
        clock: Clock,
        summary_max_turns: int = 200,
        history_token_budget: int = 6000,
    ) -> None:
        self._store = store
        self._contexts = contexts
        self._locks = locks
        self._model = model
        self._fallback = fallback
        self._clock = clock
        self._summary_max_turns = summary_max_turns
        self._history_token_budget = history_token_budget

    async def end(self, key: UserKey) -> EndedSession | None:
        """End the open session of ``key`` with a summary; ``None`` when none is open."""
        async with self._locks.hold(key):
            context = await self._contexts.load(key)
            if context.session is None:
                return None
            summary = await self._summarize(context, context.session)
            ended = context.session.ended(self._clock.now(), summary)
            await self._store.write([ended])
            await self._contexts.remember(
                replace(
                    context,
                    session=None,
                    previous_summary=summary or context.previous_summary,
                    recent_turns=(),
                )
            )
        return EndedSession(ended, summary)

    async def _summarize(self, context: ConversationContext, session: Session) -> str | None:
        turns = await self._store.session_turns(context.key, session.id, self._summary_max_turns)
        if not turns:
            return None
        language = context.profile.language if context.profile else Language.EN
        request = build_summary_request(
            turns,
            language=language,
            previous_summary=context.previous_summary,
            history_budget=self._history_token_budget,
        )
        try:
            summary = (await self._model.complete(request)).text.strip()
        except Exception as error:  # the summary must not be lost to a model failure
            log.warning("session.summary_fallback", error=type(error).__name__)
            summary = ""
        if not summary:
            summary = (await self._fallback.complete(request)).text.strip()
        return summary or None
