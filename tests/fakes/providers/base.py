"""What every loopback fake provider server shares: scripted faults, recording, HTTP and SSE.

A fake answers each request with the next scripted ``Behaviour`` (``script(...)``), or with
``default`` once the script is used up, and records every request it receives. Subclasses
only know their wire format: the JSON of replies and errors, and the events of a stream.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Self

from aiohttp import web

from tests.fakes.providers.prompt_cache import CacheUsage, PromptCache

DEFAULT_TEXT = "It sounds like today was heavy. What felt hardest about it?"
_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "x-goog-api-key", "api-key"})


class Kind(StrEnum):
    """What the server does with one request."""

    OK = "ok"
    SERVER_ERROR = "server_error"
    RATE_LIMITED = "rate_limited"
    HANG = "hang"
    DISCONNECT = "disconnect"
    CUT_STREAM = "cut_stream"
    INCOMPLETE_STREAM = "incomplete_stream"
    CONTEXT_OVERFLOW = "context_overflow"
    AUTH = "auth"
    CONTENT_POLICY = "content_policy"
    BLOCKED_REPLY = "blocked_reply"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class Behaviour:
    """One scripted answer; build it with the class methods.

    Faults compose with delays through ``dataclasses.replace``, e.g.
    ``replace(Behaviour.server_error(503), latency=0.2)`` answers 503 after 0.2 s.
    """

    kind: Kind = Kind.OK
    text: str = DEFAULT_TEXT
    latency: float = 0.0
    """Seconds before the response headers."""
    first_token_delay: float = 0.0
    """Seconds between the headers of a stream and its first event."""
    status: int = 200
    retry_after: str | None = None
    pieces_before_cut: int = 2
    input_tokens: int = 42
    """The whole prompt, cached part included."""
    output_tokens: int = 17
    cached_tokens: int = 0
    """Of ``input_tokens``, those read from the provider's prompt cache."""
    cache_write_tokens: int = 0
    """Of ``input_tokens``, those written to the cache (Anthropic's cache creation)."""

    @classmethod
    def ok(
        cls, text: str = DEFAULT_TEXT, *, latency: float = 0.0, first_token_delay: float = 0.0
    ) -> Behaviour:
        return cls(Kind.OK, text, latency=latency, first_token_delay=first_token_delay)

    @classmethod
    def server_error(cls, status: int = 500) -> Behaviour:
        return cls(Kind.SERVER_ERROR, status=status)

    @classmethod
    def rate_limited(cls, retry_after: str | None = "7") -> Behaviour:
        """429; ``retry_after`` is the Retry-After header (seconds or an HTTP date)."""
        return cls(Kind.RATE_LIMITED, status=429, retry_after=retry_after)

    @classmethod
    def hang(cls) -> Behaviour:
        """Accept the request and never answer (until the server stops)."""
        return cls(Kind.HANG)

    @classmethod
    def disconnect(cls) -> Behaviour:
        """Accept the request, then close the connection without answering."""
        return cls(Kind.DISCONNECT)

    @classmethod
    def cut_stream(cls, after_pieces: int = 2) -> Behaviour:
        """Stream the first ``after_pieces`` pieces of text, then drop the connection."""
        return cls(Kind.CUT_STREAM, pieces_before_cut=after_pieces)

    @classmethod
    def incomplete_stream(cls) -> Behaviour:
        """End the stream cleanly but without its final event(s)."""
        return cls(Kind.INCOMPLETE_STREAM)

    @classmethod
    def context_overflow(cls) -> Behaviour:
        return cls(Kind.CONTEXT_OVERFLOW, status=400)

    @classmethod
    def auth_error(cls, status: int = 401) -> Behaviour:
        return cls(Kind.AUTH, status=status)

    @classmethod
    def content_policy(cls) -> Behaviour:
        """The provider refuses the request itself (its "request refused" signal)."""
        return cls(Kind.CONTENT_POLICY)

    @classmethod
    def blocked_reply(cls) -> Behaviour:
        """The reply starts, then a safety filter stops it."""
        return cls(Kind.BLOCKED_REPLY)

    @classmethod
    def malformed(cls) -> Behaviour:
        """A 200 whose JSON (or one stream event's JSON) does not parse."""
        return cls(Kind.MALFORMED)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server saw it, credentials removed (only their header names kept)."""

    path: str
    """The path with its query string."""
    model: str
    stream: bool
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    credentials: frozenset[str] = frozenset()
    """Lower-cased names of the credential headers that were sent."""
    credential_digest: str = ""
    """SHA-256 of the credential headers' values (``credential_digest(key)`` of the key sent),
    so a test can tell whose key was used without the fake keeping it."""


@dataclass(frozen=True, slots=True)
class SseEvent:
    data: str
    event: str | None = None

    def encode(self) -> bytes:
        head = f"event: {self.event}\n" if self.event else ""
        return f"{head}data: {self.data}\n\n".encode()


def credential_digest(key: str, *, scheme: str = "Bearer ") -> str:
    """What ``RecordedRequest.credential_digest`` is when ``key`` was sent (OpenAI's header:
    ``Authorization: Bearer <key>``; ``scheme=""`` for providers sending the bare key)."""
    return hashlib.sha256(f"{scheme}{key}".encode()).hexdigest()


def pieces(text: str) -> list[str]:
    """``text`` in word-sized pieces that concatenate back to it."""
    words = text.split(" ")
    return [word if i == len(words) - 1 else f"{word} " for i, word in enumerate(words)]


class FakeProviderServer:
    """An aiohttp server on 127.0.0.1 speaking one provider's protocol, with fault injection.

    Use it as an async context manager (or ``start()``/``stop()``); ``base_url`` is what the
    SDK is given. ``requests`` lists every request received, in order.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.default = Behaviour.ok()
        self.root_url = ""
        self._script: deque[Behaviour] = deque()
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.prompt_cache: PromptCache | None = None
        """Set it (``self.prompt_cache = self.new_cache()``) to count the tokens of each
        request and report cache reads the way the real API does, instead of the
        behaviour's fixed token counts."""

    # -- what subclasses provide -------------------------------------------------------------

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    def routes(self) -> Sequence[web.RouteDef]:
        raise NotImplementedError

    def served_model(self, requested: str) -> str:
        """The model name the server reports for a request of ``requested``."""
        return requested

    def error_response(self, behaviour: Behaviour) -> web.Response | None:
        """The provider's JSON error for ``behaviour``, or ``None`` when it is not an error."""
        raise NotImplementedError

    def reply_json(self, behaviour: Behaviour, model: str) -> dict[str, Any]:
        raise NotImplementedError

    def stream_events(
        self, behaviour: Behaviour, model: str, body: dict[str, Any]
    ) -> list[SseEvent]:
        raise NotImplementedError

    def new_cache(self) -> PromptCache:
        """A prompt cache with this provider's rules (minimum size, steps)."""
        return PromptCache()

    def cache_usage(self, cache: PromptCache, body: dict[str, Any], model: str) -> CacheUsage:
        """What ``cache`` makes of the request ``body`` (its wire format's units)."""
        raise NotImplementedError

    final_events = 1
    """How many trailing stream events an incomplete stream leaves out."""
    leading_events = 0
    """How many stream events come before the first piece of text."""

    # -- scripting ------------------------------------------------------------------------------

    def script(self, *behaviours: Behaviour) -> None:
        """Answer the next requests with ``behaviours``, in order, then with ``default``."""
        self._script.extend(behaviours)

    @property
    def count(self) -> int:
        return len(self.requests)

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.root_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- serving ----------------------------------------------------------------------------------

    async def serve(
        self, request: web.Request, body: dict[str, Any], *, model: str, stream: bool
    ) -> web.StreamResponse:
        """Record ``request`` (whose JSON is ``body``) and answer it with the next behaviour."""
        names = {key.lower() for key in request.headers}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _SECRET_HEADERS}
        credentials = frozenset(names & _SECRET_HEADERS)
        sent = [v for k, v in request.headers.items() if k.lower() in _SECRET_HEADERS]
        digest = hashlib.sha256("\n".join(sent).encode()).hexdigest() if sent else ""
        self.requests.append(
            RecordedRequest(request.path_qs, model, stream, body, headers, credentials, digest)
        )
        behaviour = self._script.popleft() if self._script else self.default
        pause = float("inf") if behaviour.kind is Kind.HANG else behaviour.latency
        if behaviour.kind is Kind.DISCONNECT or not await self._pause(pause):
            self._abort(request)
            return web.Response()
        error = self.error_response(behaviour)
        if error is not None:
            if behaviour.retry_after is not None:
                error.headers["Retry-After"] = behaviour.retry_after
            return error
        served = self.served_model(model)
        if self.prompt_cache is not None:
            usage = self.cache_usage(self.prompt_cache, body, model)
            behaviour = replace(
                behaviour,
                input_tokens=usage.input_tokens,
                cached_tokens=usage.cached_tokens,
                cache_write_tokens=usage.written_tokens,
            )
        if behaviour.kind is Kind.MALFORMED and not stream:
            return web.Response(
                text='{"id": "broken", "choices": [', content_type="application/json"
            )
        if not stream:
            return web.json_response(self.reply_json(behaviour, served))
        events = self.stream_events(behaviour, served, body)
        return await self._stream(request, behaviour, events)

    async def _stream(
        self, request: web.Request, behaviour: Behaviour, events: list[SseEvent]
    ) -> web.StreamResponse:
        if behaviour.kind is Kind.INCOMPLETE_STREAM:
            events = events[: -self.final_events]
        elif behaviour.kind is Kind.MALFORMED:
            events = [events[0], SseEvent('{"broken": ', events[1].event)]
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        if not await self._pause(behaviour.first_token_delay):
            self._abort(request)
            return response
        cut_at = self.leading_events + behaviour.pieces_before_cut
        for index, event in enumerate(events):
            if behaviour.kind is Kind.CUT_STREAM and index == cut_at:
                self._abort(request)
                return response
            await response.write(event.encode())
        await response.write_eof()
        return response

    async def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``, or until the server stops; ``False`` when it stopped first."""
        if seconds <= 0:
            return True
        try:
            await asyncio.wait_for(
                self._stopping.wait(), None if seconds == float("inf") else seconds
            )
        except TimeoutError:
            return True
        return False

    @staticmethod
    def _abort(request: web.Request) -> None:
        """Close the connection abruptly: no status line, or no end of the chunked body.

        Whatever the handler returns afterwards is discarded on the closed socket.
        """
        if request.transport is not None:
            request.transport.abort()

    @staticmethod
    async def json_body(request: web.Request) -> dict[str, Any]:
        """The request's JSON object, or ``{}`` when it is not one."""
        raw = await request.read()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
