"""An in-process, scriptable ``Provider`` for router tests: no SDK, no network.

Each call takes the next ``Step`` of the script (the last one repeats): answer, fail with a
``ProviderError`` of some kind, hang, wait before the first token, or break midway. Calls,
their models and streams closed before their end are counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY

from innertalk.domain.conversation import Role
from innertalk.domain.experiments import Experiment
from innertalk.domain.prompting import (
    ChatMessage,
    ModelChunk,
    ModelReply,
    ModelRequest,
    Tier,
    TokenUsage,
)
from innertalk.domain.users import Language
from innertalk.infrastructure.llm.breaker import BreakerPolicy
from innertalk.infrastructure.llm.errors import ErrorKind, ProviderError
from innertalk.infrastructure.llm.router import AdminAlert, ChainLink, ModelRouter, RouterPolicy
from tests.fakes.clock import FakeClock


@dataclass(frozen=True)
class Step:
    """What one call does: ``delay`` seconds of silence, then ``text`` in words, then either
    the final reply or ``error`` (before any text when ``text`` is empty); ``hang`` never
    answers."""

    text: str = ""
    error: ErrorKind | None = None
    retry_after: float | None = None
    delay: float = 0.0
    hang: bool = False
    gap: float = 0.0
    """Seconds between words."""


def ok(text: str = "Hello there, friend.", *, delay: float = 0.0, gap: float = 0.0) -> Step:
    return Step(text=text, delay=delay, gap=gap)


def fail(kind: ErrorKind, *, retry_after: float | None = None, delay: float = 0.0) -> Step:
    return Step(error=kind, retry_after=retry_after, delay=delay)


def hang() -> Step:
    return Step(hang=True)


def breaks(text: str = "The first half") -> Step:
    """Sends ``text`` and then the connection drops."""
    return Step(text=text, error=ErrorKind.TRANSIENT)


@dataclass(frozen=True)
class Call:
    request: ModelRequest
    model: str


class FakeProvider:
    """A ``Provider`` that follows its script and counts what happened to it."""

    def __init__(
        self,
        name: str,
        *steps: Step,
        default_model: str | None = None,
        fast_model: str | None = None,
    ) -> None:
        self.name = name
        self.default_model = default_model or f"{name}-large"
        self.fast_model = fast_model
        self._steps = list(steps) or [ok()]
        self.calls: list[Call] = []
        self.interrupted = 0
        """Streams closed or cancelled before they ended (their connection would close)."""
        self.closed = False

    def script(self, *steps: Step) -> None:
        """Replace the remaining script."""
        self._steps = list(steps)

    def _next(self) -> Step:
        return self._steps.pop(0) if len(self._steps) > 1 else self._steps[0]

    def _error(self, step: Step) -> ProviderError:
        assert step.error is not None
        return ProviderError(step.error, self.name, retry_after=step.retry_after)

    async def complete(self, request: ModelRequest, *, model: str | None = None) -> ModelReply:
        text = ""
        async for chunk in self.stream(request, model=model):
            text += chunk.text
            if chunk.reply is not None:
                return chunk.reply
        raise AssertionError("unreachable")

    async def stream(
        self, request: ModelRequest, *, model: str | None = None
    ) -> AsyncIterator[ModelChunk]:
        step = self._next()
        used = model or self.default_model
        self.calls.append(Call(request, used))
        finished = False
        try:
            if step.delay:
                await asyncio.sleep(step.delay)
            if step.hang:
                await asyncio.Event().wait()
            if step.error is not None and not step.text:
                finished = True
                raise self._error(step)
            words = step.text.split(" ")
            for index, word in enumerate(words):
                if index and step.gap:
                    await asyncio.sleep(step.gap)
                yield ModelChunk(word if index == len(words) - 1 else f"{word} ")
            if step.error is not None:
                finished = True
                raise self._error(step)
            usage = TokenUsage(input_tokens=10, output_tokens=len(words))
            finished = True
            yield ModelChunk("", ModelReply(step.text, self.name, used, usage))
        finally:
            if not finished:
                self.interrupted += 1

    async def aclose(self) -> None:
        self.closed = True


def chat_request(
    message: str = "I feel a bit lost today",
    *,
    history: int = 0,
    language: Language = Language.EN,
    tier: Tier = Tier.STANDARD,
    user_ref: str = "",
) -> ModelRequest:
    """A reply request with ``history`` alternating earlier turns."""
    turns = tuple(
        ChatMessage(Role.USER if i % 2 == 0 else Role.ASSISTANT, f"turn {i}")
        for i in range(history)
    )
    return ModelRequest(
        system="You are InnerTalk. Summary: we talked before.",
        message=message,
        history=turns,
        language=language,
        tier=tier,
        user_ref=user_ref,
    )


def fast_policy(**overrides: Any) -> RouterPolicy:
    """Router limits for tests: no hedging, generous deadlines, two rounds."""
    values: dict[str, Any] = {
        "first_token_timeout": 2.0,
        "total_timeout": 10.0,
        "hedge_after": 0.0,
        "max_rounds": 2,
    }
    return RouterPolicy(**(values | overrides))


def cut_off_note(language: Language) -> str:
    """A cut-off note naming its language, so a test sees which one the router appended."""
    return f"…(cut off, {language.value})"


def router_over(
    *providers: FakeProvider,
    clock: FakeClock,
    breakers: dict[str, BreakerPolicy] | None = None,
    alert: AdminAlert | None = None,
    experiment: Experiment | None = None,
    **policy: Any,
) -> ModelRouter:
    """A router over ``providers`` (in order), offline last, with ``fast_policy(**policy)``."""
    breakers = breakers or {}
    return ModelRouter(
        [ChainLink(provider, breakers.get(provider.name)) for provider in providers],
        clock=clock,
        cut_off_note=cut_off_note,
        policy=fast_policy(**policy),
        alert=alert,
        experiment=experiment,
    )


def metric(name: str, **labels: str) -> float:
    """The current value of a Prometheus sample (0 when it was never touched)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
