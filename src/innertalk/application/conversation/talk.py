"""TalkService: the core use case, from a person's message to the companion's reply."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog

from innertalk.application.background import Background
from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.conversation.folding import HistoryFolding
from innertalk.application.conversation.sessions import SessionLifecycle
from innertalk.application.ids import new_id
from innertalk.application.ports import (
    Clock,
    LanguageModel,
    Record,
    RecordStore,
    TokenBudget,
    UserLocks,
)
from innertalk.application.safety import (
    DraftWithheldError,
    SafetyNotice,
    SafetyService,
    ScreenedDrafts,
    Screening,
)
from innertalk.application.safety_opinion import (
    OpinionOutcome,
    PendingOpinion,
    SecondOpinion,
    no_opinion,
    opinion_signal,
)
from innertalk.application.tenant_policy import (
    DEPLOYMENT_POLICY,
    EffectivePolicy,
    TenantModels,
    TenantPolicies,
)
from innertalk.domain.conversation import ConversationContext, Role, Turn, estimate_tokens
from innertalk.domain.folding import pinned_budget
from innertalk.domain.language import detect_language
from innertalk.domain.messages import clean_message, is_simple_message
from innertalk.domain.prompting import (
    ModelReply,
    ModelRequest,
    Tier,
    TokenUsage,
    build_reply_request,
)
from innertalk.domain.safety import safety_system_prompt
from innertalk.domain.users import Language, Profile, Pseudonyms, UserKey

log = structlog.get_logger(__name__)

ACTIVITY_RESOLUTION = timedelta(minutes=1)
"""``last_active_at`` is rewritten at most this often, so chatting costs no extra writes."""

ChunkSink = Callable[[str], Awaitable[None]]
"""Receives the growing reply text while it streams."""


class NotScreened:
    """The message has not been screened for a crisis yet (``reply`` screens it itself)."""


NOT_SCREENED = NotScreened()


class ConsentRequiredError(Exception):
    """Nothing a person writes is processed or stored before they consent."""


class SessionBudgetExhaustedError(Exception):
    """The open session has spent its token budget; the person is offered to end it."""


def charged_tokens(usage: TokenUsage) -> int:
    """Tokens the budgets count: cached input weighed at its price when the reply was priced."""
    return usage.total if usage.charged_tokens is None else usage.charged_tokens


class DailyTokenBudgetExhaustedError(Exception):
    """The person spent today's tokens (``USER_DAILY_TOKENS``); the model is not asked."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"daily token budget spent; renews in {retry_after:.0f} s")
        self.retry_after = retry_after
        """Seconds until the budget renews."""


