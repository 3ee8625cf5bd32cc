"""A loopback OpenAI Chat Completions server (also what every OpenAI-compatible server speaks).

``POST /v1/chat/completions``, JSON or SSE (``stream: true``): ``data: {chunk}`` events with
``choices[0].delta.content``, a chunk with ``finish_reason``, a usage chunk when
``stream_options.include_usage`` is set, then ``data: [DONE]``. Errors use OpenAI's shape
``{"error": {"message", "type", "param", "code"}}``.

``POST /v1/moderations`` answers with one result flagging the categories in ``flagged``
(scripted faults and latency apply to it as to completions).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from tests.fakes.providers.base import Behaviour, FakeProviderServer, Kind, SseEvent, pieces
from tests.fakes.providers.prompt_cache import CacheUsage, PromptCache, Unit

_ERRORS: dict[tuple[Kind, int], tuple[str, str, str | None]] = {
    (Kind.SERVER_ERROR, 500): (
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    ),
    (Kind.SERVER_ERROR, 503): (
        "The engine is currently overloaded, please try again later.",
        "server_error",
        None,
    ),
    (Kind.RATE_LIMITED, 429): (
        "Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1.",
        "requests",
        "rate_limit_exceeded",
    ),
    (Kind.CONTEXT_OVERFLOW, 400): (
        "This model's maximum context length is 128000 tokens. However, your messages "
        "resulted in 131072 tokens. Please reduce the length of the messages.",
        "invalid_request_error",
        "context_length_exceeded",
    ),
    (Kind.AUTH, 401): (
        "Incorrect API key provided: sk-test****. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
    ),
    (Kind.AUTH, 403): (
        "Project does not have access to model.",
        "invalid_request_error",
        "model_not_found",
    ),
    (Kind.CONTENT_POLICY, 400): (
        "Your request was rejected as a result of our safety system.",
        "invalid_request_error",
        "content_policy_violation",
    ),
}


class OpenAIServer(FakeProviderServer):
    """Chat Completions at ``{root}/v1``; ``base_url`` is what ``AsyncOpenAI`` takes."""

    final_events = 3  # the finish chunk, the usage chunk (when asked for) and [DONE]
    leading_events = 1  # the chunk that names the role

    def __init__(self) -> None:
        super().__init__()
        self.flagged: set[str] = set()
        """Moderation categories ``/v1/moderations`` flags, e.g. ``self-harm/intent``."""

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/v1"

    def routes(self) -> Sequence[web.RouteDef]:
        return [
            web.post("/v1/chat/completions", self._completions),
            web.post("/v1/moderations", self._moderations),
        ]

    def served_model(self, requested: str) -> str:
        return f"{requested}-2026-11-01"

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await self.json_body(request)
        model, stream = str(body.get("model")), bool(body.get("stream"))
        return await self.serve(request, body, model=model, stream=stream)

    async def _moderations(self, request: web.Request) -> web.StreamResponse:
        body = await self.json_body(request)
        model = str(body.get("model") or "omni-moderation-latest")
        return await self.serve(request, body, model=model, stream=False)

    def new_cache(self) -> PromptCache:
        """OpenAI caches prompts of 1024 tokens and more, hits counted in 128-token steps."""
        return PromptCache(min_tokens=1024, step=128)

    def cache_usage(self, cache: PromptCache, body: dict[str, Any], model: str) -> CacheUsage:
        key = f"{model}\0{body.get('prompt_cache_key') or ''}"
        return cache.automatic(key, [Unit.of(m) for m in body.get("messages") or []])

    def error_response(self, behaviour: Behaviour) -> web.Response | None:
        status = 400 if behaviour.kind is Kind.CONTENT_POLICY else behaviour.status
        known = _ERRORS.get((behaviour.kind, status))
        if known is None:
            return None
        message, kind, code = known
        error = {"message": message, "type": kind, "param": None, "code": code}
        return web.json_response({"error": error}, status=status)

    def reply_json(self, behaviour: Behaviour, model: str) -> dict[str, Any]:
        if "moderation" in model:  # only moderation models answer /v1/moderations
            return moderation_answer(model, self.flagged)
        blocked = behaviour.kind is Kind.BLOCKED_REPLY
        message = {"role": "assistant", "content": None if blocked else behaviour.text}
        return {
            **_envelope(model, "chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "message": {**message, "refusal": None, "annotations": []},
                    "logprobs": None,
                    "finish_reason": "content_filter" if blocked else "stop",
                }
            ],
            "usage": _usage(behaviour),
            "system_fingerprint": "fp_fake",
        }

    def stream_events(
        self, behaviour: Behaviour, model: str, body: dict[str, Any]
    ) -> list[SseEvent]:
        text = pieces(behaviour.text)
        if behaviour.kind is Kind.BLOCKED_REPLY:
            text = text[:2]
        deltas = [{"role": "assistant", "content": ""}] + [{"content": t} for t in text]
        chunks = [_chunk(model, delta, None) for delta in deltas]
        reason = "content_filter" if behaviour.kind is Kind.BLOCKED_REPLY else "stop"
        chunks.append(_chunk(model, {}, reason))
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = _usage(behaviour)
            chunks.append(
                {**_envelope(model, "chat.completion.chunk"), "choices": [], "usage": usage}
            )
        return [SseEvent(json.dumps(chunk)) for chunk in chunks] + [SseEvent("[DONE]")]


MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


def moderation_answer(model: str, flagged: set[str]) -> dict[str, Any]:
    """OpenAI's moderation answer for one text input."""
    categories = {name: name in flagged for name in MODERATION_CATEGORIES}
    result = {
        "flagged": bool(flagged),
        "categories": categories,
        "category_scores": {name: 0.9 if hit else 0.001 for name, hit in categories.items()},
        "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES},
    }
    return {"id": "modr-fake", "model": model, "results": [result]}


def _envelope(model: str, kind: str) -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": kind, "created": 1_764_000_000, "model": model}


def _chunk(model: str, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
    return {**_envelope(model, "chat.completion.chunk"), "choices": [choice], "usage": None}


def _usage(behaviour: Behaviour) -> dict[str, Any]:
    return {
        "prompt_tokens": behaviour.input_tokens,
        "completion_tokens": behaviour.output_tokens,
        "total_tokens": behaviour.input_tokens + behaviour.output_tokens,
        "prompt_tokens_details": {"cached_tokens": behaviour.cached_tokens, "audio_tokens": 0},
    }
