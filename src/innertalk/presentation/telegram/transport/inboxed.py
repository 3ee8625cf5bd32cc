"""Updates through the durable inbox: cleaned and filed before Telegram is told, finished after.

``edge_update``/``parse_update`` clean every string of an update (lone surrogates → U+FFFD, no
NUL) and give the JSON that is filed. ``InboxedUpdates.file`` stores a batch before polling
confirms it or the webhook answers 200; ``handle`` runs one update, waits until its records
are stored (``settle``), marks it ``answered``, then removes it (``done``) in the background.
``replay`` hands what a previous run left in the inbox to the lanes, oldest first; an
answered entry is only finished, one sealed with a key that is not configured stays filed.

The guarantee (docs/operations.md): at-least-once processing, nothing stored is lost; a reply
is sent once, except when the process dies between sending it and storing the ``answered``
mark (after its records landed), when the replay sends it again.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

import structlog
from aiogram import Bot
from aiogram.types import Update
from pydantic import ValidationError

from innertalk.application.background import Background
from innertalk.application.inbox import InboxUnavailableError, UpdateInbox
from innertalk.domain.messages import clean_json
from innertalk.domain.users import UserKey
from innertalk.presentation.telegram.middlewares import REPLAYED
from innertalk.presentation.telegram.transport.lanes import lane_of

log = structlog.get_logger(__name__)

REPLAY_LIMIT = 10_000
"""Entries replayed at start: far more than the lanes hold (100 per person by default)."""

Feed = Callable[..., Awaitable[object]]
Settle = Callable[[UserKey | None], Awaitable[None]]


def parse_update(raw: bytes, bot: Bot) -> tuple[Update, bytes]:
    """The update in ``raw`` (the webhook's body), cleaned, and its cleaned JSON.

    ``ValueError`` when ``raw`` is not an update (the webhook answers 400).
    """
    try:
        data = clean_json(json.loads(raw))
        update = Update.model_validate(data, context={"bot": bot})
    except (ValueError, ValidationError, RecursionError) as error:
        raise ValueError("not an update") from error
    return update, _encoded(data)


def edge_update(update: Update, bot: Bot) -> tuple[Update, bytes]:
    """An update polling received, cleaned, and its cleaned JSON."""
    data = clean_json(update.model_dump(mode="json", exclude_none=True, by_alias=True))
    return Update.model_validate(data, context={"bot": bot}), _encoded(data)


def _encoded(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class InboxedUpdates:
    """The inbox around the dispatcher: ``file`` before the ack, ``handle`` in the lanes."""

    def __init__(
        self, inbox: UpdateInbox, bot: Bot, feed: Feed, settle: Settle | None = None
    ) -> None:
        """``feed(update, **data)`` runs the dispatcher; ``settle(key)`` waits until the
        person's records are stored (``None``: everything queued)."""
        self.inbox = inbox
        self._bot = bot
        self._bot_id = str(bot.id)
        self._feed = feed
        self._settle = settle
        self._replaying: dict[int, bool] = {}
        """Replayed update ids → whether their reply was already sent."""
        self._finishing = Background()

    async def file(self, updates: Sequence[tuple[Update, bytes]]) -> list[Update]:
        """Store ``updates`` durably; the ones not filed before, in the order given.

        ``InboxUnavailableError`` when the store is down: nothing may be acknowledged.
        """
        new = await self.inbox.file(
            self._bot_id, [(update.update_id, payload) for update, payload in updates]
        )
        return [update for update, _ in updates if update.update_id in new]

    async def handle(self, update: Update) -> None:
        """Run ``update`` (unless a replay found it answered), mark it answered, finish it."""
        answered = self._replaying.pop(update.update_id, None)
        failed: Exception | None = None
        if not answered:
            extra: dict[str, Any] = {REPLAYED: True} if answered is not None else {}
            try:
                await self._feed(update, **extra)
            except Exception as error:
                failed = error
        # also after a handler error (the middlewares answered it): a poison update must not
        # come back at every start; a cancelled one (shutdown) never gets here and stays filed.
        # The records come first: "answered" is only marked once they are stored, so a crash in
        # between replays the update (a reply may then be sent twice) instead of skipping it
        # and losing what it stored (a consent, a turn).
        await self._settled(update)
        await self._mark(update.update_id)
        self._finish_later(update)
        if failed is not None:
            raise failed

    async def replay(self, submit: Callable[[Update, bytes], Awaitable[bool]]) -> int:
        """Hand what the inbox holds to ``submit``, oldest first; how many entries."""
        entries = await self.inbox.pending(self._bot_id, REPLAY_LIMIT)
        for entry in entries:
            if not entry.opened:
                # sealed with a key no longer configured: keep it, a restart with the key
                # (back in ENCRYPTION_KEYS_PREVIOUS) still answers it; `innertalk reencrypt`
                # before dropping a key prevents this
                log.error("bot.inbox_unopenable", update_id=entry.update_id)
                continue
            try:
                update = Update.model_validate_json(entry.payload, context={"bot": self._bot})
            except (ValueError, ValidationError):
                log.error("bot.inbox_bad_entry", update_id=entry.update_id)
                await self.inbox.done(self._bot_id, entry.update_id)
                continue
            self._replaying[entry.update_id] = entry.answered
            await submit(update, entry.payload)
        if entries:
            log.info("bot.inbox_replayed", count=len(entries))
        return len(entries)

    async def close(self, timeout: float) -> None:  # noqa: ASYNC109 - a budget
        """Wait up to ``timeout`` s for the updates being finished (the rest stay filed)."""
        # the cancelled ones are not waited for: a Redis inbox's teardown can hang
        await self._finishing.close(timeout, await_cancelled=False)

    async def _mark(self, update_id: int) -> None:
        try:
            await self.inbox.answered(self._bot_id, update_id)
        except InboxUnavailableError as error:
            log.warning("bot.inbox_unavailable", step="answered", error=str(error))

    def _finish_later(self, update: Update) -> None:
        self._finishing.spawn(self._finish(update), name="inbox-finish")

    async def _settled(self, update: Update) -> None:
        """Wait until the records ``update`` produced are stored (its person's, or all)."""
        if self._settle is not None:
            kind, ident = cast(tuple[str, object], lane_of(update))
            key = UserKey(self._bot_id, cast(int, ident)) if kind == "user" else None
            await self._settle(key)

    async def _finish(self, update: Update) -> None:
        try:
            await self.inbox.done(self._bot_id, update.update_id)
        except InboxUnavailableError as error:
            log.warning("bot.inbox_unavailable", step="done", error=str(error))
