"""The update side of the fake Bot API server: the getUpdates queue with Telegram's offset and
long-poll semantics, and webhook delivery (with the secret header) when a webhook is set."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.fakes.telegram_records import BotAPIError

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STORED_SECRET = "<the secret_token given to setWebhook>"
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the bot's webhook and how the bot answered."""

    update_id: int
    status: int
    body: str


class UpdateFeed:
    """Updates waiting for the bot. ``_notify()`` wakes everything waiting on a change (long
    polls here, ``wait_for`` in the server)."""

    def __init__(self) -> None:
        self.allowed_updates: list[str] | None = None
        self.webhook_url: str = ""
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.balance: Callable[[dict[str, Any]], str] | None = None
        """A load balancer in front of several instances: picks the URL each delivery goes to
        (instead of ``webhook_url``)."""
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.waiting_polls = 0
        self._queue: list[dict[str, Any]] = []
        self._outbox: list[dict[str, Any]] = []
        self._last_update_id = 100_000
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._closing = False
        self._client: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _open_feed(self) -> None:
        self._client = aiohttp.ClientSession()

    async def _close_feed(self) -> None:
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
        if self._client is not None:
            await self._client.close()

    def make_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``payload`` (e.g. ``{"message": {...}}``) with the next ``update_id``."""
        if "update_id" in payload:
            return payload
        self._last_update_id += 1
        return {"update_id": self._last_update_id, **payload}

    def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queues an update for getUpdates, or delivers it to the webhook when one is set.

        Update types excluded by ``allowed_updates`` (and by default chat_member and
        reactions) are dropped, as Telegram does.
        """
        update = self.make_update(payload)
        kind = next(key for key in update if key != "update_id")
        if "callback_query" in update:
            self.callback_queries[update["callback_query"]["id"]] = update["callback_query"]
        allowed = self.allowed_updates
        wanted = kind in allowed if allowed else kind not in _NOT_DEFAULT_UPDATES
        if not wanted:
            return update
        if self.webhook_url:
            self._outbox.append(update)
            self._ensure_webhook_worker()
        else:
            self._queue.append(update)
        self._notify()
        return update

    async def poll_updates(self, offset: int | None, limit: int, wait_seconds: int) -> Any:
        """getUpdates: confirms (drops) updates below ``offset`` (a negative one keeps only that
        many of the newest), then answers what is queued, waiting up to ``wait_seconds`` (the
        request's ``timeout``) for something to arrive."""
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older poll still waiting learns it was superseded
        if offset is not None and offset < 0:
            self._queue = self._queue[offset:]
        elif offset is not None:
            self._queue = [update for update in self._queue if update["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while not self._queue and not self._closing:
            changed = self._changed
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            self.waiting_polls += 1
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                break
            finally:
                self.waiting_polls -= 1
            if generation != self._poll_generation:
                raise BotAPIError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
        return self._queue[:limit]

    def pending_update_count(self) -> int:
        return len(self._queue) + len(self._outbox)

    def drop_pending_updates(self) -> None:
        self._queue.clear()
        self._outbox.clear()

    def set_webhook(self, url: str, secret: str | None, allowed: list[str] | None) -> None:
        self.webhook_url, self.webhook_secret = url, secret
        if allowed is not None:
            self.allowed_updates = allowed
        if url:
            self._outbox.extend(self._queue)
            self._queue.clear()
            self._ensure_webhook_worker()
        else:
            self._queue[:0] = self._outbox
            self._outbox.clear()

    async def deliver_webhook(
        self,
        update: dict[str, Any],
        *,
        url: str | None = None,
        secret_token: str | None = STORED_SECRET,
    ) -> WebhookDelivery:
        """POSTs ``update`` to the webhook (``url`` or the one set) as Telegram does, with the
        stored secret header by default; pass ``secret_token=None`` (or a wrong one) to probe."""
        assert self._client is not None, "start() the fake first"
        update = self.make_update(update)
        secret = self.webhook_secret if secret_token == STORED_SECRET else secret_token
        headers = {SECRET_HEADER: secret} if secret else {}
        target = url or (self.balance(update) if self.balance else self.webhook_url)
        async with self._client.post(target, json=update, headers=headers) as response:
            delivery = WebhookDelivery(update["update_id"], response.status, await response.text())
        self.webhook_deliveries.append(delivery)
        self._notify()
        return delivery

    def _ensure_webhook_worker(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_outbox())

    async def _deliver_outbox(self) -> None:
        """Delivers queued updates one at a time, in order, retrying until the bot accepts."""
        while self._outbox and self.webhook_url:
            update = self._outbox[0]
            try:
                accepted = (await self.deliver_webhook(update)).status < 300
            except aiohttp.ClientError:
                accepted = False
            if not accepted:
                await asyncio.sleep(0.05)
            elif self._outbox and self._outbox[0] is update:
                self._outbox.pop(0)