class ReplyStoppedError(Exception):
    """The person stopped the reply before any of it was written; nothing is stored."""


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
        self._tenants = tenants
        self._tenant_models = models
        self._folding = folding
        self._pseudonyms = pseudonyms
        self._opinion = opinion if safety is not None else None
        self._safety = safety
        self._budget = budget
        self._withheld_text = withheld_text
        self._alerting = Background()
        self._store = store
        self._contexts = contexts
        self._locks = locks
        self._sessions = sessions
        self._model = model
        self._clock = clock
        self._policy = policy

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
            tenant = await self._tenant(key)
            context, is_new = await self._open_session(key, tenant)
            language = detect_language(message) or self._profile(context).language
            country, profile = tenant.hotline_country, context.profile
            screening = await self._screening(screened, message, language, profile, country)
            notice = screening.notice
            if notice is not None:
                context = self._enter_safety_mode(context, notice)
            persona = tenant.persona
            request = self._request(context, message, language, notice, persona=persona)
            if self._folding is not None and self._folding.due(context, request):
                context = await self._fold(self._folding, context, request)
                request = self._request(context, message, language, notice, persona=persona)
            started = self._clock.monotonic()
            opinion = self._ask_opinion(screening, message)  # alongside the reply
            answer, stopped, screened_out = await opinion.alongside(
                self._answer(request, on_chunk, stop, self._model_for(tenant))
            )
            latency_ms = round((self._clock.monotonic() - started) * 1000)  # the opinion apart
            late = await self._late_notice(opinion, screening, language, context.profile, country)
            if late is not None:
                context = self._enter_safety_mode(context, late)
            if self._budget is not None:
                await self._budget.spend(key, charged_tokens(answer.usage))
            withheld = screened_out or (
                self._safety is not None and not self._safety.allows_reply(answer.text)
            )
            if withheld:
                answer = replace(answer, text=self._withheld_text(language))
            session_id, turn_id = await self._record(
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
        if self._safety is None:
            return Screening(None)
        key = key or (profile.key if profile else None)
        country = None if key is None else (await self._tenant(key)).hotline_country
        return await self._examine(text, language, profile, country)

    async def _examine(
        self, text: str, language: Language, profile: Profile | None, country: str | None
    ) -> Screening:
        if self._safety is None:
            return Screening(None)
        # a doubtful rule signal waits for the third opinion only when one will be asked
        defer = self._opinion is not None
        return await self._safety.examine(
            text, language, profile, country=country, defer_doubtful=defer
        )

    async def _tenant(self, key: UserKey) -> EffectivePolicy:
        """What the person's tenant changes (``DEPLOYMENT_POLICY`` without tenants)."""
        return DEPLOYMENT_POLICY if self._tenants is None else await self._tenants.for_key(key)

    def _model_for(self, tenant: EffectivePolicy) -> LanguageModel:
        """The deployment's chain, or the same chain with the tenant's own provider keys."""
        if self._tenant_models is None or tenant.tenant is None or not tenant.provider_keys:
            return self._model
        return self._tenant_models.model_for(tenant.tenant, tenant.provider_keys)

    async def _screening(
        self,
        screened: Screening | SafetyNotice | NotScreened | None,
        message: str,
        language: Language,
        profile: Profile | None,
        country: str | None,
    ) -> Screening:
        if isinstance(screened, NotScreened):
            return await self._examine(message, language, profile, country)
        return screened if isinstance(screened, Screening) else Screening(screened)

    def _ask_opinion(self, screening: Screening, message: str) -> PendingOpinion:
        """Ask the provider's opinion (``SecondOpinion``) when the local layers are in doubt."""
        return no_opinion() if self._opinion is None else self._opinion.ask(screening, message)

    async def _late_notice(
        self,
        opinion: PendingOpinion,
        screening: Screening,
        language: Language,
        profile: Profile | None,
        country: str | None,
    ) -> SafetyNotice | None:
        """The notice for a crisis the opinion saw (waited for within its bound), if any; a
        deferred rule signal stands unless the opinion answered that it is clear."""
        category = await opinion.verdict()
        if self._safety is None:
            return None
        if category is not None:
            signal = opinion_signal(category)
            return self._safety.notice(signal, language, profile, country=country)
        if screening.deferred is not None and opinion.outcome is not OpinionOutcome.CLEAR:
            return self._safety.raise_deferred(
                screening.deferred, language, profile, country=country
            )
        return None

    def _enter_safety_mode(
        self, context: ConversationContext, notice: SafetyNotice
    ) -> ConversationContext:
        """Mark the session (sticky, stored with the turns) and alert admins in the background."""
        assert context.session is not None
        assert self._safety is not None
        self._alerting.spawn(self._safety.alert(context.key, notice.signal))
        return replace(context, session=replace(context.session, safety=True))

    @staticmethod
    def _profile(context: ConversationContext) -> Profile:
        assert context.profile is not None
        return context.profile

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
        budget = tenant.session_tokens
        if budget is None:
            budget = self._policy.session_token_budget
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

    def _request(
        self,
        context: ConversationContext,
        message: str,
        language: Language,
        notice: SafetyNotice | None = None,
        *,
        persona: str = "",
    ) -> ModelRequest:
        in_safety_mode = context.session is not None and context.session.safety
        safety = None
        if in_safety_mode:
            signal = notice.signal if notice else None
            safety = safety_system_prompt(  # in the system prompt's (the profile's) language
                self._profile(context).language,
                signal.category if signal else None,
                about_other=bool(signal and signal.about_other),
            )
        budget = self._policy.history_token_budget
        request = build_reply_request(
            context,
            message,
            language=language,
            history_budget=budget,
            max_output_tokens=self._policy.reply_max_tokens,
            safety=safety,
            persona=persona,
            # only folded history has an opening to pin: unfolded, every turn is kept anyway
            pinned_budget=pinned_budget(budget) if self._folding is not None else 0,
        )
        simple = is_simple_message(message) and not in_safety_mode
        return replace(
            request,
            tier=Tier.FAST if simple else Tier.STANDARD,
            user_ref=self._pseudonyms.of(context.key),
        )

    async def _record(
        self,
        context: ConversationContext,
        message: str,
        received: datetime,
        answer: ModelReply,
        latency_ms: int,
    ) -> tuple[str, str]:
        """Queue the exchange for storage and cache the context it leads to."""
        assert context.session is not None
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
        profile = self._profile(context)
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

    async def _answer(
        self,
        request: ModelRequest,
        on_chunk: ChunkSink | None,
        stop: asyncio.Event | None,
        model: LanguageModel,
    ) -> tuple[ModelReply, bool, bool]:
        """``model``'s reply, whether ``stop`` cut it short, and whether the output screen
        stopped it while it streamed (then nothing more of it may be shown)."""
        if on_chunk is None and stop is None:
            return await model.complete(request), False, False
        written: list[str] = []
        drafts = None
        if on_chunk is not None:  # the person sees only what the output screen has read
            drafts = ScreenedDrafts(on_chunk, screen=self._safety is not None)
        reading = asyncio.ensure_future(self._read_stream(model, request, drafts, written))
        if stop is None:
            answer = await reading
            return answer, False, drafts is not None and drafts.withheld
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when this call itself is cancelled: no task outlives it
            stopping.cancel()
            if not reading.done():
                reading.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reading
        if not reading.cancelled():
            return reading.result(), False, drafts is not None and drafts.withheld
        partial = "".join(written)
        if not partial.strip():
            raise ReplyStoppedError("stopped before any text")
        return _stopped_reply(request, partial), True, False

    async def _read_stream(
        self,
        model: LanguageModel,
        request: ModelRequest,
        drafts: ScreenedDrafts | None,
        written: list[str],
    ) -> ModelReply:
        # one task opens, reads and closes the stream, so cancelling it closes the stream
        stream = model.stream(request)
        try:
            async for chunk in stream:
                if chunk.text:
                    written.append(chunk.text)
                    if drafts is not None:
                        await drafts.show("".join(written))
                if chunk.reply is not None:
                    if drafts is not None:
                        await drafts.show("".join(written), final=True)
                    return chunk.reply
        except DraftWithheldError:  # stop generating: the final screen replaces the reply
            return _stopped_reply(request, "".join(written))
        finally:
            if isinstance(stream, AsyncGenerator):
                await stream.aclose()
        raise RuntimeError("the model's stream ended without a final reply")

    def _touch(self, profile: Profile) -> Profile:
        now = self._clock.now()
        if now - profile.last_active_at < ACTIVITY_RESOLUTION:
            return profile
        return profile.touched(now)


def _stopped_reply(request: ModelRequest, partial: str) -> ModelReply:
    """What was written before the person stopped it; who wrote it is unknown by then."""
    prompt = (request.system, *(message.text for message in request.history), request.message)
    usage = TokenUsage(
        input_tokens=sum(estimate_tokens(part) for part in prompt),
        output_tokens=estimate_tokens(partial),
        estimated=True,
    )
    return ModelReply(text=partial, provider="", model="", usage=usage)
