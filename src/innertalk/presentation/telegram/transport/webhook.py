"""The webhook: ``POST /webhook/telegram`` on the bot's HTTP server.

Every request must carry ``X-Telegram-Bot-Api-Secret-Token`` equal to the secret given to
``setWebhook``, else 401: the header's raw bytes are compared in constant time, so a missing,
repeated, wrong or undecodable (non-UTF-8) header is refused the same way, never a 500. The body
is read only after that, up to the server's ``client_max_size`` (413 beyond it). An accepted
update is cleaned (lone surrogates, NUL), written to the durable inbox, filed into its person's
lane and acknowledged — Telegram never waits for a model, but 200 comes only after the inbox
write: when the inbox cannot be written the answer is 503 and Telegram delivers the update
again. An update the inbox already holds (a redelivery) is acknowledged without being filed
twice. While shutting down the server answers 503 to updates not yet filed.
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

from innertalk.application.inbox import InboxUnavailableError
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


def add_webhook_route(
    app: web.Application,
    bot: Bot,
    lanes: UpdateReceiver,
    secret: str,
    inbox: InboxedUpdates | None = None,
) -> None:
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        if not _secret_matches(request, expected):
            log.warning("telegram.webhook_refused", reason="secret")
            return web.Response(status=401)
        try:
            update, payload = parse_update(await request.read(), bot)
        except ValueError:
            return web.Response(status=400)
        if inbox is None:
            return web.Response(status=200 if await lanes.take(update, payload) else 503)
        if not lanes.accepting:
            return web.Response(status=503)
        try:
            new = await inbox.file([(update, payload)])
        except InboxUnavailableError as error:
            log.warning("bot.inbox_unavailable", step="file", error=str(error))
            return web.Response(status=503)
        if new:
            # filed: a lane closed meanwhile leaves it to the next start's replay
            await lanes.take(update, payload)
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
