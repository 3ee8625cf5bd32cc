"""One reply's walk along the provider chain: rounds, hedges and each error's one reaction.

A round tries every provider whose breaker admits a call, in order, failing over at once
(no sleep) after an error. Only when a whole round failed in a way time may fix (transient
errors, rate limits) does stamina back off — exponentially with jitter, or for the current
error's Retry-After — before the next round, within ``max_rounds`` and the reply's deadline.
Each attempt is exactly one HTTP request; the only extra request a reply may cost is the one
retry after a context overflow, with the history halved.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import stamina
import structlog

from innertalk.application.ports import ModelRefusedError
from innertalk.domain.prompting import ModelChunk, ModelReply, ModelRequest, halve_history
from innertalk.infrastructure.llm.attempt import Attempt, Route
from innertalk.infrastructure.llm.breaker import Permit
from innertalk.infrastructure.llm.errors import ErrorKind, ProviderError
from innertalk.infrastructure.observability import metrics

log = structlog.get_logger(__name__)

AlertSink = Callable[[str, str], None]
"""Told ``(kind, provider)`` when admins must act (a rejected key); never any content."""


@dataclass(frozen=True, slots=True)
class RouterPolicy:
    """Timeouts and retry limits of the router, in seconds where they are times."""

    first_token_timeout: float = 15.0
    """Longest wait for a call's first text, and for each later chunk (a stalled stream)."""
    total_timeout: float = 60.0
    """Deadline of one reply, offline fallback included; it bounds every backoff."""
    hedge_after: float = 4.0
    """Start the next provider in parallel after this long without a first token; 0 = never."""
    max_rounds: int = 2
    """Passes over the chain before the offline responder answers."""
    backoff_initial: float = 0.25
    backoff_max: float = 2.0
    """Longest pause between rounds; a longer Retry-After sends the reply offline instead."""
    backoff_jitter: float = 0.25
    auth_cooldown: float = 600.0
    """How long a provider that rejected its key is left out."""


