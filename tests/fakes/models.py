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
