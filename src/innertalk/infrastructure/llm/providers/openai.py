"""``OpenAIProvider``: OpenAI Chat Completions through ``openai.AsyncOpenAI``.

The same class serves every server that speaks Chat Completions (Ollama, llama.cpp, vLLM,
OpenRouter): they differ only in base URL, key and models, which ``registry.py`` holds.

The SDK's own retries are off (``max_retries=0``): the router is the only retry loop.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Literal, TypedDict

import httpx2
import openai
from openai.types import CompletionUsage, ReasoningEffort
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ModelChunk, ModelReply, ModelRequest, TokenUsage
from innertalk.infrastructure.llm.errors import ErrorKind, ProviderError
from innertalk.infrastructure.llm.providers import models
from innertalk.infrastructure.llm.providers.answers import (
    error_kind_for_status,
    finished_reply,
    refused,
    unfinished,
)
from innertalk.infrastructure.llm.retry_after import retry_after_seconds

DEFAULT_MODEL = models.OPENAI_DEFAULT
FAST_MODEL = models.OPENAI_FAST

LengthParameter = Literal["max_completion_tokens", "max_tokens"]

_REFUSAL_CODES = frozenset({"content_policy_violation", "content_filter", "invalid_prompt"})
_OVERFLOW_MARKERS = ("context_length_exceeded", "context length", "context size", "context window")


class _Options(TypedDict, total=False):
    temperature: float
    max_completion_tokens: int
    max_tokens: int
    reasoning_effort: ReasoningEffort


class OpenAIProvider:
    """A ``Provider`` for one Chat Completions endpoint.

    ``length_parameter`` names the parameter that limits the reply: OpenAI wants
    ``max_completion_tokens`` (its reasoning models reject ``max_tokens``), while
    OpenAI-compatible servers understand ``max_tokens``. ``reasoning_effort`` is sent when
    set; any effort but ``"none"`` makes OpenAI reject ``temperature``, so it is then left
    out. Set it to ``None`` for models (and servers) that know no reasoning effort.

    OpenAI caches prompt prefixes of 1024 tokens and more by itself; ``prompt_cache_key``
    (a hash of the person's pseudonym, never their id) routes one person's requests to the
    same cache, so their conversation keeps hitting it. Off for compatible servers.
    """

    def __init__(
        self,
        *,
        api_key: str,
        name: str = "openai",
        base_url: str | None = None,
        default_model: str = DEFAULT_MODEL,
        fast_model: str | None = FAST_MODEL,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        length_parameter: LengthParameter = "max_completion_tokens",
        reasoning_effort: ReasoningEffort = "none",
        prompt_cache_key: bool = True,
    ) -> None:
        self._prompt_cache_key = prompt_cache_key
        self.name = name
        self.default_model = default_model
        self.fast_model = fast_model
        self._length_parameter = length_parameter
        self._reasoning_effort = reasoning_effort
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=httpx2.Timeout(read_timeout, connect=connect_timeout),
        )

    async def complete(self, request: ModelRequest, *, model: str | None = None) -> ModelReply:
        chosen = model or self.default_model
        try:
            completion = await self._client.chat.completions.create(
                model=chosen,
                messages=(),
                extra_body=_body(request, self._prompt_cache_key),
                **self._options(request),
            )
        except Exception as error:
            raise classify(error, self.name) from None
        return self._reply(request, completion, chosen)

    async def stream(
        self, request: ModelRequest, *, model: str | None = None
    ) -> AsyncIterator[ModelChunk]:
        """Text deltas, then ``ModelChunk("", reply)``; failures raise mid-iteration."""
        served = model or self.default_model
        parts: list[str] = []
        finish: str | None = None
        usage: TokenUsage | None = None
        async with aclosing(self._chunks(request, served)) as chunks:
            async for chunk in chunks:
                served = chunk.model or served
                usage = _usage(chunk.usage) or usage
                for choice in chunk.choices[:1]:
                    if choice.delta.refusal:
                        raise refused(self.name, "refusal")
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        yield ModelChunk(choice.delta.content)
                    finish = choice.finish_reason or finish
        if finish is None:
            raise unfinished(self.name)
        if finish == "content_filter":
            raise refused(self.name, finish)
        text = "".join(parts)
        reply = finished_reply(request, text, provider=self.name, model=served, usage=usage)
        yield ModelChunk("", reply)

    async def aclose(self) -> None:
        await self._client.close()

    async def _chunks(
        self, request: ModelRequest, model: str
    ) -> AsyncGenerator[ChatCompletionChunk, None]:
        """The SDK's stream of chunks, with every failure classified."""
        try:
            stream = await self._client.chat.completions.create(
                model=model,
                messages=(),
                extra_body=_body(request, self._prompt_cache_key),
                stream=True,
                stream_options={"include_usage": True},
                **self._options(request),
            )
            async with stream:
                async for chunk in stream:
                    yield chunk
        except Exception as error:
            raise classify(error, self.name) from None

    def _options(self, request: ModelRequest) -> _Options:
        options = _Options()
        if self._length_parameter == "max_completion_tokens":
            options["max_completion_tokens"] = request.max_output_tokens
        else:
            options["max_tokens"] = request.max_output_tokens
        if self._reasoning_effort is not None:
            options["reasoning_effort"] = self._reasoning_effort
        if self._reasoning_effort in {None, "none"}:
            options["temperature"] = request.temperature
        return options

    def _reply(self, request: ModelRequest, completion: ChatCompletion, model: str) -> ModelReply:
        if not completion.choices:
            raise ProviderError(ErrorKind.TRANSIENT, self.name, detail="reply without choices")
        choice = completion.choices[0]
        if choice.finish_reason == "content_filter":
            raise refused(self.name, choice.finish_reason)
        if choice.message.refusal:
            raise refused(self.name, "refusal")
        return finished_reply(
            request,
            choice.message.content or "",
            provider=self.name,
            model=completion.model or model,
            usage=_usage(completion.usage),
        )


def classify(error: BaseException, provider: str) -> ProviderError:
    """The one mapping from this SDK's failures to ``ProviderError``.

    HTTP statuses go by ``error_kind_for_status``, refined by OpenAI's error ``code``
    (context length, content policy). Everything else — connection errors and timeouts
    (``APIConnectionError``, ``APITimeoutError``), an error event inside a stream
    (``APIError``), a broken body (``httpx2`` errors, JSON ``ValueError``) — is transient.
    """
    if isinstance(error, ProviderError):
        return error
    if isinstance(error, openai.APIStatusError):
        code = error.code or ""
        return ProviderError(
            _status_kind(error.status_code, code, error.body),
            provider,
            status=error.status_code,
            retry_after=retry_after_seconds(error.response.headers),
            detail=code or type(error).__name__,
        )
    if isinstance(error, openai.APIError) and error.code in _REFUSAL_CODES:
        return refused(provider, error.code or "")
    return ProviderError(ErrorKind.TRANSIENT, provider, detail=type(error).__name__)


def _status_kind(status: int, code: str, body: object) -> ErrorKind:
    if code in _REFUSAL_CODES:
        return ErrorKind.CONTENT_POLICY
    if status == 400:
        said = f"{code} {body.get('message', '') if isinstance(body, dict) else ''}".lower()
        if any(marker in said for marker in _OVERFLOW_MARKERS):
            return ErrorKind.CONTEXT_OVERFLOW
    return error_kind_for_status(status)


def _body(request: ModelRequest, cache_key: bool) -> dict[str, object]:
    """The messages, sent as ``extra_body`` rather than ``messages=``.

    The SDK walks ``messages`` through its TypedDict schemas before sending: ≈3.7 ms of event
    loop time for a 20-turn history (a third of the bot's time per message under load, see
    docs/benchmarks.md), and for plain-text messages its output is its input. ``extra_body``
    puts the same JSON into the request without that walk (``messages=()`` stays empty).
    """
    body: dict[str, object] = {"messages": _messages(request)}
    if cache_key and request.user_ref:
        body["prompt_cache_key"] = cache_key_of(request.user_ref)
    return body


def cache_key_of(user_ref: str) -> str:
    """The ``prompt_cache_key`` of a person: stable, and no pseudonym from the logs."""
    return hashlib.sha256(f"innertalk-prompt-cache\0{user_ref}".encode()).hexdigest()[:32]


def _messages(request: ModelRequest) -> list[ChatCompletionMessageParam]:
    messages: list[ChatCompletionMessageParam] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    for message in request.history:
        if message.role is Role.USER:
            messages.append({"role": "user", "content": message.text})
        else:
            messages.append({"role": "assistant", "content": message.text})
    messages.append({"role": "user", "content": request.prompt_message})
    return messages


def _usage(usage: CompletionUsage | None) -> TokenUsage | None:
    if usage is None:
        return None
    details = usage.prompt_tokens_details
    cached = (details.cached_tokens or 0) if details is not None else 0
    return TokenUsage(usage.prompt_tokens, usage.completion_tokens, cached_input_tokens=cached)
