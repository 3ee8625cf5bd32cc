"""TalkService: the core use case, from a person's message to the companion's reply.

Its parts live next to it: ``screening`` (the crisis screen and the provider's second opinion
around a reply), ``tenant_terms`` (what the person's tenant changes), ``reply_requests`` (the
model request), ``answering`` (reading the answer, streamed and stoppable) and ``recording``
(storing the exchange). Their public names stay importable from here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

import structlog

from innertalk.application.conversation.answering import (
    ChunkSink,
    ReplyStoppedError,
    read_answer,
)
from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.conversation.folding import HistoryFolding
from innertalk.application.conversation.recording import ExchangeRecorder, charged_tokens
from innertalk.application.conversation.reply_requests import ReplyRequests
from innertalk.application.conversation.screening import (
    NOT_SCREENED,
    NotScreened,
    ReplyScreening,
)
from innertalk.application.conversation.sessions import SessionLifecycle
from innertalk.application.conversation.tenant_terms import TenantTerms
from innertalk.application.ports import (
    Clock,
    LanguageModel,
    RecordStore,
    TokenBudget,
    UserLocks,
)
from innertalk.application.safety import SafetyNotice, SafetyService, Screening
from innertalk.application.safety_opinion import SecondOpinion
from innertalk.application.tenant_policy import EffectivePolicy, TenantModels, TenantPolicies
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.language import detect_language
from innertalk.domain.messages import clean_message
from innertalk.domain.prompting import ModelReply, ModelRequest
from innertalk.domain.users import Language, Profile, Pseudonyms, UserKey

__all__ = [
    "NOT_SCREENED",
    "ChunkSink",
    "ConsentRequiredError",
    "DailyTokenBudgetExhaustedError",
    "NotScreened",
    "ReplyStoppedError",
    "SessionBudgetExhaustedError",
    "TalkPolicy",
    "TalkReply",
    "TalkService",
    "charged_tokens",
]

log = structlog.get_logger(__name__)


class ConsentRequiredError(Exception):
    """Nothing a person writes is processed or stored before they consent."""


class SessionBudgetExhaustedError(Exception):
    """The open session has spent its token budget; the person is offered to end it."""


class DailyTokenBudgetExhaustedError(Exception):
    """The person spent today's tokens (``USER_DAILY_TOKENS``); the model is not asked."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"daily token budget spent; renews in {retry_after:.0f} s")
        self.retry_after = retry_after
        """Seconds until the budget renews."""


@dataclass(frozen=True, slots=True)
class TalkPolicy:
    """Limits of one reply."""

    history_token_budget: int = 3000
    reply_max_tokens: int = 800
    session_token_budget: int = 10_000
    """Tokens a session may spend before the person is offered to end it; 0 = no limit."""


@dataclass(frozen=True, slots=True)
class TalkReply:
    """The companion's answer, the session it belongs to and the model that wrote it."""

    text: str
    session_id: str
    language: Language
    model: ModelReply
    turn_id: str = ""
    """The companion's stored turn, for feedback on this reply."""
    stopped: bool = False
    """The person stopped the reply midway; ``text`` is what had been written by then."""
    safety: SafetyNotice | None = None
    """A crisis signal in the message: show this notice (hotlines) before the reply."""
    withheld: bool = False
    """The model's reply failed the safety screen; ``text`` is the gentle replacement."""
    late_safety: SafetyNotice | None = None
    """A crisis the provider's opinion saw (``SecondOpinion``) once the reply was written:
    show this notice after the reply."""


