"""One call to one provider — exactly one HTTP request — read by a task of its own.

The task opens, reads and closes the provider's stream, so the SDK's stream lives in one task
(anyio-based HTTP clients insist on it) and cancelling the task closes the connection. Chunks
go to a queue; ``first`` resolves when the first text arrives (or fails before it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import structlog

from innertalk.domain.prompting import ModelChunk, ModelRequest
from innertalk.infrastructure.llm.breaker import CircuitBreaker, Permit
from innertalk.infrastructure.llm.errors import ErrorKind, ProviderError
from innertalk.infrastructure.llm.ledger import ProviderLedger
from innertalk.infrastructure.llm.providers.provider import Provider
from innertalk.infrastructure.observability import metrics

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Route:
    """A provider, its breaker and the model this reply asks it for.

    ``used`` is the routing decision: ``standard``, ``fast`` or ``experiment``.
    """

    provider: Provider
    breaker: CircuitBreaker
    model: str
    used: str = "standard"
    ledger: ProviderLedger | None = None
    """Where the call's outcome and latency are also noted (the providers page)."""

    @property
    def name(self) -> str:
        return self.provider.name


class Attempt:
    """A running provider call. ``finish`` records its outcome exactly once."""

    def __init__(
        self,
        route: Route,
        permit: Permit,
        request: ModelRequest,
        *,
        silence_timeout: float,
        hedge: bool = False,
    ) -> None:
        self.route = route
        self.permit = permit
        self.request = request
        self.hedge = hedge
        loop = asyncio.get_running_loop()
        self.started_at = loop.time()
        self.first: asyncio.Future[None] = loop.create_future()
        self._silence_timeout = silence_timeout
        self._queue: asyncio.Queue[ModelChunk | ProviderError] = asyncio.Queue()
        self._finished = False
        self._task = asyncio.create_task(self._pump(), name=f"llm-{route.name}")

    @property
    def started(self) -> bool:
        """Whether the first text (or the whole answer) has arrived."""
        return self.first.done() and not self.first.cancelled() and self.error is None

    @property
    def error(self) -> ProviderError | None:
        """Why the call failed before its first text, once ``first`` is done."""
        if not self.first.done() or self.first.cancelled():
            return None
        error = self.first.exception()
        return error if isinstance(error, ProviderError) else None

    async def next_chunk(self, deadline: float) -> ModelChunk:
        """The next chunk; raises the call's ``ProviderError``, or ``TimeoutError`` at
        ``deadline`` (loop time)."""
        async with asyncio.timeout_at(deadline):
            item = await self._queue.get()
        if isinstance(item, ProviderError):
            raise item
        return item

    async def cancel(self) -> None:
        """Stop the call and close its stream (and with it the connection)."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if not self.first.done():
            self.first.cancel()
        elif not self.first.cancelled():
            self.first.exception()  # retrieved, so asyncio does not report it as lost

    def finish(self, outcome: str) -> None:
        """Count the call with its ``outcome`` (``ok``, an error kind, ``cancelled``, ...)."""
        if self._finished:
            return
        self._finished = True
        provider, model = self.route.name, self.route.model
        metrics.LLM_REQUESTS.labels(provider, model, outcome).inc()
        elapsed = asyncio.get_running_loop().time() - self.started_at
        metrics.LLM_REQUEST_SECONDS.labels(provider, model).observe(elapsed)
        if self.route.ledger is not None:
            self.route.ledger.call(provider, outcome, elapsed)
        if outcome != "ok":
            log.info("llm.call_ended", provider=provider, model=model, outcome=outcome)

    async def _pump(self) -> None:
        stream = self.route.provider.stream(self.request, model=self.route.model)
        try:
            await self._read(stream)
        except ProviderError as error:
            self._fail(error)
        except Exception as error:  # an adapter bug must not escape: count it as transient
            detail = type(error).__name__
            self._fail(ProviderError(ErrorKind.TRANSIENT, self.route.name, detail=detail))
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()

    async def _read(self, stream: AsyncIterator[ModelChunk]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            # the first text must come within the timeout of the start (keep-alives do not
            # count); after it, no gap between chunks may be longer
            since = loop.time() if self.started else self.started_at
            try:
                async with asyncio.timeout_at(since + self._silence_timeout):
                    chunk = await anext(stream)
            except StopAsyncIteration:
                raise self._transient("stream ended without a reply") from None
            except TimeoutError:
                raise self._transient("stalled" if self.started else "no first token") from None
            if chunk.reply is not None and not (chunk.text or chunk.reply.text or self.started):
                # as answers.py rules: an empty answer is a refusal, not an outage
                raise ProviderError(ErrorKind.CONTENT_POLICY, self.route.name, detail="empty")
            if not chunk.text and chunk.reply is None:
                continue
            if not self.first.done():
                self.first.set_result(None)
                elapsed = loop.time() - self.started_at
                labels = (self.route.name, self.route.model)
                metrics.LLM_FIRST_TOKEN_SECONDS.labels(*labels).observe(elapsed)
            self._queue.put_nowait(chunk)
            if chunk.reply is not None:
                return

    def _transient(self, detail: str) -> ProviderError:
        return ProviderError(ErrorKind.TRANSIENT, self.route.name, detail=detail)

    def _fail(self, error: ProviderError) -> None:
        if not self.first.done():
            self.first.set_exception(error)
        self._queue.put_nowait(error)
