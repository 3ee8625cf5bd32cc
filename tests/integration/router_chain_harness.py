"""The production model chain (``bootstrap.build_model``) over the real SDK adapters, pointed at
the three loopback fake servers: gemini → openai → anthropic → offline.

Settings come from environment variables through ``load_settings``, exactly as in production;
only the base URLs point at the fakes. Breakers and alert cool-downs run on a ``FakeClock``;
the router's own timeouts (hedge, first token, deadline) and stamina's backoff are real.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import stamina
from aiohttp import web

from innertalk.bootstrap import build_model
from innertalk.config import load_settings
from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ChatMessage, ModelChunk, ModelRequest
from innertalk.infrastructure.llm.router import ModelRouter
from tests.fakes.clock import FakeClock
from tests.fakes.providers import AnthropicServer, FakeProviderServer, GeminiServer, OpenAIServer
from tests.integration.provider_harness import CASES, sent

NAMES = ("gemini", "openai", "anthropic")

HEDGE_AFTER = 0.2
FIRST_TOKEN_TIMEOUT = 1.0
TOTAL_TIMEOUT = 5.0
MAX_ROUNDS = 2

SETTINGS = {
    "GEMINI_API_KEY": "test-gemini-key",
    "OPENAI_API_KEY": "test-openai-key",
    "ANTHROPIC_API_KEY": "test-anthropic-key",
    "LLM_PROVIDERS": ",".join(NAMES),
    "LLM_CONNECT_TIMEOUT": "1",
    "LLM_FIRST_TOKEN_TIMEOUT": str(FIRST_TOKEN_TIMEOUT),
    "LLM_TOTAL_TIMEOUT": str(TOTAL_TIMEOUT),
    "LLM_HEDGE_AFTER": str(HEDGE_AFTER),
    "LLM_MAX_ROUNDS": str(MAX_ROUNDS),
}
"""The chain's settings. ``LLM_BREAKERS`` stays unset: gemini 3 failures/30 s, others 5/60 s;
``LLM_AUTH_COOLDOWN`` too: 600 s."""

_PREFIXES = (
    "LLM_",
    "GEMINI_",
    "GOOGLE_",
    "OPENAI_",
    "ANTHROPIC_",
    "OLLAMA_",
    "LLAMACPP_",
    "VLLM_",
    "OPENROUTER_",
)

REQUEST = ModelRequest(
    system="You are InnerTalk. Summary: we talked about sleep last week.",
    message="I could not sleep again.",
    history=tuple(
        ChatMessage(Role.USER if i % 2 == 0 else Role.ASSISTANT, f"earlier turn {i}")
        for i in range(6)
    ),
)
"""A reply request with six earlier turns, so that a trimmed retry visibly sends fewer."""


class WatchedGeminiServer(GeminiServer):
    """The Gemini fake that also keeps each request's connection, to see the client close it."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: list[web.Request] = []

    async def serve(
        self, request: web.Request, body: dict[str, Any], *, model: str, stream: bool
    ) -> web.StreamResponse:
        self.raw.append(request)
        return await super().serve(request, body, model=model, stream=stream)

    def open_connections(self) -> int:
        """Requests whose connection is still open (the client has not closed it)."""
        return sum(1 for request in self.raw if request.transport is not None)


@dataclass
class Chain:
    """The router under test, its fakes by provider name, its clock and the alerts sent."""

    router: ModelRouter
    clock: FakeClock
    servers: dict[str, FakeProviderServer]
    alerts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def gemini(self) -> WatchedGeminiServer:
        server = self.servers["gemini"]
        assert isinstance(server, WatchedGeminiServer)
        return server

    @property
    def openai(self) -> FakeProviderServer:
        return self.servers["openai"]

    @property
    def anthropic(self) -> FakeProviderServer:
        return self.servers["anthropic"]

    def sent(self) -> dict[str, int]:
        """Requests each fake has received since the warm-up."""
        return {name: server.count for name, server in self.servers.items()}

    def turns(self, name: str, index: int) -> list[tuple[str, str]]:
        """The conversation turns of ``name``'s request ``index`` (system prompt apart)."""
        case = next(case for case in CASES if case.name == name)
        return sent(case, self.servers[name].requests[index].body).turns

    def system(self, name: str, index: int) -> str:
        case = next(case for case in CASES if case.name == name)
        return sent(case, self.servers[name].requests[index].body).system

    async def warm_up(self) -> None:
        """One stream through every provider, then forgotten: timings then measure the
        router, not a cold connection or an SDK's lazy imports."""
        for provider in self.router.providers:
            async for _ in provider.stream(REQUEST):
                pass
        for server in self.servers.values():
            server.requests.clear()


@asynccontextmanager
async def running_chain(monkeypatch: pytest.MonkeyPatch, **variables: str) -> AsyncIterator[Chain]:
    """The three fakes and the router ``build_model`` makes of ``SETTINGS | variables``."""
    servers: dict[str, FakeProviderServer] = {
        "gemini": WatchedGeminiServer(),
        "openai": OpenAIServer(),
        "anthropic": AnthropicServer(),
    }
    for server in servers.values():
        await server.start()
    try:
        for name in list(os.environ):
            if name.startswith(_PREFIXES):
                monkeypatch.delenv(name)
        urls = {
            "GOOGLE_GEMINI_BASE_URL": servers["gemini"].base_url,
            "OPENAI_BASE_URL": servers["openai"].base_url,
            "ANTHROPIC_BASE_URL": servers["anthropic"].base_url,
        }
        for name, value in (SETTINGS | urls | variables).items():
            monkeypatch.setenv(name, value)
        clock = FakeClock()
        alerts: list[tuple[str, str]] = []

        async def alert(kind: str, provider: str) -> None:
            alerts.append((kind, provider))

        router = build_model(load_settings(env_file=None), clock, alert=alert)
        chain = Chain(router, clock, servers, alerts)
        try:
            await chain.warm_up()
            yield chain
        finally:
            await router.aclose()
    finally:
        for server in servers.values():
            await server.stop()


@contextmanager
def recorded_backoffs() -> Iterator[list[float]]:
    """The waits stamina scheduled between rounds while inside (one per backoff)."""
    waits: list[float] = []
    stamina.instrumentation.set_on_retry_hooks([lambda details: waits.append(details.wait_for)])
    try:
        yield waits
    finally:
        stamina.instrumentation.set_on_retry_hooks(None)


async def collect(router: ModelRouter, request: ModelRequest = REQUEST) -> list[ModelChunk]:
    """Every chunk of one streamed reply."""
    return [chunk async for chunk in router.stream(request)]


def joined(chunks: list[ModelChunk]) -> str:
    """The text a person saw: every chunk's text, in order."""
    return "".join(chunk.text for chunk in chunks)
