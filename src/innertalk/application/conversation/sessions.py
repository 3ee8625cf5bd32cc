"""Talk sessions: opening them within the daily limit, and closing them with a summary.

The summary is model text the person reads at the session's end (and in ``/memory``) and the
next session's prompt carries, so it passes the output screen first (``allows_shown``).

``SessionLifecycle`` holds the rules and is called with the person's lock already held (by
``TalkService`` for free text, by ``SessionService`` for explicit start and end). A session
abandoned for ``idle_timeout`` is summarized when the next one starts, so no context is lost
and the daily limit cannot be dodged by walking away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import structlog

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.ids import new_id
from innertalk.application.ports import (
    Clock,
    ConversationStore,
    LanguageModel,
    RecordStore,
    UserLocks,
)
from innertalk.application.screened_output import allows_shown
from innertalk.application.tenant_policy import TenantPolicies
from innertalk.domain.conversation import ConversationContext, Session
from innertalk.domain.prompting import build_summary_request
from innertalk.domain.sessions import (
    DailySessionLimitError,
    SessionPolicy,
    is_stale,
    next_local_midnight,
    started_today,
)
from innertalk.domain.users import Language, UserKey

log = structlog.get_logger(__name__)


class SessionStore(RecordStore, ConversationStore, Protocol):
    """What opening and closing sessions reads and writes."""


@dataclass(frozen=True, slots=True)
class EndedSession:
    """A session that was just closed, and its summary (``None`` when nothing was said)."""

    session: Session
    summary: str | None


class SessionLifecycle:
    """Opens and closes sessions; callers hold the person's lock.

    ``withheld_summary`` gives the neutral line stored instead of a summary that failed the
    output screen twice; it is shown and read by later prompts, so it comes in as text
    (presentation owns it, the composition root passes it). ``tenants`` may give a person's
    tenant its own daily session limit (``policy``'s otherwise).
    """

    def __init__(
        self,
        *,
        store: SessionStore,
        contexts: ContextLoader,
        model: LanguageModel,
        fallback: LanguageModel,
        clock: Clock,
        policy: SessionPolicy,
        withheld_summary: Callable[[Language], str],
        summary_max_turns: int = 200,
        history_token_budget: int = 6000,
        tenants: TenantPolicies | None = None,
    ) -> None:
        self._tenants = tenants
        self._store = store
        self._contexts = contexts
        self._model = model
        self._fallback = fallback
        self._clock = clock
        self.policy = policy
        self._summary_max_turns = summary_max_turns
        self._history_token_budget = history_token_budget
        self._withheld_summary = withheld_summary

    async def current(self, context: ConversationContext) -> ConversationContext:
        """``context`` with an open, fresh session: a stale one is closed first, and a new one
        is opened (not yet written) if the daily limit allows; else ``DailySessionLimitError``.
        """
        now = self._clock.now()
        if context.session is not None and is_stale(context, now, self.policy):
            context, _ = await self.close(context)
        if context.session is not None:
            return context
        await self._check_limit(context)
        session = Session(id=new_id(), key=context.key, started_at=now)
        return replace(context, session=session, recent_turns=(), opening_turns=())

    async def save(self, context: ConversationContext) -> None:
        """Store the open session of ``context`` now (unless off the record) and cache it."""
        if context.session is None:
            raise ValueError("no open session")
        if not context.session.off_record:
            await self._store.write([context.session])
        await self._contexts.remember(context)

    async def open_off_record(self, context: ConversationContext) -> ConversationContext:
        """Close any open session, then open one that stores nothing (no daily-limit cost)."""
        if context.session is not None:
            context, _ = await self.close(context)
        session = Session(id=new_id(), key=context.key, started_at=self._clock.now())
        return replace(
            context, session=replace(session, off_record=True), recent_turns=(), opening_turns=()
        )

    async def close(
        self, context: ConversationContext
    ) -> tuple[ConversationContext, EndedSession]:
        """Close the open session with a summary; returns the new context and what ended."""
        if context.session is None:
            raise ValueError("no open session")
        if context.session.off_record:
            closed = replace(context, session=None, recent_turns=(), opening_turns=())
            await self._contexts.remember(closed)
            log.info("session.ended", off_record=True)
            return closed, EndedSession(context.session.ended(self._clock.now(), None), None)
        summary = await self._summarize(context, context.session)
        ended = context.session.ended(self._clock.now(), summary)
        await self._store.write([ended])
        closed = replace(
            context,
            session=None,
            previous_summary=summary or context.previous_summary,
            recent_turns=(),
            opening_turns=(),
        )
        await self._contexts.remember(closed)
        log.info("session.ended", summarized=summary is not None)
        return closed, EndedSession(ended, summary)

    async def _check_limit(self, context: ConversationContext) -> None:
        limit = self.policy.sessions_per_day
        if self._tenants is not None:
            own = (await self._tenants.for_key(context.key)).sessions_per_day
            limit = limit if own is None else own
        if not limit:
            return
        timezone = context.profile.timezone if context.profile else "UTC"
        now = self._clock.now()
        recent = await self._store.sessions(context.key, limit + 1)
        if started_today(recent, now, timezone) >= limit:
            raise DailySessionLimitError(limit, next_local_midnight(now, timezone))

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
        # the summary is shown at the end and read by every later prompt: screened like a
        # reply; the offline (extractive) one replaces it, and a neutral line replaces both
        if summary and not allows_shown(summary, what="summary"):
            summary = ""
        if not summary:
            summary = (await self._fallback.complete(request)).text.strip()
            if summary and not allows_shown(summary, what="offline_summary"):
                summary = self._withheld_summary(language)
        return summary or None


class SessionService:
    """Explicit session commands: start (the Talk button) and end (the End button)."""

    def __init__(
        self, *, lifecycle: SessionLifecycle, contexts: ContextLoader, locks: UserLocks
    ) -> None:
        self._lifecycle = lifecycle
        self._contexts = contexts
        self._locks = locks

    async def start(self, key: UserKey, *, off_record: bool = False) -> tuple[Session, bool]:
        """The open session of ``key`` — continued if fresh, else a new one (stored at once).

        ``off_record`` opens a session that stores nothing: no turns, no summary; an open
        ordinary session is closed (with its summary) first. Returns the session and whether
        it is new. Raises ``DailySessionLimitError``.
        """
        async with self._locks.hold(key):
            context = await self._contexts.load(key)
            if off_record:
                if context.session is not None and context.session.off_record:
                    return context.session, False
                opened = await self._lifecycle.open_off_record(context)
                await self._lifecycle.save(opened)
                assert opened.session is not None
                return opened.session, True
            opened = await self._lifecycle.current(context)
            assert opened.session is not None
            if opened.session is context.session:
                return opened.session, False
            await self._lifecycle.save(opened)
            return opened.session, True

    async def end(self, key: UserKey) -> EndedSession | None:
        """End the open session of ``key`` with a summary; ``None`` when none is open."""
        async with self._locks.hold(key):
            context = await self._contexts.load(key)
            if context.session is None:
                return None
            _, ended = await self._lifecycle.close(context)
        return ended
