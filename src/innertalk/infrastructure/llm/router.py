"""``ModelRouter``: the ``LanguageModel`` over an ordered chain of providers, offline last.

Per reply: plan the routes (an experiment's variant first; a provider's fast model for
``Tier.FAST``), walk them with ``FailoverRun`` (breakers, timeouts, hedging, each error's one
reaction) and answer with the offline responder when the chain is spent or the deadline passes.

Both ``complete`` and ``stream`` read providers' streams: the first token is the only early
sign of a hung provider, and it makes hedging the same for both. A stream that breaks after
text was shown ends with a short note in the request's language (the answer is never
silently truncated, and never restarted, which would repeat what was shown); ``complete``
shows nothing until the end, so there a broken stream simply fails over.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

import structlog

from innertalk.application.background import Background
from innertalk.application.ports import Clock, ModelRefusedError
from innertalk.domain.experiments import Experiment, Variant
from innertalk.domain.prompting import (
    ModelChunk,
    ModelReply,
    ModelRequest,
    Tier,
    estimate_usage,
    with_prompt_variant,
)
from innertalk.domain.users import Language
from innertalk.infrastructure.llm.attempt import Attempt, Route
from innertalk.infrastructure.llm.breaker import (
    BreakerPolicy,
    BreakerState,
    BreakerStateStore,
    CircuitBreaker,
)
from innertalk.infrastructure.llm.errors import ErrorKind, ProviderError
from innertalk.infrastructure.llm.failover import FailoverRun, RouterPolicy
from innertalk.infrastructure.llm.ledger import OFFLINE, ProviderLedger
from innertalk.infrastructure.llm.offline import OfflineModel
from innertalk.infrastructure.llm.prices import PriceTable, accounted
from innertalk.infrastructure.llm.providers.provider import Provider
from innertalk.infrastructure.observability import metrics

__all__ = ["AdminAlert", "ChainLink", "CutOffNote", "ModelRouter", "RouterPolicy"]

log = structlog.get_logger(__name__)

AdminAlert = Callable[[str, str], Awaitable[None]]
"""``alert(kind, provider)``: tell the admins something needs a human (no content, ever)."""

CutOffNote = Callable[[Language], str]
"""The words appended, in the request's language, when a streamed reply breaks after some of it
was shown. They become part of the reply (stored, read by later prompts), so the router is given
them: the texts live in presentation's catalogs (``reply.toml`` ``cut_off``)."""

_REFUSALS = (ErrorKind.BAD_REQUEST, ErrorKind.CONTENT_POLICY)
_STATE_VALUE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


@dataclass(frozen=True, slots=True)
class ChainLink:
    """A provider in the chain and its breaker policy (``None``: the provider's default)."""

    provider: Provider
    breaker: BreakerPolicy | None = None


def _publish_state(provider: str, state: BreakerState) -> None:
    metrics.LLM_BREAKER_STATE.labels(provider).set(_STATE_VALUE[state])


async def _log_alert(kind: str, provider: str) -> None:
    log.error("llm.admin_alert", kind=kind, provider=provider)


