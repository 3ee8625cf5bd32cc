"""Lean loopback peers for ``bench.load``: a Bot API, a model server, a webhook client.

The test fakes (``tests/fakes``) validate every request the way Telegram and the providers
would, which is what tests need and far too slow to stand beside a bot answering 1,000
messages a second on the same two cores. These speak just enough HTTP/1.1 on raw asyncio
protocols: keep-alive connections, ``Content-Length`` bodies (all that aiohttp's and httpx's
clients send here), one request at a time per connection (neither client pipelines).

Every message of a run has a number ``n``. Its update carries ``message_id = n`` and the text
ends with ``[ref<n>]``; the fake model echoes ``(ref<n>)`` in its reply and times its own work
per ``n``; the fake Bot API notes when the reply (a ``sendMessage`` with the tag and the
feedback keyboard) and the first ``sendMessageDraft`` (``draft_id = n``) arrive. The ``Ledger``
holds those times.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes.providers.openai_server import moderation_answer

TAG = re.compile(r"ref(\d+)")
now = time.perf_counter


# -- the record of a run ---------------------------------------------------------------------


@dataclass
class Ledger:
    """When each message was due, sent, shown as a draft, answered; the model's time on it."""

    due: dict[int, float] = field(default_factory=dict)
    """When the message was meant to be sent (open loop: its arrival time)."""
    sent: dict[int, float] = field(default_factory=dict)
    """When its webhook POST was written."""
    status: dict[int, int] = field(default_factory=dict)
    """The webhook's HTTP status."""
    drafted: dict[int, float] = field(default_factory=dict)
    """The first ``sendMessageDraft`` for it (Telegram's "Thinking…")."""
    replied: dict[int, float] = field(default_factory=dict)
    """The first ``sendMessage`` carrying its tag and the feedback keyboard."""
    replies: Counter[int] = field(default_factory=Counter)
    model_seconds: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    """The fake model's own time: request read → response written (latency included)."""
    model_calls: Counter[int] = field(default_factory=Counter)
    untagged_model_calls: int = 0
    moderation_calls: int = 0
    """Third opinions asked (``SAFETY_OPINION=auto`` with OpenAI: its moderation endpoint)."""
    other_messages: int = 0
    """``sendMessage`` calls that are not a tagged reply (apologies, notices, limits)."""
    calls: Counter[str] = field(default_factory=Counter)
    """Bot API calls by method."""
    waiters: dict[int, asyncio.Future[float]] = field(default_factory=dict)
    """Closed-loop senders wait here for a message's reply."""

    def reply(self, number: int, at: float) -> None:
        self.replies[number] += 1
        if number not in self.replied:
            self.replied[number] = at
            waiter = self.waiters.pop(number, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(at)


# -- a minimal HTTP/1.1 server ---------------------------------------------------------------

Respond = Callable[[int, str, bytes], None]
"""``respond(status, content_type, body)``: answers the request (now or later)."""
Handler = Callable[[str, str, bytes, Respond], None]
"""``handler(method, path, body, respond)``."""

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}


class _ServerConnection(asyncio.Protocol):
    def __init__(self, handler: Handler, open_ones: set[asyncio.Transport]) -> None:
        self._handler = handler
        self._open = open_ones
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._open.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._open.discard(self._transport)
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                lowered = name.strip().lower()
                if lowered == "content-length":
                    length = int(value)
                elif lowered == "transfer-encoding":
                    raise ValueError("chunked request bodies are not supported")
            total = end + 4 + length
            if len(self._buffer) < total:
                return
            body = bytes(self._buffer[end + 4 : total])
            del self._buffer[:total]
            self._handler(method, path, body, self._respond)

    def _respond(self, status: int, content_type: str, body: bytes) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self._transport.write(head.encode("latin-1") + body)


