"""What the router needs from one SDK-backed provider."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from innertalk.domain.prompting import ModelChunk, ModelReply, ModelRequest


class Provider(Protocol):
    """One provider (Gemini, OpenAI, Anthropic, an OpenAI-compatible server).

    Implementations call the official async SDK with its own retries switched off and raise
    only ``ProviderError`` (see ``errors.py``) for anything that goes wrong. ``model`` picks
    one of the provider's models (the default or fast one, or an experiment's); ``None`` means
    the provider's default model.
    """

    name: str
    default_model: str
    fast_model: str | None

    async def complete(self, request: ModelRequest, *, model: str | None = None) -> ModelReply: ...

    def stream(
        self, request: ModelRequest, *, model: str | None = None
    ) -> AsyncIterator[ModelChunk]:
        """Text deltas; the last chunk carries the full ``ModelReply`` with usage."""
        ...

    async def aclose(self) -> None:
        """Close the SDK client and its connections."""
        ...