class ModelRouter:
    """Answers through the first healthy provider of the chain, the offline responder last."""

    def __init__(
        self,
        links: Sequence[ChainLink],
        *,
        clock: Clock,
        cut_off_note: CutOffNote,
        policy: RouterPolicy | None = None,
        offline: OfflineModel | None = None,
        alert: AdminAlert | None = None,
        experiment: Experiment | None = None,
        breaker_store: BreakerStateStore | None = None,
        prices: PriceTable | None = None,
        ledger: ProviderLedger | None = None,
    ) -> None:
        self.ledger = ledger or ProviderLedger()
        """Recent latency, errors and fallbacks per provider (the panel's providers page)."""
        self._prices = prices or PriceTable()
        self._cut_off_note = cut_off_note
        self._providers = [link.provider for link in links]
        self._breakers = {
            link.provider.name: CircuitBreaker(
                link.provider.name,
                clock,
                link.breaker,
                store=breaker_store,
                on_change=_publish_state,
                on_trip=self._breaker_tripped,
            )
            for link in links
        }
        self._clock = clock
        self.policy = policy or RouterPolicy()
        self._offline = offline or OfflineModel()
        self._alert = alert or _log_alert
        self._alerted_at: dict[str, float] = {}
        self._alerts = Background()
        self._experiment = experiment
        if experiment is not None:
            missing = {v.provider for v in experiment.variants} - set(self._breakers)
            if missing:
                raise ValueError(f"experiment uses {sorted(missing)[0]!r}, not in the chain")

    @property
    def providers(self) -> tuple[Provider, ...]:
        """The chain in order, without the offline responder that always ends it."""
        return tuple(self._providers)

    @property
    def provider_names(self) -> list[str]:
        """Names of the chain's providers, in order."""
        return [provider.name for provider in self._providers]

    def breaker(self, provider: str) -> CircuitBreaker:
        """The breaker of ``provider``."""
        return self._breakers[provider]

    def breaker_states(self) -> dict[str, BreakerState]:
        """Each provider's breaker state, for health checks."""
        return {name: breaker.state for name, breaker in self._breakers.items()}

    async def complete(self, request: ModelRequest) -> ModelReply:
        """The whole answer; providers' streams are read to the end before anything returns."""
        request, variant = self._assign(request)
        deadline = run_deadline(self.policy)
        run = self._run(request, variant, deadline)
        try:
            async with asyncio.timeout_at(deadline):
                while (attempt := await run.start()) is not None:
                    try:
                        reply = await run.collect(attempt)
                    except Exception as error:  # nothing was shown yet: fail over
                        await run.broke(attempt, error)
                        if isinstance(error, ProviderError) and error.kind in _REFUSALS:
                            raise ModelRefusedError(str(error)) from None
                        continue
                    run.succeeded(attempt)
                    return self._final(reply, attempt, variant)
        except TimeoutError:
            metrics.LLM_FALLBACKS.labels("deadline").inc()
        finally:
            await run.aclose()
        return self._offline_final(self._offline.reply_to(request), variant)

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        """The answer in pieces; the last chunk's reply text is exactly all pieces joined."""
        request, variant = self._assign(request)
        deadline = run_deadline(self.policy)
        run = self._run(request, variant, deadline)
        try:
            attempt: Attempt | None = None
            try:
                async with asyncio.timeout_at(deadline):
                    attempt = await run.start()
            except TimeoutError:
                metrics.LLM_FALLBACKS.labels("deadline").inc()
            if attempt is None:
                async for chunk in self._offline.stream(request):
                    if chunk.reply is not None:
                        chunk = ModelChunk(chunk.text, self._offline_final(chunk.reply, variant))
                    yield chunk
                return
            async with contextlib.aclosing(self._relay(run, attempt, request, variant)) as relay:
                async for chunk in relay:
                    yield chunk
        finally:
            await run.aclose()

    async def aclose(self) -> None:
        """Close every provider's client; pending admin alerts are delivered first."""
        await self._alerts.settle()
        for provider in self._providers:
            await provider.aclose()

    async def _relay(
        self, run: FailoverRun, attempt: Attempt, request: ModelRequest, variant: Variant | None
    ) -> AsyncGenerator[ModelChunk, None]:
        shown: list[str] = []
        while True:
            try:
                chunk = await run.next_chunk(attempt)
            except Exception as error:  # text was shown: end it honestly, never repeat it
                await run.broke(attempt, error)
                log.warning("llm.stream_broken", provider=attempt.route.name)
                note = self._cut_off_note(request.language)
                shown.append(note)
                yield ModelChunk(note)
                text = "".join(shown)
                usage = estimate_usage(request, text)
                cut = ModelReply(text, attempt.route.name, attempt.route.model, usage)
                yield ModelChunk("", self._final(cut, attempt, variant))
                return
            text = chunk.text
            if not text and not shown and chunk.reply is not None:
                text = chunk.reply.text  # a provider that sent its answer only at the end
            if text:
                shown.append(text)
                yield ModelChunk(text)
            if chunk.reply is not None:
                run.succeeded(attempt)
                reply = replace(chunk.reply, text="".join(shown))
                yield ModelChunk("", self._final(reply, attempt, variant))
                return

    def _assign(self, request: ModelRequest) -> tuple[ModelRequest, Variant | None]:
        variant = self._experiment.assign(request.user_ref) if self._experiment else None
        if variant is not None and variant.prompt:
            request = with_prompt_variant(request, variant.prompt)
        return request, variant

    def _run(self, request: ModelRequest, variant: Variant | None, deadline: float) -> FailoverRun:
        return FailoverRun(
            self._routes(request, variant),
            request,
            self.policy,
            deadline=deadline,
            alert=self._schedule_alert,
        )

    def _routes(self, request: ModelRequest, variant: Variant | None) -> list[Route]:
        """The variant's provider and model first, then the chain in order."""
        routes = []
        if variant is not None:
            breaker = self._breakers[variant.provider]
            provider = next(p for p in self._providers if p.name == variant.provider)
            routes.append(Route(provider, breaker, variant.model, "experiment", self.ledger))
        for provider in self._providers:
            if variant is not None and provider.name == variant.provider:
                continue
            fast = provider.fast_model if request.tier is Tier.FAST else None
            model, used = (fast, "fast") if fast else (provider.default_model, "standard")
            breaker = self._breakers[provider.name]
            routes.append(Route(provider, breaker, model, used, self.ledger))
        return routes

    def _routes_first(self, variant: Variant | None) -> str:
        """The provider a reply asks first (a later one serving it is a fallback)."""
        return variant.provider if variant is not None else self._providers[0].name

    def _final(self, reply: ModelReply, attempt: Attempt, variant: Variant | None) -> ModelReply:
        provider = reply.provider or attempt.route.name
        first = self._routes_first(variant)
        self.ledger.reply(attempt.route.name, fallback=attempt.route.name != first)
        reply = replace(reply, model=reply.model or attempt.route.model)
        return replace(
            accounted(provider, reply, self._prices),
            provider=provider,
            variant=variant.name if variant else "",
        )

    def _offline_final(self, reply: ModelReply, variant: Variant | None) -> ModelReply:
        metrics.LLM_REQUESTS.labels(reply.provider, reply.model, "ok").inc()
        self.ledger.reply(OFFLINE, fallback=bool(self._providers))
        reply = accounted(reply.provider, reply, self._prices)
        if self._providers:
            log.info("llm.offline_reply", providers=len(self._providers))
            self._fire_alert("all_providers_down", "")
        return replace(reply, variant=variant.name if variant else "")

    def _breaker_tripped(self, provider: str) -> None:
        """Failures opened a breaker (not a 429 cool-down or an auth lock-out): tell admins."""
        self._fire_alert("breaker_open", provider)

    def _fire_alert(self, kind: str, provider: str) -> None:
        """Hand an alert to the admins' channel in the background (it throttles per kind)."""
        try:
            self._alerts.spawn(self._deliver_alert(kind, provider))
        except RuntimeError:  # no loop (a breaker changed outside of a reply): log only
            log.error("llm.admin_alert", kind=kind, provider=provider)

    def _schedule_alert(self, kind: str, provider: str) -> None:
        """Alert once per cool-down per provider, without delaying the reply."""
        now = self._clock.monotonic()
        last = self._alerted_at.get(provider)
        if last is not None and now - last < self.policy.auth_cooldown:
            return
        self._alerted_at[provider] = now
        log.error("llm.provider_disabled", kind=kind, provider=provider)
        self._alerts.spawn(self._deliver_alert(kind, provider))

    async def _deliver_alert(self, kind: str, provider: str) -> None:
        try:
            await self._alert(kind, provider)
        except Exception as error:  # an alert that fails must not fail anything else
            log.error("llm.alert_failed", kind=kind, provider=provider, error=type(error).__name__)


def run_deadline(policy: RouterPolicy) -> float:
    """The loop time by which a reply started now must be done."""
    return asyncio.get_running_loop().time() + policy.total_timeout
