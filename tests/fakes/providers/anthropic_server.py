"""A loopback Anthropic Messages server.

``POST /v1/messages``, JSON or SSE (``stream: true``): ``message_start``,
``content_block_start``/``_delta``/``_stop`` (a thinking block with an omitted display, as
current models send by default, then the text block), ``message_delta`` with the stop reason
and usage, ``message_stop``. Errors use ``{"type": "error", "error": {"type", "message"}}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from tests.fakes.providers.base import Behaviour, FakeProviderServer, Kind, SseEvent, pieces
from tests.fakes.providers.prompt_cache import CacheUsage, PromptCache, Unit

_ERRORS: dict[tuple[Kind, int], tuple[str, str]] = {
    (Kind.SERVER_ERROR, 500): ("api_error", "Internal server error"),
    (Kind.SERVER_ERROR, 503): ("overloaded_error", "Overloaded"),
    (Kind.SERVER_ERROR, 529): ("overloaded_error", "Overloaded"),
    (Kind.RATE_LIMITED, 429): (
        "rate_limit_error",
        "This request would exceed the rate limit for your organization of 50 requests "
        "per minute.",
    ),
    (Kind.CONTEXT_OVERFLOW, 400): (
        "invalid_request_error",
        "prompt is too long: 1048577 tokens > 1000000 maximum",
    ),
    (Kind.AUTH, 401): ("authentication_error", "invalid x-api-key"),
    (Kind.AUTH, 403): (
        "permission_error",
        "Your API key does not have permission to use the specified resource.",
    ),
}


class AnthropicServer(FakeProviderServer):
    """Messages at ``{root}/v1/messages``; ``base_url`` is what ``AsyncAnthropic`` takes."""

    final_events = 2  # message_delta (stop reason, usage) and message_stop
    leading_events = 6  # message_start, ping, the thinking block, the text block's start

    @property
    def base_url(self) -> str:
        return self.root_url

    def routes(self) -> Sequence[web.RouteDef]:
        return [web.post("/v1/messages", self._messages)]

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        body = await self.json_body(request)
        model, stream = str(body.get("model")), bool(body.get("stream"))
        return await self.serve(request, body, model=model, stream=stream)

    def cache_usage(self, cache: PromptCache, body: dict[str, Any], model: str) -> CacheUsage:
        return cache.at_breakpoints(model, _units(body))

    def error_response(self, behaviour: Behaviour) -> web.Response | None:
        known = _ERRORS.get((behaviour.kind, behaviour.status))
        if known is None:
            return None
        kind, message = known
        body = {
            "type": "error",
            "error": {"type": kind, "message": message},
            "request_id": "req_fake",
        }
        return web.json_response(body, status=behaviour.status, headers={"request-id": "req_fake"})

    def reply_json(self, behaviour: Behaviour, model: str) -> dict[str, Any]:
        refused = behaviour.kind in {Kind.CONTENT_POLICY, Kind.BLOCKED_REPLY}
        text = "" if behaviour.kind is Kind.CONTENT_POLICY else behaviour.text
        content = [_THINKING, {"type": "text", "text": text}] if text else [_THINKING]
        return {
            **_message(model, behaviour),
            "content": content,
            "stop_reason": "refusal" if refused else "end_turn",
            "usage": {**_input_usage(behaviour), "output_tokens": behaviour.output_tokens},
        }

    def stream_events(
        self, behaviour: Behaviour, model: str, body: dict[str, Any]
    ) -> list[SseEvent]:
        refused = behaviour.kind in {Kind.CONTENT_POLICY, Kind.BLOCKED_REPLY}
        text = pieces(behaviour.text)
        if behaviour.kind is Kind.BLOCKED_REPLY:
            text = text[:2]
        elif behaviour.kind is Kind.CONTENT_POLICY:
            text = []
        events = [
            _event("message_start", message=_message(model, behaviour)),
            _event("content_block_start", index=0, content_block=_THINKING),
            _event("ping"),
            _event(
                "content_block_delta",
                index=0,
                delta={"type": "signature_delta", "signature": "c2ln"},
            ),
            _event("content_block_stop", index=0),
        ]
        if text:
            events.append(
                _event("content_block_start", index=1, content_block={"type": "text", "text": ""})
            )
            events += [
                _event("content_block_delta", index=1, delta={"type": "text_delta", "text": piece})
                for piece in text
            ]
            events.append(_event("content_block_stop", index=1))
        stop = {"stop_reason": "refusal" if refused else "end_turn", "stop_sequence": None}
        usage = {"output_tokens": behaviour.output_tokens}
        events += [_event("message_delta", delta=stop, usage=usage), _event("message_stop")]
        return events


_THINKING = {"type": "thinking", "thinking": "", "signature": "c2ln"}


def _units(body: dict[str, Any]) -> list[Unit]:
    """The system blocks, then each message's content blocks, as the cache sees them."""
    blocks: list[Any] = []
    system = body.get("system")
    blocks += [{"type": "text", "text": system}] if isinstance(system, str) else system or []
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        blocks += [{**block, "role": message.get("role")} for block in content or []]
    # the breakpoint itself is not content: a block is the same cached or not
    return [
        Unit.of(
            {k: v for k, v in block.items() if k != "cache_control"},
            breakpoint="cache_control" in block,
        )
        for block in blocks
    ]


def _input_usage(behaviour: Behaviour) -> dict[str, int]:
    """Anthropic's ``input_tokens`` count only what was neither read from nor written to
    the cache."""
    cached = behaviour.cached_tokens + behaviour.cache_write_tokens
    return {
        "input_tokens": behaviour.input_tokens - cached,
        "cache_read_input_tokens": behaviour.cached_tokens,
        "cache_creation_input_tokens": behaviour.cache_write_tokens,
    }


def _message(model: str, behaviour: Behaviour) -> dict[str, Any]:
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {**_input_usage(behaviour), "output_tokens": 1},
    }


def _event(kind: str, **fields: Any) -> SseEvent:
    return SseEvent(json.dumps({"type": kind, **fields}), kind)