class TalkService:
    """Answers messages: context (one cached read) → prompt → model → turns queued → reply.

    Messages of one person are processed strictly one after another, in arrival order.
    ``withheld_text`` gives the words that stand in for a withheld reply; they are stored as the
    reply, so they come in as text (presentation owns them, the composition root passes them).
    """

    def __init__(
        self,
        *,
        store: RecordStore,
        contexts: ContextLoader,
        locks: UserLocks,
        sessions: SessionLifecycle,
        model: LanguageModel,
        clock: Clock,
        policy: TalkPolicy,
        pseudonyms: Pseudonyms,
        withheld_text: Callable[[Language], str],
        safety: SafetyService | None = None,
        budget: TokenBudget | None = None,
        opinion: SecondOpinion | None = None,
        folding: HistoryFolding | None = None,
        tenants: TenantPolicies | None = None,
        models: TenantModels | None = None,
    ) -> None:
        self._terms = TenantTerms(model, policy.session_token_budget, tenants, models)
        self._screening = ReplyScreening(safety, opinion)
        self._requests = ReplyRequests(
            history_budget=policy.history_token_budget,
            max_output_tokens=policy.reply_max_tokens,
            pseudonyms=pseudonyms,
            folded=folding is not None,
        )
        self._recorder = ExchangeRecorder(store, contexts, clock)
        self._folding = folding
        self._budget = budget
        self._withheld_text = withheld_text
        self._contexts = contexts
        self._locks = locks
        self._sessions = sessions
        self._clock = clock

    async def reply(
        self,
        key: UserKey,
        text: str,
        on_chunk: ChunkSink | None = None,
        *,
        stop: asyncio.Event | None = None,
        screened: Screening | SafetyNotice | NotScreened | None = NOT_SCREENED,
    ) -> TalkReply:
        """Answer ``text`` from ``key``; ``on_chunk`` (if given) sees the reply as it streams.

        ``screened`` is the result of an entry point's own ``examine(text, ...)`` (or
        ``screen``) call (made to show the notice before the reply streams), so the message is
        not screened twice; pass the ``Screening`` so that doubt can get a second opinion.

        Setting ``stop`` while the reply streams ends it at once (the model's stream is
        closed); what was written so far is stored and returned with ``stopped=True``.

        Raises ``EmptyMessageError`` for a message with nothing to answer,
        ``ConsentRequiredError`` when the person has not consented yet,
        ``SessionBudgetExhaustedError`` when the session has spent its token budget,
        ``DailyTokenBudgetExhaustedError`` when the person has spent today's tokens,
        ``DailySessionLimitError`` when a new session is due but today's are used up, and
        ``ModelRefusedError`` when the model declines, ``ReplyStoppedError`` when ``stop``
        was set before any text arrived; in every case nothing is stored.
        """
        message = clean_message(text)
        async with self._locks.hold(key):
            received = self._clock.now()
            tenant = await self._terms.policy_for(key)
            context, is_new = await self._open_session(key, tenant)
            country, profile = tenant.hotline_country, context.profile
            assert profile is not None  # a consented profile: ``_open_session`` checked it
            language = detect_language(message) or profile.language
            screening = await self._screening.screening(
                screened, message, language, profile, country
            )
            notice = screening.notice
            if notice is not None:
                context = self._screening.enter_safety_mode(context, notice)
            persona = tenant.persona
            request = self._requests.build(context, message, language, notice, persona=persona)
            if self._folding is not None and self._folding.due(context, request):
                context = await self._fold(self._folding, context, request)
                request = self._requests.build(context, message, language, notice, persona=persona)
            started = self._clock.monotonic()
            opinion = self._screening.ask_opinion(screening, message)  # alongside the reply
            model, screen = self._terms.model_for(tenant), self._screening.enabled
            answering = read_answer(request, on_chunk, stop, model, screen=screen)
            answer, stopped, screened_out = await opinion.alongside(answering)
            latency_ms = round((self._clock.monotonic() - started) * 1000)  # the opinion apart
            late = await self._screening.late_notice(
                opinion, screening, language, context.profile, country
            )
            if late is not None:
                context = self._screening.enter_safety_mode(context, late)
            if self._budget is not None:
                await self._budget.spend(key, charged_tokens(answer.usage))
            withheld = screened_out or not self._screening.allows_reply(answer.text)
            if withheld:
                answer = replace(answer, text=self._withheld_text(language))
            session_id, turn_id = await self._recorder.record(
                context, message, received, answer, latency_ms
            )
        log.info(
            "talk.replied",
            provider=answer.provider,
            model=answer.model,
            variant=answer.variant,
            language=language.value,
            input_tokens=answer.usage.input_tokens,
            output_tokens=answer.usage.output_tokens,
            latency_ms=latency_ms,
            new_session=is_new,
            stopped=stopped,
            safety=notice is not None,
            withheld=withheld,
            tenant=tenant.tenant,
        )
        return TalkReply(
            answer.text,
            session_id,
            language,
            answer,
            turn_id,
            stopped,
            notice,
            withheld,
            late_safety=late,
        )

    async def screen(
        self,
        text: str,
        language: Language,
        profile: Profile | None = None,
        *,
        key: UserKey | None = None,
    ) -> SafetyNotice | None:
        """The crisis notice for ``text`` (hotlines for the person's country), if any.

        Entry points also call it for messages that cannot be answered yet (before consent),
        so that a person in crisis always gets the hotlines; nothing is stored. ``key`` (else
        ``profile``'s) names the person, whose tenant may choose the hotlines' country.
        """
        return (await self.examine(text, language, profile, key=key)).notice

    async def examine(
        self,
        text: str,
        language: Language,
        profile: Profile | None = None,
        *,
        key: UserKey | None = None,
    ) -> Screening:
        """Like ``screen``, with the classifier's verdict: pass it to ``reply`` as ``screened``."""
        if not self._screening.enabled:
            return Screening(None)
        key = key or (profile.key if profile else None)
        country = None if key is None else (await self._terms.policy_for(key)).hotline_country
        return await self._screening.examine(text, language, profile, country)

    async def _open_session(
        self, key: UserKey, tenant: EffectivePolicy
    ) -> tuple[ConversationContext, bool]:
        """The context with an open session within budget; whether that session is new."""
        loaded = await self._contexts.load(key)
        if loaded.profile is None or not loaded.profile.has_consented:
            raise ConsentRequiredError(str(key))
        if self._budget is not None:  # before a new session or a summary could be made
            retry_after = await self._budget.exhausted_for(key)
            if retry_after > 0:
                raise DailyTokenBudgetExhaustedError(retry_after)
        context = await self._sessions.current(loaded)
        assert context.session is not None
        budget = self._terms.session_budget(tenant)
        if budget and context.session.tokens_used >= budget:
            raise SessionBudgetExhaustedError(context.session.id)
        return context, context.session is not loaded.session

    async def _fold(
        self, folding: HistoryFolding, context: ConversationContext, request: ModelRequest
    ) -> ConversationContext:
        """``context`` with its older kept turns folded (stored with the exchange); the fold's
        tokens are charged to the daily budget now and to the session with the exchange."""
        folded = await folding.fold(context, request)
        charged = charged_tokens(folded.usage)
        if not charged or folded.context.session is None:
            return folded.context
        if self._budget is not None:  # spent even if the reply then fails
            await self._budget.spend(context.key, charged)
        return replace(folded.context, session=folded.context.session.spent(charged))
