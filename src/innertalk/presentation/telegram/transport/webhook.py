"""The webhooks: ``POST /webhook/telegram/{bot_id}`` for every served bot on the process's one
HTTP server, and ``POST /webhook/telegram`` for the default bot (``WEBHOOK_URL`` as it always
was, so single-bot deployments change nothing).

Every request must carry ``X-Telegram-Bot-Api-Secret-Token`` equal to the bot's secret given to
``setWebhook``, else 401: the header's raw bytes are compared in constant time, so a missing,
repeated, wrong or undecodable (non-UTF-8) header is refused the same way, never a 500. The body
is read only after that, as a stream, and reading stops at ``MAX_BODY`` (413 beyond it). An
accepted update is cleaned (lone surrogates, NUL), written to the durable inbox, filed into its
person's lane and acknowledged — Telegram never waits for a model, but 200 comes only after the
inbox write: when the inbox cannot be written the answer is 503 and Telegram delivers the update
again. An update the inbox already holds (a redelivery) is acknowledged without being filed
twice. While shutting down the server answers 503 to updates not yet filed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import structlog
from aiogram import Bot
from aiogram.types import Update
from fastapi import APIRouter
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from innertalk.application.inbox import InboxUnavailableError
from innertalk.presentation.http import MAX_BODY
from innertalk.presentation.telegram.transport.inboxed import InboxedUpdates, parse_update

log = structlog.get_logger(__name__)

WEBHOOK_PATH = "/webhook/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


class UpdateReceiver(Protocol):
    """Where accepted updates go: this process's lanes, or the lanes shared by instances."""

    @property
    def accepting(self) -> bool:
        """``False`` once draining has begun."""
        ...

    async def take(self, update: Update, raw: bytes) -> bool:
        """File ``update``; ``False`` when shutting down (the webhook answers 503)."""
        ...


def webhook_path(bot_id: str) -> str:
    """The route of one bot's webhook."""
    return f"{WEBHOOK_PATH}/{bot_id}"


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where Telegram delivers updates (the public https URL) and the secret it sends along."""

    url: str
    secret: str

    @classmethod
    def for_server(cls, public_url: str, secret: str | None) -> Webhook:
        """``public_url`` (this server's https address, with or without the webhook path);
        without a configured secret, a random one for this run."""
        path = urlsplit(public_url).path
        url = public_url if path.endswith(WEBHOOK_PATH) else public_url.rstrip("/") + WEBHOOK_PATH
        return cls(url, secret or secrets.token_urlsafe(32))

    @classmethod
    def for_bot(cls, public_url: str, bot_id: str, secret: str | None) -> Webhook:
        """Another bot's webhook on the same server: its own path, and its own secret derived
        from the configured one (every instance derives the same) or random for this run."""
        base = public_url.rstrip("/").removesuffix(WEBHOOK_PATH)
        own = _derived_secret(secret, bot_id) if secret else secrets.token_urlsafe(32)
        return cls(base + webhook_path(bot_id), own)


def _derived_secret(secret: str, bot_id: str) -> str:
    """A per-bot secret (43 characters from Telegram's alphabet): one bot's secret, seen in its
    requests, tells nothing about another's."""
    digest = hmac.new(secret.encode(), f"webhook:{bot_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def webhook_router(
    bot: Bot,
    lanes: UpdateReceiver,
    secret: str,
    inbox: InboxedUpdates | None = None,
    *,
    paths: Sequence[str] = (WEBHOOK_PATH,),
) -> APIRouter:
    """The webhook routes of one bot (``paths``), out of the OpenAPI schema."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        if not _secret_matches(request, expected):
            log.warning("telegram.webhook_refused", reason="secret")
            return Response(status_code=401)
        body = await _read_body(request, MAX_BODY)
        if body is None:
            return Response(status_code=413)
        try:
            update, payload = parse_update(body, bot)
        except ValueError:
            return Response(status_code=400)
        return Response(status_code=await _accept(update, payload, lanes, inbox))

    router = APIRouter()
    for path in paths:
        router.add_route(path, receive, methods=["POST"], include_in_schema=False)
    return router


async def _accept(
    update: Update, payload: bytes, lanes: UpdateReceiver, inbox: InboxedUpdates | None
) -> int:
    """The status for a parsed update: 200 once it is filed (or already was), else 503."""
    if inbox is None:
        return 200 if await lanes.take(update, payload) else 503
    if not lanes.accepting:
        return 503
    try:
        new = await inbox.file([(update, payload)])
    except InboxUnavailableError as error:
        log.warning("bot.inbox_unavailable", step="file", error=str(error))
        return 503
    if new:
        # filed: a lane closed meanwhile leaves it to the next start's replay
        await lanes.take(update, payload)
    return 200


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or ``None`` as soon as it is known to exceed ``limit`` bytes: a declared
    length over it is refused unread, a longer stream is not read past it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    except ClientDisconnect:
        return None
    return b"".join(chunks)


def _secret_matches(request: Request, expected: bytes) -> bool:
    """Whether the request carries the secret header exactly once, equal to ``expected``.

    The raw header bytes (names lower-cased by the server) are compared: decoding a non-UTF-8
    value to text could raise (a 500 with a traceback) instead of refusing it.
    """
    name = SECRET_HEADER.lower().encode()
    given = [value for key, value in request.scope["headers"] if key.lower() == name]
    return len(given) == 1 and hmac.compare_digest(given[0], expected)