class _RoundFailed(Exception):
    """Every provider of the round failed in a way a later round may fix."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(f"round failed: {error}")
        self.retry_after = error.retry_after if error.kind is ErrorKind.RATE_LIMITED else None


class FailoverRun:
    """The state of one reply. ``start`` finds a call that produced text; ``aclose`` ends all."""

    def __init__(
        self,
        routes: Sequence[Route],
        request: ModelRequest,
        policy: RouterPolicy,
        *,
        deadline: float,
        alert: AlertSink,
    ) -> None:
        self._routes = tuple(routes)
        self._request = request
        self._policy = policy
        self._deadline = deadline
        self._alert = alert
        self._round = 1
        self._queue: deque[Route] = deque(self._routes)
        self._running: list[Attempt] = []
        self._round_error: ProviderError | None = None
        self._hedge_exhausted = False
        self._trimmed: set[str] = set()
        self._overflowing: set[str] = set()
        """Providers this reply's context does not fit even trimmed: not asked again."""
        self._refusal: ProviderError | None = None
        self._current: Attempt | None = None
        """The call whose text is being read, until it succeeds or breaks."""

    async def start(self) -> Attempt | None:
        """The first call to produce text, or ``None`` when the chain (all rounds) is spent.

        Raises ``ModelRefusedError`` for a bad request or a content-policy refusal.
        """
        rounds_left = self._policy.max_rounds - self._round + 1
        if rounds_left < 1:
            return None
        retries = stamina.retry_context(
            on=self._backoff,
            attempts=rounds_left,
            timeout=None,
            wait_initial=self._policy.backoff_initial,
            wait_max=self._policy.backoff_max,
            wait_jitter=self._policy.backoff_jitter,
        )
        try:
            async for retry in retries:
                if retry.num > 1:
                    self._next_round()
                started = await self._race()
                if started is not None or self._round_error is None:
                    return started
                with retry:  # stamina decides (``_backoff``) whether another round follows
                    raise _RoundFailed(self._round_error)
        except _RoundFailed:
            return None
        return None  # pragma: no cover - stamina always yields at least once

    async def collect(self, attempt: Attempt) -> ModelReply:
        """Read ``attempt`` to its end; raises its ``ProviderError`` if it breaks."""
        parts: list[str] = []
        while True:
            chunk = await attempt.next_chunk(self._deadline)
            parts.append(chunk.text)
            if chunk.reply is not None:
                text = "".join(parts) or chunk.reply.text
                return ModelReply(text, chunk.reply.provider, chunk.reply.model, chunk.reply.usage)

    async def next_chunk(self, attempt: Attempt) -> ModelChunk:
        """The next chunk of the started ``attempt`` (``TimeoutError`` at the deadline)."""
        return await attempt.next_chunk(self._deadline)

    def succeeded(self, attempt: Attempt) -> None:
        """``attempt`` delivered its whole answer."""
        self._current = None
        attempt.route.breaker.record_success(attempt.permit)
        attempt.finish("ok")

    async def broke(self, attempt: Attempt, error: Exception) -> None:
        """``attempt`` failed after its first text. A transient error (cut, stall) is a
        breaker failure; the deadline, or a filter stopping the answer midway, is not."""
        self._current = None
        await attempt.cancel()  # after the deadline it may still be reading: close it
        breaker = attempt.route.breaker
        if isinstance(error, ProviderError) and error.kind is ErrorKind.TRANSIENT:
            breaker.record_failure(attempt.permit)
            self._round_error = error
            attempt.finish("broken")
        else:
            breaker.release(attempt.permit)
            attempt.finish(error.kind.value if isinstance(error, ProviderError) else "deadline")
        metrics.LLM_FALLBACKS.labels("stream_broken").inc()

    async def aclose(self) -> None:
        """Cancel every call still running (the one being read too, when the reader
        stopped early); their breakers get no verdict."""
        running, self._running = self._running, []
        if self._current is not None:
            running.append(self._current)
            self._current = None
        for attempt in running:
            await attempt.cancel()
            attempt.route.breaker.release(attempt.permit)
            attempt.finish("cancelled")

    async def _race(self) -> Attempt | None:
        while True:
            if not self._running and not self._launch():
                return None
            done = await self._first_done()
            if not done:
                if not self._launch(hedge=True):
                    self._hedge_exhausted = True
                continue
            winner = next((attempt for attempt in done if attempt.error is None), None)
            for attempt in done:
                self._running.remove(attempt)
                if attempt is not winner:
                    self._react(attempt, winner is None)
            if winner is not None:
                self._refusal = None  # a refusal that lost the race to an answer is moot
                await self._drop_losers(winner)
                self._current = winner
                return winner
            if self._refusal is not None:
                await self.aclose()
                raise ModelRefusedError(str(self._refusal))

    async def _first_done(self) -> list[Attempt]:
        """Attempts whose first text (or failure) arrived, in launch order; [] = hedge now."""
        futures = [attempt.first for attempt in self._running]
        timeout = self._hedge_wait()
        done, _ = await asyncio.wait(futures, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        return [attempt for attempt in self._running if attempt.first in done]

    def _hedge_wait(self) -> float | None:
        if self._policy.hedge_after <= 0 or self._hedge_exhausted or len(self._running) > 1:
            return None
        newest = max(attempt.started_at for attempt in self._running)
        return max(0.0, newest + self._policy.hedge_after - asyncio.get_running_loop().time())

    def _launch(self, *, hedge: bool = False) -> bool:
        """Start the next route whose breaker admits a call; ``False`` when none is left."""
        while self._queue:
            route = self._queue.popleft()
            if route.name in self._overflowing:
                continue
            permit = route.breaker.try_acquire()
            if permit is None:
                metrics.LLM_FALLBACKS.labels("breaker_open").inc()
                continue
            self._start(route, permit, self._request, hedge=hedge)
            if hedge:
                metrics.LLM_HEDGES_STARTED.labels(route.name).inc()
                log.info("llm.hedge_started", provider=route.name, model=route.model)
            return True
        return False

    def _start(self, route: Route, permit: Permit, request: ModelRequest, *, hedge: bool) -> None:
        attempt = Attempt(
            route,
            permit,
            request,
            silence_timeout=self._policy.first_token_timeout,
            hedge=hedge,
        )
        metrics.LLM_ROUTING.labels(route.name, request.tier.value, route.used).inc()
        self._running.append(attempt)

    async def _drop_losers(self, winner: Attempt) -> None:
        """Cancel the other calls. A call overtaken by a winning hedge was too slow: that
        counts as a failure; a hedge overtaken by the call it hedged only gets cancelled."""
        losers, self._running = self._running, []
        for loser in losers:
            await loser.cancel()
            if winner.hedge and loser.started_at < winner.started_at:
                loser.route.breaker.record_failure(loser.permit)
                loser.finish("slow")
            else:
                loser.route.breaker.release(loser.permit)
                loser.finish("cancelled")
        if winner.hedge:
            metrics.LLM_HEDGES_WON.labels(winner.route.name).inc()
            metrics.LLM_FALLBACKS.labels("hedge").inc()

    def _react(self, attempt: Attempt, may_retry: bool) -> None:
        """Apply the one reaction of the error ``attempt`` failed with (see ``errors.py``)."""
        error = attempt.error
        assert error is not None
        route, breaker, kind = attempt.route, attempt.route.breaker, error.kind
        log.info("llm.call_failed", provider=route.name, model=route.model, kind=kind.value)
        attempt.finish(kind.value)
        if kind is ErrorKind.CONTEXT_OVERFLOW:
            trimmed = halve_history(attempt.request) if may_retry else None
            if trimmed is not None and route.name not in self._trimmed:
                self._trimmed.add(route.name)
                self._start(route, attempt.permit, trimmed, hedge=attempt.hedge)
                return
            self._overflowing.add(route.name)
            breaker.release(attempt.permit)
        elif kind is ErrorKind.TRANSIENT:
            breaker.record_failure(attempt.permit)
            self._round_error = error
        elif kind is ErrorKind.RATE_LIMITED:
            cooldown = breaker.policy.cooldown if error.retry_after is None else error.retry_after
            breaker.open_for(cooldown, attempt.permit)
            self._round_error = error
        elif kind is ErrorKind.AUTH:
            breaker.open_for(self._policy.auth_cooldown, attempt.permit)
            self._alert(kind.value, route.name)
        else:  # BAD_REQUEST, CONTENT_POLICY: the provider is fine, the request is not
            breaker.release(attempt.permit)
            self._refusal = error
            return
        metrics.LLM_FALLBACKS.labels(kind.value).inc()

    def _next_round(self) -> None:
        self._round += 1
        self._queue = deque(self._routes)
        self._round_error = None
        self._hedge_exhausted = False

    def _backoff(self, error: Exception) -> bool | float:
        """Whether (and for how long) to pause before the next round.

        The pause is the Retry-After of *this* round's last error when it was a rate limit,
        else stamina's exponential backoff. No pause (straight to the offline responder) when
        it, or the time until any breaker admits a call again, exceeds ``backoff_max`` or
        what is left of the deadline.
        """
        if not isinstance(error, _RoundFailed) or self._round >= self._policy.max_rounds:
            return False
        left = self._deadline - asyncio.get_running_loop().time()
        limit = min(self._policy.backoff_max, left)
        soonest = min((route.breaker.open_remaining() for route in self._routes), default=0.0)
        wait = max(error.retry_after or 0.0, soonest)
        if wait > limit or left <= 0:
            return False
        source = "retry_after" if wait > 0 else "exponential"
        log.info("llm.backoff", round=self._round, source=source, seconds=wait)
        return wait if wait > 0 else True
