"""``AnthropicProvider``: the Anthropic Messages API through ``anthropic.AsyncAnthropic``.

The SDK's own retries are off (``max_retries=0``) and so is its OpenTelemetry tracing, whose
content mode an environment variable could switch on: no message text leaves through it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import replace
from typing import Literal

import anthropic
import httpx2
from anthropic.types import (
    AssistantMessageParam,
    CacheControlEphemeralParam,
    Message,
    MessageDeltaUsage,
    MessageParam,
    OutputConfigParam,
    RawContentBlockDeltaEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
    RawMessageStopEvent,
    RawMessageStreamEvent,
    TextBlock,
    TextBlockParam,
    TextDelta,
    Usage,
    UserMessageParam,
)

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

DEFAULT_MODEL = models.ANTHROPIC_DEFAULT
FAST_MODEL = models.ANTHROPIC_FAST

Effort = Literal["low", "medium", "high", "xhigh", "max"]

_REFUSALS = frozenset({"refusal"})
_OVERFLOW_MARKERS = ("prompt is too long", "context window")
_EVENT_ERRORS = {
    "rate_limit_error": ErrorKind.RATE_LIMITED,
    "authentication_error": ErrorKind.AUTH,
    "permission_error": ErrorKind.AUTH,
    "invalid_request_error": ErrorKind.BAD_REQUEST,
}


class AnthropicProvider:
    """A ``Provider`` for Anthropic.

    Current Claude models think adaptively by default and reject non-default sampling
    parameters with a 400 (the SDK no longer even offers ``temperature``), so the request's
    temperature is not sent; ``effort`` (``output_config.effort``; ``None`` leaves it out,
    for models without it) keeps the thinking short for a conversational reply. Only text
    blocks become the reply: thinking blocks are skipped.

    Anthropic caches a prompt only up to ``cache_control`` breakpoints (at most four): one ends
    the system prompt, one the session's pinned opening, one the history before the newest
    message. The next request's history extends this one's, so it reads them from the cache
    and pays full price only for the new turns; right after a fold, when the turns after the
    opening changed, it still reads the system prompt and the opening.
    ``cache_breakpoints=False`` sends none (the cost benchmark's *before*).
    """

    def __init__(
        self,
        *,
        api_key: str,
        name: str = "anthropic",
        base_url: str | None = None,
        default_model: str = DEFAULT_MODEL,
        fast_model: str | None = FAST_MODEL,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        effort: Effort | None = "low",
        cache_breakpoints: bool = True,
    ) -> None:
        self._breakpoint = _BREAKPOINT if cache_breakpoints else None
        self.name = name
        self.default_model = default_model
        self.fast_model = fast_model
        self._effort: Effort | None = effort
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=httpx2.Timeout(read_timeout, connect=connect_timeout),
            open_telemetry=False,
        )

    async def complete(self, request: ModelRequest, *, model: str | None = None) -> ModelReply:
        chosen = model or self.default_model
        try:
            message = await self._client.messages.create(
                model=chosen,
                max_tokens=request.max_output_tokens,
                system=_system(request, self._breakpoint),
                messages=_messages(request, self._breakpoint),
                output_config=self._output_config(),
            )
        except Exception as error:
            raise classify(error, self.name) from None
        return self._reply(request, message, chosen)

    async def stream(
        self, request: ModelRequest, *, model: str | None = None
    ) -> AsyncIterator[ModelChunk]:
        """Text deltas, then ``ModelChunk("", reply)``; failures raise mid-iteration."""
        served = model or self.default_model
        parts: list[str] = []
        usage: TokenUsage | None = None
        output_tokens = 0
        stop_reason: str | None = None
        stopped = False
        async with aclosing(self._events(request, served)) as events:
            async for event in events:
                if isinstance(event, RawMessageStartEvent):
                    served = event.message.model or served
                    usage = _usage(event.message.usage)
                elif isinstance(event, RawContentBlockDeltaEvent):
                    if isinstance(event.delta, TextDelta) and event.delta.text:
                        parts.append(event.delta.text)
                        yield ModelChunk(event.delta.text)
                elif isinstance(event, RawMessageDeltaEvent):
                    stop_reason = event.delta.stop_reason or stop_reason
                    output_tokens = event.usage.output_tokens
                    usage = _delta_usage(event.usage, usage)
                elif isinstance(event, RawMessageStopEvent):
                    stopped = True
        if not stopped:
            raise unfinished(self.name)
        if stop_reason in _REFUSALS:
            raise refused(self.name, stop_reason or "")
        usage = replace(usage, output_tokens=output_tokens) if usage and output_tokens else None
        text = "".join(parts)
        yield ModelChunk(
            "", finished_reply(request, text, provider=self.name, model=served, usage=usage)
        )

    async def aclose(self) -> None:
        await self._client.close()

    async def _events(
        self, request: ModelRequest, model: str
    ) -> AsyncGenerator[RawMessageStreamEvent, None]:
        """The SDK's stream of events, with every failure classified."""
        try:
            stream = await self._client.messages.create(
                model=model,
                max_tokens=request.max_output_tokens,
                system=_system(request, self._breakpoint),
                messages=_messages(request, self._breakpoint),
                output_config=self._output_config(),
                stream=True,
            )
            async with stream:
                async for event in stream:
                    yield event
        except Exception as error:
            raise classify(error, self.name) from None

    def _output_config(self) -> OutputConfigParam | anthropic.Omit:
        return anthropic.omit if self._effort is None else {"effort": self._effort}

    def _reply(self, request: ModelRequest, message: Message, model: str) -> ModelReply:
        if message.stop_reason in _REFUSALS:
            raise refused(self.name, message.stop_reason or "")
        text = "".join(block.text for block in message.content if isinstance(block, TextBlock))
        usage = _usage(message.usage)
        return finished_reply(
            request, text, provider=self.name, model=message.model or model, usage=usage
        )


def classify(error: BaseException, provider: str) -> ProviderError:
    """The one mapping from this SDK's failures to ``ProviderError``.

    HTTP statuses go by ``error_kind_for_status``, refined by the message ("prompt is too
    long" is a context overflow). An ``error`` event inside a 200 stream goes by its error
    type. Everything else — ``APIConnectionError``, ``APITimeoutError``, a connection broken
    mid-stream (raw ``httpx2`` errors: this SDK does not wrap them while streaming), JSON
    that does not parse (``ValueError``) — is transient.
    """
    if isinstance(error, ProviderError):
        return error
    if isinstance(error, anthropic.APIStatusError):
        status = error.status_code if error.status_code >= 400 else None
        return ProviderError(
            _status_kind(error),
            provider,
            status=status,
            retry_after=retry_after_seconds(error.response.headers),
            detail=str(error.type or type(error).__name__),
        )
    return ProviderError(ErrorKind.TRANSIENT, provider, detail=type(error).__name__)


def _status_kind(error: anthropic.APIStatusError) -> ErrorKind:
    if error.status_code < 400:
        return _EVENT_ERRORS.get(str(error.type), ErrorKind.TRANSIENT)
    said = (error.api_message or "").lower()
    if error.status_code == 400 and any(marker in said for marker in _OVERFLOW_MARKERS):
        return ErrorKind.CONTEXT_OVERFLOW
    return error_kind_for_status(error.status_code)


_BREAKPOINT = CacheControlEphemeralParam(type="ephemeral")


def _system(
    request: ModelRequest, breakpoint: CacheControlEphemeralParam | None
) -> list[TextBlockParam] | anthropic.Omit:
    if not request.system:
        return anthropic.omit
    block = TextBlockParam(type="text", text=request.system)
    if breakpoint is not None:
        block["cache_control"] = breakpoint
    return [block]


def _messages(
    request: ModelRequest, breakpoint: CacheControlEphemeralParam | None
) -> list[MessageParam]:
    """The history, then the newest message. The pinned opening's last message and the
    history's last are cache breakpoints: the first is repeated by every later request of the
    session (also right after a fold), the second by the next one."""
    messages: list[MessageParam] = []
    marked = {request.pinned - 1, len(request.history) - 1}
    for index, message in enumerate(request.history):
        block = TextBlockParam(type="text", text=message.text)
        if index in marked and breakpoint is not None:
            block["cache_control"] = breakpoint
        if message.role is Role.USER:
            messages.append(UserMessageParam(role="user", content=[block]))
        else:
            messages.append(AssistantMessageParam(role="assistant", content=[block]))
    messages.append(UserMessageParam(role="user", content=request.prompt_message))
    return messages


def _usage(usage: Usage | MessageDeltaUsage) -> TokenUsage:
    """Anthropic's ``input_tokens`` leave out cache reads and writes; ours include them."""
    read = usage.cache_read_input_tokens or 0
    written = usage.cache_creation_input_tokens or 0
    return TokenUsage(
        (usage.input_tokens or 0) + read + written,
        usage.output_tokens,
        cached_input_tokens=read,
        cache_write_tokens=written,
    )


def _delta_usage(delta: MessageDeltaUsage, started: TokenUsage | None) -> TokenUsage | None:
    """``message_delta`` may repeat the input counts (cumulative); they win when present."""
    return started if delta.input_tokens is None else _usage(delta)
