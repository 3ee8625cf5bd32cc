"""A running bot: start-up, receiving (long polling or the webhook), and a graceful stop.

Start-up asks Telegram who the bot is (retrying while Telegram is unreachable), registers the
command menus and descriptions, the admin alert channel and the ``telegram`` health probe (both
asking in ``identity.py``).
Both modes serve the HTTP server (``/healthz``, ``/readyz``, ``/metrics``, and in webhook mode
the bot's webhook routes). When ``stop`` is set: receiving stops, in-flight and queued updates
get ``drain_timeout`` to finish, polling confirms what was handled, and the server closes.
Several bots share one server: ``serving.py``.

With an ``UpdateInbox`` every update is filed durably before Telegram is told it arrived, and
on start whatever a previous run left there (a crash, a drain that ran out of time) is
replayed through the lanes before anything new is received (``inboxed.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import Update, User
from fastapi import APIRouter, FastAPI

from innertalk.application.inbox import InboxUnavailableError, UpdateInbox
from innertalk.application.ports import LaneQueue
from innertalk.application.services import Services
from innertalk.application.telemetry import BotMetrics
from innertalk.domain.users import UserKey
from innertalk.presentation.http import ListenError, start_http
from innertalk.presentation.telegram.alerts import TelegramAlertChannel
from innertalk.presentation.telegram.app import build_dispatcher
from innertalk.presentation.telegram.commands import describe, register_commands
from innertalk.presentation.telegram.options import BotOptions
from innertalk.presentation.telegram.reminder_sender import TelegramReminderSender
from innertalk.presentation.telegram.transport.identity import BotIdentity
from innertalk.presentation.telegram.transport.inboxed import InboxedUpdates
from innertalk.presentation.telegram.transport.lanes import UpdateLanes
from innertalk.presentation.telegram.transport.polling import confirm, poll
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.telegram.transport.shared_lanes import SharedUpdateLanes
from innertalk.presentation.telegram.transport.webhook import (
    WEBHOOK_PATH,
    Webhook,
    webhook_path,
    webhook_router,
)

log = structlog.get_logger(__name__)


async def _settle_lane(
    bot_id: str, settle: Callable[[UserKey | None], Awaitable[None]] | None, lane: str
) -> None:
    """``settle`` for a shared lane's person (``user:42``; a ``chat:…`` lane: everything)."""
    if settle is None:
        return
    kind, _, ident = lane.partition(":")
    await settle(UserKey(bot_id, int(ident)) if kind == "user" else None)


__all__ = ["ListenError", "TelegramBot", "WebhookRefusedError"]


class WebhookRefusedError(Exception):
    """Telegram refused ``setWebhook`` (a URL it cannot reach, a bad certificate…)."""


