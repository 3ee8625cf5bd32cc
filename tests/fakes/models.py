"""Language models for unit tests: scripted answers, recorded requests, injected failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from innertalk.domain.conversation import estimate_tokens
from innertalk.domain.prompting import ModelChunk, ModelReply, ModelRequest, TokenUsage


class ScriptedModel:
    """Answers with ``answer(request)`` (by default an echo), recording every request.

    ``fail_with`` makes every call raise; ``gate`` (an Event) makes calls wait until it is set.
    """

    def __init__(
        self,
        answer: Callable[[ModelRequest], str] | None = None,
        *,
        name: str = "scripted",
    ) -> None:
        self._answer = answer or (lambda request: f"echo: {request.message}")
        self.name = name
        self.requests: list[ModelRequest] = []
        self.fail_with: Exception | None = None
        self.gate: asyncio.Event | None = None

    async def complete(self, request: ModelRequest) -> ModelReply:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_with is not None:
            raise self.fail_with
        text = self._answer(request)
        usage = TokenUsage(estimate_tokens(request.message), estimate_tokens(text))
        return ModelReply(text=text, provider=self.name, model=f"{self.name}-1", usage=usage)

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        reply = await self.complete(request)
        words = reply.text.split(" ")
        for index, word in enumerate(words):
            last = index == len(words) - 1
            yield ModelChunk(word if last else f"{word} ", reply if last else None)


class StreamingModel(ScriptedModel):
    """A ``ScriptedModel`` whose stream the test paces: ``pause`` seconds before each word, and
    with ``hold_after`` set, it stops after that many words until ``release`` is set (or the
    stream is closed) — for the requests ``holds`` picks (default: all). ``held`` counts the
    streams waiting there now; ``closed_streams`` streams that were closed, finished or not;
    ``most_at_once`` the most that ran concurrently."""

    def __init__(
        self,
        answer: Callable[[ModelRequest], str] | None = None,
        *,
        pause: float = 0.0,
        hold_after: int | None = None,
        holds: Callable[[ModelRequest], bool] | None = None,
    ) -> None:
        super().__init__(answer)
        self.pause = pause
        self.hold_after = hold_after
        self.holds = holds or (lambda _: True)
        self.release = asyncio.Event()
        self.holding = asyncio.Event()
        self.closed_streams = 0
        self.streaming = 0
        self.held = 0
        self._held_more = asyncio.Event()
        self.most_at_once = 0

    async def until_held(self, count: int) -> None:
        """Returns once ``count`` streams wait at ``hold_after`` at the same time."""
        while self.held < count:
            self._held_more.clear()
            await self._held_more.wait()

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        self.requests.append(request)
        text = self._answer(request)
        reply = ModelReply(
            text=text,
            provider=self.name,
            model=f"{self.name}-1",
            usage=TokenUsage(estimate_tokens(request.message), estimate_tokens(text)),
        )
        words = text.split(" ")
        self.streaming += 1
        self.most_at_once = max(self.most_at_once, self.streaming)
        try:
            for index, word in enumerate(words):
                if index == self.hold_after and self.holds(request):
                    self.holding.set()
                    self.held += 1
                    self._held_more.set()
                    try:
                        await self.release.wait()
                    finally:
                        self.held -= 1
                if self.pause:
                    await asyncio.sleep(self.pause)
                yield ModelChunk(word if index == len(words) - 1 else f"{word} ")
            yield ModelChunk("", reply)
        finally:
            self.streaming -= 1
            self.closed_streams += 1


class ChunkedModel(ScriptedModel):
    """Streams ``chunks`` exactly as given (a word may be split across two), whatever is
    asked; ``complete`` answers them joined. ``sent`` counts the chunks handed out, so a
    test sees where the reader stopped; ``closed_streams`` the streams closed."""

    def __init__(self, chunks: list[str]) -> None:
        super().__init__(lambda _: "".join(chunks))
        self.chunks = chunks
        self.sent = 0
        self.closed_streams = 0

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        reply = await self.complete(request)
        try:
            for chunk in self.chunks:
                self.sent += 1
                yield ModelChunk(chunk)
            yield ModelChunk("", reply)
        finally:
            self.closed_streams += 1
