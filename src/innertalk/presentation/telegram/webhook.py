"""The webhook: ``POST /webhook/telegram`` on the bot's HTTP server.

Every request must carry ``X-Telegram-Bot-Api-Secret-Token`` equal to the secret given to
``setWebhook``, else 401: the header's raw bytes are compared in constant time, so a missing,
repeated, wrong or undecodable (non-UTF-8) header is refused the same way, never a 500. The body
is read only after that, up to the server's ``client_max_size`` (413 beyond it). An accepted
update is filed into its person's lane and acknowledged at once — Telegram never waits for a
model. While shutting down the server answers 503, so Telegram keeps the update and delivers it
again later.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import structlog
from aiogram import Bot
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

log = structlog.get_logger(__name__)

WEBHOOK_PATH = "/webhook/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


class UpdateReceiver(Protocol):
    """Where accepted updates go: this process's lanes, or the lanes shared by instances."""

    async def take(self, update: Update, raw: bytes) -> bool:
        """File ``update``; ``False`` when shutting down (the webhook answers 503)."""
        ...


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


def add_webhook_route(app: web.Application, bot: Bot, lanes: UpdateReceiver, secret: str) -> None:
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        if not _secret_matches(request, expected):
            log.warning("telegram.webhook_refused", reason="secret")
            return web.Response(status=401)
        raw = await request.read()
        try:
            update = Update.model_validate_json(raw, context={"bot": bot})
        except (ValueError, ValidationError):
            return web.Response(status=400)
        if not await lanes.take(update, raw):
            return web.Response(status=503)
        return web.Response(status=200)

    app.router.add_post(WEBHOOK_PATH, receive)


def _secret_matches(request: web.Request, expected: bytes) -> bool:
    """Whether the request carries the secret header exactly once, equal to ``expected``.

    The raw header bytes are compared: aiohttp decodes header values leniently, and encoding a
    non-UTF-8 value back would raise (a 500 with a traceback) instead of refusing it.
    """
    name = SECRET_HEADER.lower().encode()
    given = [value for key, value in request.raw_headers if key.lower() == name]
    return len(given) == 1 and hmac.compare_digest(given[0], expected)
