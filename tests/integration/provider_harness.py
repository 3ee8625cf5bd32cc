"""One provider adapter (real SDK) wired to its loopback fake server, for the provider tests.

Every case is built through ``registry.build_provider``, so the registry rows are exercised
too; ``ollama`` is the OpenAI-compatible row pointed at the OpenAI fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ChatMessage, ModelChunk, ModelRequest
from innertalk.infrastructure.llm.errors import ProviderError
from innertalk.infrastructure.llm.providers.provider import Provider
from innertalk.infrastructure.llm.registry import PROVIDERS, build_provider
from tests.fakes.providers import (
    AnthropicServer,
    FakeProviderServer,
    GeminiServer,
    OpenAIServer,
)

READ_TIMEOUT = 0.3
"""Short, so that a hanging server costs each test a fraction of a second."""

REQUEST = ModelRequest(
    system="You are a warm listener.",
    message="I could not sleep again.",
    history=(
        ChatMessage(Role.USER, "Hi, rough week."),
        ChatMessage(Role.ASSISTANT, "I'm sorry it has been rough. What happened?"),
    ),
    max_output_tokens=321,
    temperature=0.4,
)


@dataclass(frozen=True, slots=True)
class Case:
    """A registry row, the fake that speaks its protocol, and its credential header."""

    name: str
    server: type[FakeProviderServer]
    credential_header: str


CASES = [
    Case("gemini", GeminiServer, "x-goog-api-key"),
    Case("openai", OpenAIServer, "authorization"),
    Case("anthropic", AnthropicServer, "authorization"),  # anthropic 2.x: Bearer, not x-api-key
    Case("ollama", OpenAIServer, "authorization"),
]


@dataclass(frozen=True, slots=True)
class Harness:
    case: Case
    server: FakeProviderServer
    provider: Provider


@asynccontextmanager
async def running(case: Case) -> AsyncIterator[Harness]:
    """The case's fake server, and its provider built from the registry row, both closed after."""
    async with case.server() as server:
        provider = build_provider(
            PROVIDERS[case.name],
            api_key=None if case.name == "ollama" else "test-key",
            base_url=server.base_url,
            connect_timeout=1.0,
            read_timeout=READ_TIMEOUT,
        )
        try:
            yield Harness(case, server, provider)
        finally:
            await provider.aclose()


async def drain(provider: Provider, request: ModelRequest = REQUEST) -> list[ModelChunk]:
    """Every chunk of one stream."""
    return [chunk async for chunk in provider.stream(request)]


async def drain_until_error(
    provider: Provider, request: ModelRequest = REQUEST
) -> tuple[list[ModelChunk], ProviderError | None]:
    """The chunks a stream yielded before it failed, and the failure (``None`` if none)."""
    chunks: list[ModelChunk] = []
    try:
        async for chunk in provider.stream(request):
            chunks.append(chunk)
    except ProviderError as error:
        return chunks, error
    return chunks, None


@dataclass(frozen=True, slots=True)
class SentRequest:
    """What reached the server, in wire-neutral terms."""

    system: str
    turns: list[tuple[str, str]]
    max_tokens: int | None
    temperature: float | None


def sent(case: Case, body: dict[str, Any]) -> SentRequest:
    """Reads one request body in ``case``'s wire format."""
    if case.server is GeminiServer:
        config = body.get("generationConfig", {})
        roles = {"user": "user", "model": "assistant"}
        return SentRequest(
            system=body["systemInstruction"]["parts"][0]["text"],
            turns=[(roles[c["role"]], c["parts"][0]["text"]) for c in body["contents"]],
            max_tokens=config.get("maxOutputTokens"),
            temperature=config.get("temperature"),
        )
    if case.server is AnthropicServer:
        return SentRequest(
            system=_text_of(body["system"]),
            turns=[(m["role"], _text_of(m["content"])) for m in body["messages"]],
            max_tokens=body.get("max_tokens"),
            temperature=body.get("temperature"),
        )
    system = [m["content"] for m in body["messages"] if m["role"] == "system"]
    return SentRequest(
        system=system[0] if system else "",
        turns=[(m["role"], m["content"]) for m in body["messages"] if m["role"] != "system"],
        max_tokens=body.get("max_completion_tokens", body.get("max_tokens")),
        temperature=body.get("temperature"),
    )


def _text_of(content: str | list[dict[str, Any]]) -> str:
    """Anthropic content as text: a string, or text blocks (which carry cache breakpoints)."""
    return content if isinstance(content, str) else "".join(b["text"] for b in content)
