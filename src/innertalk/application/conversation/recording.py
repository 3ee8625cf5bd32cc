"""Recording one exchange: the person's turn and the companion's queued for storage, the
session's spent tokens, the profile's last activity, and the context they lead to cached."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.ids import new_id
from innertalk.application.ports import Clock, Record, RecordStore
from innertalk.domain.conversation import ConversationContext, Role, Turn
from innertalk.domain.prompting import ModelReply, TokenUsage
from innertalk.domain.users import Profile

ACTIVITY_RESOLUTION = timedelta(minutes=1)
"""``last_active_at`` is rewritten at most this often, so chatting costs no extra writes."""


def charged_tokens(usage: TokenUsage) -> int:
    """Tokens the budgets count: cached input weighed at its price when the reply was priced."""
    return usage.total if usage.charged_tokens is None else usage.charged_tokens


class ExchangeRecorder:
    """Writes exchanges to ``store`` (unless the session is off the record) and ``contexts``."""

    def __init__(self, store: RecordStore, contexts: ContextLoader, clock: Clock) -> None:
        self._store = store
        self._contexts = contexts
        self._clock = clock

    async def record(
        self,
        context: ConversationContext,
        message: str,
        received: datetime,
        answer: ModelReply,
        latency_ms: int,
    ) -> tuple[str, str]:
        """Queue the exchange for storage and cache the context it leads to."""
        assert context.session is not None
        assert context.profile is not None
        key, session_id = context.key, context.session.id
        turns = [
            Turn(new_id(), key, session_id, Role.USER, message, received),
            Turn(
                new_id(),
                key,
                session_id,
                Role.ASSISTANT,
                answer.text,
                self._clock.now(),
                provider=answer.provider,
                model=answer.model,
                input_tokens=answer.usage.input_tokens,
                output_tokens=answer.usage.output_tokens,
                variant=answer.variant,
                latency_ms=latency_ms,
            ),
        ]
        session = context.session.spent(charged_tokens(answer.usage))
        profile = context.profile
        touched = self._touch(profile)
        records: list[Record] = [session, *turns]
        if touched is not profile:
            records.append(touched)
        if session.off_record:  # nothing is stored; the exchange lives in the cache only
            touched = profile
        else:
            await self._store.write(records)
        updated = replace(context, profile=touched, session=session)
        await self._contexts.remember(updated.with_turns(turns, *self._contexts.limits))
        return session_id, turns[1].id

    def _touch(self, profile: Profile) -> Profile:
        now = self._clock.now()
        if now - profile.last_active_at < ACTIVITY_RESOLUTION:
            return profile
        return profile.touched(now)
