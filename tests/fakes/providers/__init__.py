"""Loopback fake provider servers speaking the real wire protocols, with fault injection.

Used by the integration tests (``tests/integration/infrastructure/llm/test_providers*.py``)
and by ``bench/``::

    async with OpenAIServer() as server:
        server.script(Behaviour.rate_limited(retry_after="3"), Behaviour.ok("Hello"))
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test")
"""

from tests.fakes.providers.anthropic_server import AnthropicServer
from tests.fakes.providers.base import (
    DEFAULT_TEXT,
    Behaviour,
    FakeProviderServer,
    Kind,
    RecordedRequest,
)
from tests.fakes.providers.gemini_server import GeminiServer
from tests.fakes.providers.openai_server import OpenAIServer

__all__ = [
    "DEFAULT_TEXT",
    "AnthropicServer",
    "Behaviour",
    "FakeProviderServer",
    "GeminiServer",
    "Kind",
    "OpenAIServer",
    "RecordedRequest",
]
