"""``GeminiProvider``: the Gemini API through ``google.genai`` (``Client(...).aio``).

No retries: ``HttpRetryOptions(attempts=1)`` makes the SDK's tenacity loop a single attempt,
and ``automatic_continuation=False`` stops it from re-requesting a stream that broke before
its final chunk. The SDK runs on our own ``httpx2`` client: its aiohttp transport (used
whenever aiohttp is installed, as it is here) would retry connection errors on its own after
sleeping 1-10 s, and knows only a total timeout.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any

import httpx2
from google import genai
from google.genai import errors, types

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

DEFAULT_MODEL = models.GEMINI_DEFAULT
FAST_MODEL = models.GEMINI_FAST

_BLOCKING_FINISHES = frozenset(
    {
        types.FinishReason.SAFETY,
        types.FinishReason.RECITATION,
        types.FinishReason.BLOCKLIST,
        types.FinishReason.PROHIBITED_CONTENT,
        types.FinishReason.SPII,
        types.FinishReason.MODEL_ARMOR,
    }
)
_OVERFLOW_MARKERS = ("exceeds the maximum number of tokens", "input token count")


class _Deadlines(httpx2.AsyncHTTPTransport):
    """Puts our connect and read timeouts on every request.

    google-genai gives each request its own timeout: none at all unless
    ``HttpOptions.timeout`` is set, and then one number for every phase, also sent to the
    server as a deadline for the whole answer. The transport has the last word.
    """

    def __init__(self, timeout: httpx2.Timeout) -> None:
        super().__init__()
        self._timeout = timeout.as_dict()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        request.extensions = {**request.extensions, "timeout": self._timeout}
        return await super().handle_async_request(request)


class GeminiProvider:
    """A ``Provider`` for the Gemini API.

    ``thinking_level`` (``None`` leaves it out, for models without levels) keeps Gemini 3's
    thinking short for a conversational reply; thought parts never become reply text.
    """

    def __init__(
        self,
        *,
        api_key: str,
        name: str = "gemini",
        base_url: str | None = None,
        default_model: str = DEFAULT_MODEL,
        fast_model: str | None = FAST_MODEL,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        thinking_level: types.ThinkingLevel | None = types.ThinkingLevel.LOW,
    ) -> None:
        self.name = name
        self.default_model = default_model
        self.fast_model = fast_model
        self._thinking_level = thinking_level
        timeout = httpx2.Timeout(read_timeout, connect=connect_timeout)
        self._http = httpx2.AsyncClient(transport=_Deadlines(timeout))
        options = types.HttpOptions(
            base_url=base_url,
            retry_options=types.HttpRetryOptions(attempts=1),
            httpx_async_client=self._http,
        )
        self._client = genai.Client(vertexai=False, api_key=api_key, http_options=options)

    async def complete(self, request: ModelRequest, *, model: str | None = None) -> ModelReply:
        chosen = model or self.default_model
        try:
            response = await self._client.aio.models.generate_content(
                model=chosen, contents=_contents(request), config=self._config(request)
            )
        except Exception as error:
            raise classify(error, self.name) from None
        if (reason := _blocked(response)) is not None:
            raise refused(self.name, reason)
        return finished_reply(
            request,
            _text(response),
            provider=self.name,
            model=response.model_version or chosen,
            usage=_usage(response),
        )

    async def stream(
        self, request: ModelRequest, *, model: str | None = None
    ) -> AsyncIterator[ModelChunk]:
        """Text deltas, then ``ModelChunk("", reply)``; failures raise mid-iteration."""
        served = model or self.default_model
        parts: list[str] = []
        usage: TokenUsage | None = None
        finished = False
        async with aclosing(self._responses(request, served)) as responses:
            async for response in responses:
                if (reason := _blocked(response)) is not None:
                    raise refused(self.name, reason)
                served = response.model_version or served
                usage = _usage(response) or usage
                if text := _text(response):
                    parts.append(text)
                    yield ModelChunk(text)
                finished = finished or bool(
                    response.candidates and response.candidates[0].finish_reason
                )
        if not finished:
            raise unfinished(self.name)
        text = "".join(parts)
        yield ModelChunk(
            "", finished_reply(request, text, provider=self.name, model=served, usage=usage)
        )

    async def aclose(self) -> None:
        await self._client.aio.aclose()
        self._client.close()
        await self._http.aclose()

    async def _responses(
        self, request: ModelRequest, model: str
    ) -> AsyncGenerator[types.GenerateContentResponse, None]:
        """The SDK's stream of partial responses, with every failure classified."""
        try:
            stream = await self._client.aio.models.generate_content_stream(
                model=model, contents=_contents(request), config=self._config(request)
            )
            async for response in stream:
                yield response
        except Exception as error:
            raise classify(error, self.name) from None

    def _config(self, request: ModelRequest) -> types.GenerateContentConfig:
        thinking = None
        if self._thinking_level is not None:
            thinking = types.ThinkingConfig(thinking_level=self._thinking_level)
        return types.GenerateContentConfig(
            system_instruction=request.system or None,
            max_output_tokens=request.max_output_tokens,
            temperature=request.temperature,
            thinking_config=thinking,
            automatic_continuation=False,
        )