class HttpServer:
    """``handler`` served on 127.0.0.1 at a free port."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Transport] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _ServerConnection(self._handler, self._connections),
            "127.0.0.1",
            0,
            backlog=1024,
        )
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for transport in list(self._connections):
                transport.close()
            await self._server.wait_closed()


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


# -- the Bot API -----------------------------------------------------------------------------


class FakeBotApi:
    """What ``innertalk bot`` calls on Telegram, answered at once; replies go to the ledger."""

    def __init__(self, token: str, ledger: Ledger) -> None:
        self.token = token
        self.ledger = ledger
        self.server = HttpServer(self._handle)
        self.webhook = asyncio.Event()
        self.webhook_secret = ""
        self._bot_user = {
            "id": int(token.split(":")[0]), "is_bot": True, "first_name": "InnerTalk",
            "username": "innertalk_load_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
        }  # fmt: skip
        self._message_id = 0
        self._true = _json({"ok": True, "result": True})

    def _handle(self, method: str, path: str, body: bytes, respond: Respond) -> None:
        at = now()
        name = path.rsplit("/", 1)[-1]
        self.ledger.calls[name] += 1
        params = dict(parse_qsl(body.decode())) if body else {}
        result: Any = True
        if name == "sendMessageDraft":
            number = int(params.get("draft_id", 0))
            self.ledger.drafted.setdefault(number, at)
        elif name == "sendMessage":
            text = params.get("text", "")
            found = TAG.search(text)
            if found and "callback_data" in params.get("reply_markup", ""):
                self.ledger.reply(int(found.group(1)), at)
            else:
                self.ledger.other_messages += 1
            self._message_id += 1
            chat = {"id": int(params.get("chat_id", 0)), "type": "private", "first_name": "U"}
            result = {
                "message_id": self._message_id, "date": int(time.time()), "chat": chat,
                "from": self._bot_user, "text": text,
            }  # fmt: skip
        elif name == "getMe":
            result = self._bot_user
        elif name == "setWebhook":
            self.webhook_secret = params.get("secret_token", "")
            self.webhook.set()
        if result is True:
            respond(200, "application/json", self._true)
        else:
            respond(200, "application/json", _json({"ok": True, "result": result}))


# -- the model -------------------------------------------------------------------------------

REPLY_HEAD = (
    "It sounds like today asked a lot of you, and you kept going anyway. **That counts.** "
    "When the evenings feel this heavy, it can help to notice one small thing that went "
    "a little better than expected, even if it was only a quiet cup of tea. "
)
REPLY_TAIL = (
    " What felt hardest about it, and what would you like to be different tomorrow? "
    "We can take it one step at a time."
)


def _words(text: str) -> list[str]:
    """``text`` in the pieces a real model streams it in: about a word (a token) each."""
    return [f"{word} " for word in text.split(" ") if word]


_HEAD_WORDS, _TAIL_WORDS = _words(REPLY_HEAD), _words(REPLY_TAIL)


class FakeModel:
    """OpenAI Chat Completions (``stream`` or not) after ``latency`` seconds; times itself."""

    def __init__(self, ledger: Ledger, latency: float = 0.0) -> None:
        self.ledger = ledger
        self.latency = latency
        self.server = HttpServer(self._handle)

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/v1"

    def _handle(self, method: str, path: str, body: bytes, respond: Respond) -> None:
        received = now()
        request = json.loads(body)
        if path.endswith("/moderations"):  # the third opinion, beside the reply: at once
            self.ledger.moderation_calls += 1
            respond(200, "application/json", _moderation(str(request.get("model", ""))))
            return
        last = request["messages"][-1]["content"]
        found = TAG.search(last if isinstance(last, str) else "")
        number = int(found.group(1)) if found else 0
        if self.latency > 0:
            asyncio.get_running_loop().call_later(
                self.latency, self._answer, request, number, received, respond
            )
        else:
            self._answer(request, number, received, respond)

    def _answer(
        self, request: dict[str, Any], number: int, received: float, respond: Respond
    ) -> None:
        model = str(request.get("model", "fake"))
        tag = f"(ref{number})" if number else "(summary)"
        if request.get("stream"):
            respond(200, "text/event-stream", _stream(model, [*_HEAD_WORDS, tag, *_TAIL_WORDS]))
        else:
            respond(200, "application/json", _completion(model, REPLY_HEAD + tag + REPLY_TAIL))
        spent = now() - received
        if number:
            self.ledger.model_seconds[number] += spent
            self.ledger.model_calls[number] += 1
        else:
            self.ledger.untagged_model_calls += 1


_USAGE = {"prompt_tokens": 420, "completion_tokens": 80, "total_tokens": 500}


def _envelope(model: str, kind: str) -> dict[str, Any]:
    return {"id": "chatcmpl-load", "object": kind, "created": 1_764_000_000, "model": model}


def _stream(model: str, pieces: list[str]) -> bytes:
    def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**_envelope(model, "chat.completion.chunk"), "choices": [choice], "usage": None}

    events = [chunk({"role": "assistant", "content": ""}, None)]
    events += [chunk({"content": piece}, None) for piece in pieces]
    events.append(chunk({}, "stop"))
    events.append({**_envelope(model, "chat.completion.chunk"), "choices": [], "usage": _USAGE})
    lines = [f"data: {json.dumps(event, separators=(',', ':'))}\n\n" for event in events]
    return ("".join(lines) + "data: [DONE]\n\n").encode()


def _moderation(model: str) -> bytes:
    """OpenAI's answer for one text input that it does not flag (the providers' fake's)."""
    return _json(moderation_answer(model, set()))


def _completion(model: str, text: str) -> bytes:
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    message["annotations"] = []
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}
    return _json({**_envelope(model, "chat.completion"), "choices": [choice], "usage": _USAGE})


# -- the webhook client ----------------------------------------------------------------------


class WebhookClient:
    """POSTs updates to the bot's webhook over a pool of keep-alive connections."""

    def __init__(self, port: int, path: str, secret: str, *, connections: int = 512) -> None:
        self._port = port
        self._head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: {secret}\r\n"
            "Content-Length: "
        ).encode("latin-1")
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(connections)

    async def post(self, body: bytes, sent: Callable[[], None] | None = None) -> int:
        """The status of one POST; ``sent()`` is called once the request is written.

        A pooled connection the server has closed meanwhile (uvicorn ends idle keep-alive
        connections after 5 s) fails before any answer: the update is sent again on a new
        connection, as Telegram does (the bot's dedupe makes a repeat harmless)."""
        async with self._slots:
            while self._idle:
                status = await self._exchange(*self._idle.pop(), body, sent)
                if status:
                    return status
            reader, writer = await asyncio.open_connection("127.0.0.1", self._port)
            return await self._exchange(reader, writer, body, sent)

    async def _exchange(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        body: bytes,
        sent: Callable[[], None] | None,
    ) -> int:
        """One request on one connection: its status, or 0 when the connection failed."""
        writer.write(self._head + str(len(body)).encode() + b"\r\n\r\n" + body)
        if sent is not None:
            sent()
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return 0
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        if length:
            await reader.readexactly(length)
        if close:
            writer.close()
        else:
            self._idle.append((reader, writer))
        return status

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()