class TelegramBot:
    """The bot around one aiogram ``Bot``: dispatcher, per-person lanes, receiving, stopping."""

    def __init__(
        self,
        bot: Bot,
        services: Services,
        options: BotOptions,
        metrics: BotMetrics,
        *,
        fsm_storage: BaseStorage | None = None,
        lane_queue: LaneQueue | None = None,
        settle: Callable[[UserKey | None], Awaitable[None]] | None = None,
        inbox: UpdateInbox | None = None,
        primary: bool = True,
    ) -> None:
        """``metrics`` counts every update; ``lane_queue`` shares per-person lanes with the
        other instances in webhook mode; ``settle(key)`` waits until the person's writes so far
        are stored (``None``: all); ``inbox`` keeps accepted updates until they are answered
        and stored. The ``primary`` bot (``TELEGRAM_BOT_TOKEN``'s) owns ``/webhook/telegram``,
        the admin alerts, the reminder loop and the required ``telegram`` health component;
        another bot's health is reported but does not make the instance unready."""
        self.bot = bot
        self.bot_id = str(bot.id)
        self.primary = primary
        self._identity = BotIdentity(bot, self.bot_id)
        self.services, self.options = services, options
        self.sender = Sender(bot, draft_interval=options.draft_interval)
        self.dispatcher = build_dispatcher(
            self.bot_id, services, options, self.sender, metrics, fsm_storage=fsm_storage
        )
        self.inboxed = (
            InboxedUpdates(inbox, bot, self._feed, settle) if inbox is not None else None
        )
        handle = self.inboxed.handle if self.inboxed is not None else self._feed
        self.lanes = UpdateLanes(
            handle,
            max_pending=options.max_pending_per_person,
            concurrency=options.lane_concurrency,
        )
        self.shared_lanes = (
            SharedUpdateLanes(
                handle,
                lane_queue,
                bot,
                local=self.lanes,
                settle=partial(_settle_lane, self.bot_id, settle),
                on_stop=self.dispatcher["generations"].stop,
                sleep=services.clock.sleep,
                concurrency=options.lane_concurrency,
            )
            if lane_queue is not None
            else None
        )
        self.reminder_sender = TelegramReminderSender(bot)
        self._reminders: asyncio.Task[None] | None = None

    async def prepare(self, stop: asyncio.Event) -> User | None:
        """Identify the bot and register what it shows; ``None`` if stopped before Telegram
        answered. A rejected token raises ``TelegramUnauthorizedError``."""
        me = await self._identity.identify(stop)
        if me is None:
            return None
        await register_commands(self.bot, self.options.admin_ids)
        await describe(self.bot)
        if self.primary and self.options.admin_ids:
            self.services.alerts.add_channel(
                TelegramAlertChannel(
                    self.bot, self.options.admin_ids, self.services.profiles, self.bot_id
                )
            )
        if self.primary:
            self.services.health.add_probe("telegram", self._identity.probe)
        else:
            self.services.health.add_probe(
                f"telegram:{self.bot_id}", self._identity.optional_probe
            )
        if self.primary and self.options.run_reminders and self._reminders is None:
            self._reminders = asyncio.create_task(
                self.services.reminders.run(self.reminder_sender), name="reminders"
            )
        log.info("telegram.ready", bot_username=me.username, bot_id=self.bot_id)
        return me

    def webhook_routes(self, secret: str) -> APIRouter:
        """This bot's webhook routes: ``/webhook/telegram/{bot_id}``, and for the primary bot
        also ``/webhook/telegram`` (where ``WEBHOOK_URL`` has always pointed)."""
        paths = (WEBHOOK_PATH,) if self.primary else ()
        return webhook_router(
            self.bot,
            self.shared_lanes or self.lanes,
            secret,
            self.inboxed,
            paths=(*paths, webhook_path(self.bot_id)),
        )

    async def serve(
        self,
        stop: asyncio.Event,
        http_app: FastAPI,
        *,
        host: str,
        port: int,
        webhook: Webhook | None = None,
    ) -> None:
        """This bot alone with the HTTP server until ``stop``; ``ListenError`` if the server
        cannot listen on host:port. The server closes only after the lanes drained: updates
        arriving meanwhile get 503 and come again."""
        if webhook is not None:
            http_app.include_router(self.webhook_routes(webhook.secret))
        closing = asyncio.Event()
        server = await start_http(http_app, host=host, port=port, stop=closing)
        try:
            await self.receive(stop, webhook)
        finally:
            closing.set()
            await server

    async def receive(self, stop: asyncio.Event, webhook: Webhook | None) -> None:
        """Long polling, or the webhook set with Telegram, until ``stop`` and the drain."""
        if webhook is None:
            await self.run_polling(stop)
        else:
            await self.run_webhook(stop, webhook)

    async def run_polling(self, stop: asyncio.Event) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        log.info("telegram.polling")
        try:
            await self._replay(self.lanes.take)
            offset = await poll(
                self.bot,
                self.lanes,
                stop,
                allowed_updates=self.allowed_updates,
                timeout=self.options.polling_timeout,
                inbox=self.inboxed,
            )
        finally:  # also when polling fails for good (a revoked token): finish what was taken
            await self.lanes.drain(self.options.drain_timeout)
            await self._finish_inbox()
        unfinished = self.lanes.first_unfinished()
        await confirm(self.bot, offset if unfinished is None else unfinished)

    async def run_webhook(self, stop: asyncio.Event, webhook: Webhook) -> None:
        try:
            await self.bot.set_webhook(
                webhook.url,
                secret_token=webhook.secret,
                allowed_updates=self.allowed_updates,
                drop_pending_updates=False,
            )
        except TelegramBadRequest as error:
            raise WebhookRefusedError(error.message) from None
        log.info("telegram.webhook_set", shared_lanes=self.shared_lanes is not None)
        if self.shared_lanes is not None:
            self.shared_lanes.start()
        try:
            await self._replay((self.shared_lanes or self.lanes).take)
            await stop.wait()
        finally:
            await (self.shared_lanes or self.lanes).drain(self.options.drain_timeout)
            await self._finish_inbox()

    async def _replay(self, submit: Callable[[Update, bytes], Awaitable[bool]]) -> None:
        """Hand what the inbox kept from a previous run to the lanes (a failure is logged:
        the entries stay filed for the next start)."""
        if self.inboxed is None:
            return
        try:
            await self.inboxed.replay(submit)
        except InboxUnavailableError as error:
            log.error("bot.inbox_unavailable", step="replay", error=str(error))

    async def _finish_inbox(self) -> None:
        if self.inboxed is not None:
            await self.inboxed.close(self.options.drain_timeout)

    async def close(self) -> None:
        """Stop the reminder dispatcher, then the dispatcher and the HTTP session (the app's
        queued writes are flushed afterwards, when ``build_app`` exits)."""
        if self._reminders is not None:
            self._reminders.cancel()
            await asyncio.gather(self._reminders, return_exceptions=True)
            self._reminders = None
        await self.dispatcher.emit_shutdown(bot=self.bot)
        await self.bot.session.close()

    @property
    def allowed_updates(self) -> list[str]:
        return self.dispatcher.resolve_used_update_types()

    async def _feed(self, update: Update, **data: object) -> None:
        await self.dispatcher.feed_update(self.bot, update, **data)