def classify(error: BaseException, provider: str) -> ProviderError:
    """The one mapping from this SDK's failures to ``ProviderError``.

    ``errors.APIError`` (``ClientError``, ``ServerError``, and error chunks inside a stream)
    goes by its HTTP code, refined by Google's status and message: a 400 that names the
    token limit is a context overflow, an invalid API key (a 400 here) or a project that
    cannot use the API (``FAILED_PRECONDITION``) is auth. Retry-After comes from the
    response headers, else from the body's ``RetryInfo.retryDelay``. Everything else —
    ``httpx2`` connect/read/protocol errors, JSON that does not parse
    (``UnknownApiResponseError`` and pydantic errors are ``ValueError``\\ s) — is transient.
    """
    if isinstance(error, ProviderError):
        return error
    if isinstance(error, errors.APIError):
        code = error.code if isinstance(error.code, int) else 0
        headers = getattr(getattr(error, "response", None), "headers", None)
        return ProviderError(
            _status_kind(error, code),
            provider,
            status=code if code >= 400 else None,
            retry_after=retry_after_seconds(headers) or _retry_delay(error.details),
            detail=str(error.status or type(error).__name__),
        )
    return ProviderError(ErrorKind.TRANSIENT, provider, detail=type(error).__name__)


def _status_kind(error: errors.APIError, code: int) -> ErrorKind:
    if code == 400:
        said = (error.message or "").lower()
        if "api key not valid" in said or "API_KEY_INVALID" in str(error.details):
            return ErrorKind.AUTH
        if error.status == "FAILED_PRECONDITION":
            return ErrorKind.AUTH
        if any(marker in said for marker in _OVERFLOW_MARKERS):
            return ErrorKind.CONTEXT_OVERFLOW
    return error_kind_for_status(code)


def _retry_delay(details: Any) -> float | None:
    body = details.get("error", details) if isinstance(details, dict) else {}
    for item in body.get("details") or []:
        delay = item.get("retryDelay") if isinstance(item, dict) else None
        if isinstance(delay, str) and delay.endswith("s"):
            return retry_after_seconds({"retry-after": delay[:-1]})
    return None


def _contents(request: ModelRequest) -> list[types.Content]:
    """The history and the newest message; messages of one role in a row (the rolling
    summary's note before the person's turn) become one content of several parts, since
    Gemini expects the roles to alternate."""
    contents: list[types.Content] = []
    said = [(message.role, message.text) for message in request.history]
    for role, text in [*said, (Role.USER, request.prompt_message)]:
        name = "user" if role is Role.USER else "model"
        part = types.Part(text=text)
        if contents and contents[-1].role == name and contents[-1].parts is not None:
            contents[-1].parts.append(part)
        else:
            contents.append(types.Content(role=name, parts=[part]))
    return contents


def _blocked(response: types.GenerateContentResponse) -> str | None:
    """Why Gemini blocked the prompt or stopped the reply, or ``None``."""
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        return str(feedback.block_reason.value)
    finish = response.candidates[0].finish_reason if response.candidates else None
    return finish.value if finish in _BLOCKING_FINISHES and finish is not None else None


def _text(response: types.GenerateContentResponse) -> str:
    if not response.candidates or response.candidates[0].content is None:
        return ""
    parts = response.candidates[0].content.parts or []
    return "".join(part.text for part in parts if part.text and not part.thought)


def _usage(response: types.GenerateContentResponse) -> TokenUsage | None:
    metadata = response.usage_metadata
    if metadata is None or metadata.candidates_token_count is None:
        return None
    output = metadata.candidates_token_count + (metadata.thoughts_token_count or 0)
    cached = metadata.cached_content_token_count or 0  # implicit caching; part of the prompt
    return TokenUsage(metadata.prompt_token_count or 0, output, cached_input_tokens=cached)
