"""A loopback Gemini API server (generateContent and streamGenerateContent).

``POST /{v1,v1beta}/models/{model}:generateContent`` answers one ``GenerateContentResponse``;
``:streamGenerateContent?alt=sse`` streams them as ``data: {json}`` events, the last carrying
``finishReason`` and the full ``usageMetadata``. google-genai 3.x calls ``/v1/`` by default.
Errors use Google's ``{"error": {"code", "message", "status", "details"}}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from tests.fakes.providers.base import Behaviour, FakeProviderServer, Kind, SseEvent, pieces
from tests.fakes.providers.prompt_cache import CacheUsage, PromptCache, Unit

_ERRORS: dict[tuple[Kind, int], tuple[str, str]] = {
    (Kind.SERVER_ERROR, 500): (
        "INTERNAL",
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
    ),
    (Kind.SERVER_ERROR, 503): ("UNAVAILABLE", "The model is overloaded. Please try again later."),
    (Kind.RATE_LIMITED, 429): (
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details.",
    ),
    (Kind.CONTEXT_OVERFLOW, 400): (
        "INVALID_ARGUMENT",
        "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
    ),
    (Kind.AUTH, 400): ("INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."),
    (Kind.AUTH, 401): (
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
    ),
    (Kind.AUTH, 403): (
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity).",
    ),
}


class GeminiServer(FakeProviderServer):
    """The Gemini API at ``{root}``; ``base_url`` is ``HttpOptions.base_url``."""

    final_events = 1  # the chunk with finishReason and the final usage

    @property
    def base_url(self) -> str:
        return self.root_url

    def routes(self) -> Sequence[web.RouteDef]:
        return [web.post("/{version}/models/{call}", self._generate)]

    async def _generate(self, request: web.Request) -> web.StreamResponse:
        model, _, method = request.match_info["call"].partition(":")
        if request.match_info["version"] not in {"v1", "v1beta"} or method not in {
            "generateContent",
            "streamGenerateContent",
        }:
            raise web.HTTPNotFound
        stream = method == "streamGenerateContent"
        if stream and request.query.get("alt") != "sse":
            raise web.HTTPBadRequest(text="this fake streams only with alt=sse")
        body = await self.json_body(request)
        return await self.serve(request, body, model=model, stream=stream)

    def cache_usage(self, cache: PromptCache, body: dict[str, Any], model: str) -> CacheUsage:
        """Implicit caching: the system instruction and the contents, in order."""
        system = body.get("systemInstruction") or body.get("system_instruction")
        contents = body.get("contents") or []
        units = ([Unit.of(system)] if system else []) + [Unit.of(c) for c in contents]
        return cache.automatic(model, units)

    def error_response(self, behaviour: Behaviour) -> web.Response | None:
        known = _ERRORS.get((behaviour.kind, behaviour.status))
        if known is None:
            return None
        status, message = known
        error: dict[str, Any] = {"code": behaviour.status, "message": message, "status": status}
        if behaviour.kind is Kind.AUTH and behaviour.status == 400:
            error["details"] = [_error_info("API_KEY_INVALID")]
        if behaviour.kind is Kind.RATE_LIMITED and (behaviour.retry_after or "").isdigit():
            retry = {"@type": "type.googleapis.com/google.rpc.RetryInfo"}
            error["details"] = [{**retry, "retryDelay": f"{behaviour.retry_after}s"}]
        return web.json_response({"error": error}, status=behaviour.status)

    def reply_json(self, behaviour: Behaviour, model: str) -> dict[str, Any]:
        if behaviour.kind is Kind.CONTENT_POLICY:
            return _prompt_blocked(behaviour, model)
        if behaviour.kind is Kind.BLOCKED_REPLY:
            return _response(model, _usage(behaviour), finish="SAFETY")
        return _response(model, _usage(behaviour), text=behaviour.text, finish="STOP")

    def stream_events(
        self, behaviour: Behaviour, model: str, body: dict[str, Any]
    ) -> list[SseEvent]:
        if behaviour.kind is Kind.CONTENT_POLICY:
            return [SseEvent(json.dumps(_prompt_blocked(behaviour, model)))]
        text = pieces(behaviour.text)
        if behaviour.kind is Kind.BLOCKED_REPLY:
            text = text[:2]
        prompt_only = {"promptTokenCount": behaviour.input_tokens}
        chunks = [_response(model, prompt_only, text=piece) for piece in text]
        finish = "SAFETY" if behaviour.kind is Kind.BLOCKED_REPLY else "STOP"
        chunks.append(_response(model, _usage(behaviour), finish=finish))
        return [SseEvent(json.dumps(chunk)) for chunk in chunks]


def _response(
    model: str, usage: dict[str, int], *, text: str | None = None, finish: str | None = None
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"index": 0}
    if text is not None:
        candidate["content"] = {"role": "model", "parts": [{"text": text}]}
    if finish is not None:
        candidate["finishReason"] = finish
    if finish == "SAFETY":
        candidate["safetyRatings"] = [
            {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}
        ]
    return {
        "candidates": [candidate],
        "usageMetadata": usage,
        "modelVersion": model,
        "responseId": "fake-response",
    }


def _prompt_blocked(behaviour: Behaviour, model: str) -> dict[str, Any]:
    return {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": behaviour.input_tokens},
        "modelVersion": model,
        "responseId": "fake-response",
    }


def _usage(behaviour: Behaviour) -> dict[str, int]:
    usage = {
        "promptTokenCount": behaviour.input_tokens,
        "candidatesTokenCount": behaviour.output_tokens,
        "totalTokenCount": behaviour.input_tokens + behaviour.output_tokens,
    }
    if behaviour.cached_tokens:  # Gemini leaves the field out when nothing was cached
        usage["cachedContentTokenCount"] = behaviour.cached_tokens
    return usage


def _error_info(reason: str) -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": "generativelanguage.googleapis.com"},
    }
