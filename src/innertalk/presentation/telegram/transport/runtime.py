"""A running bot: start-up, receiving (long polling or the webhook), and a graceful stop.

Start-up asks Telegram who the bot is (retrying while Telegram is unreachable), registers the
command menus and descriptions, the admin alert channel and the ``telegram`` health probe.
Both modes serve the HTTP server (``/healthz``, ``/readyz``, ``/metrics``, and in webhook mode
``/webhook/telegram``). When ``stop`` is set: receiving stops, in-flight and queued updates
get ``drain_timeout`` to finish, polling confirms what was handled, and the server closes.

With an ``UpdateInbox`` every update is filed durably before Telegram is told it arrived, and
on start whatever a previous run left there (a crash, a drain that ran out of time) is
replayed through the lanes before anything new is received (``inboxed.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from functools import partial

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramServerError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import Update, User
from aiohttp import web

from innertalk.application.backoff import Backoff
from innertalk.application.inbox import InboxUnavailableError, UpdateInbox
from innertalk.application.operations.health import ComponentHealth, Status
from innertalk.application.ports import LaneQueue
from innertalk.application.services import Services
from innertalk.application.telemetry import BotMetrics
from innertalk.domain.users import UserKey
from innertalk.presentation.telegram.alerts import TelegramAlertChannel
from innertalk.presentation.telegram.app import build_dispatcher
from innertalk.presentation.telegram.commands import describe, register_commands
from innertalk.presentation.telegram.options import BotOptions
from innertalk.presentation.telegram.reminder_sender import TelegramReminderSender
from innertalk.presentation.telegram.transport.inboxed import InboxedUpdates
from innertalk.presentation.telegram.transport.lanes import UpdateLanes
from innertalk.presentation.telegram.transport.polling import confirm, poll
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.telegram.transport.shared_lanes import SharedUpdateLanes
from innertalk.presentation.telegram.transport.webhook import Webhook, add_webhook_route

log = structlog.get_logger(__name__)

START_RETRY = Backoff(initial=0.5, maximum=30.0)
"""Waits while Telegram cannot be reached at start: 1 s, 2 s, 4 s … at most 30 s."""


async def _settle_lane(
    bot_id: str, settle: Callable[[UserKey | None], Awaitable[None]] | None, lane: str
) -> None:
    """``settle`` for a shared lane's person (``user:42``; a ``chat:…`` lane: everything)."""
    if settle is None:
        return
    kind, _, ident = lane.partition(":")
    await settle(UserKey(bot_id, int(ident)) if kind == "user" else None)


class ListenError(Exception):
    """The HTTP server cannot listen where it was told to (port taken, address not local)."""


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
    ) -> None:
        """``metrics`` counts every update; ``lane_queue`` shares per-person lanes with the
        other instances in webhook mode; ``settle(key)`` waits until the person's writes so far
        are stored (``None``: all); ``inbox`` keeps accepted updates until they are answered
        and stored."""
        self.bot = bot
        self.bot_id = str(bot.id)
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
        me = await self._identify(stop)
        if me is None:
            return None
        await register_commands(self.bot, self.options.admin_ids)
        await describe(self.bot)
        if self.options.admin_ids:
            self.services.alerts.add_channel(
                TelegramAlertChannel(
                    self.bot, self.options.admin_ids, self.services.profiles, self.bot_id
                )
            )
        self.services.health.add_probe("telegram", self._probe)
        if self.options.run_reminders and self._reminders is None:
            self._reminders = asyncio.create_task(
                self.services.reminders.run(self.reminder_sender), name="reminders"
            )
        log.info("telegram.ready", bot_username=me.username)
        return me

    async def serve(
        self,
        stop: asyncio.Event,
        http_app: web.Application,
        *,
        host: str,
        port: int,
        webhook: Webhook | None = None,
    ) -> None:
        """Run until ``stop``; ``ListenError`` if the HTTP server cannot listen on host:port."""
        if webhook is not None:
            add_webhook_route(
                http_app, self.bot, self.shared_lanes or self.lanes, webhook.secret, self.inboxed
            )
        runner = web.AppRunner(http_app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        try:
            try:
                await web.TCPSite(runner, host, port).start()
            except OSError as error:
                raise ListenError(f"cannot listen on {host}:{port}: {error.strerror}") from None
            log.info("http.listening", host=host, port=port)
            if webhook is None:
                await self.run_polling(stop)
            else:
                await self.run_webhook(stop, webhook)
        finally:
            await runner.cleanup()

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

    async def _identify(self, stop: asyncio.Event) -> User | None:
        failures = 0
        while not stop.is_set():
            try:
                return await self.bot.me()
            except (TelegramNetworkError, TelegramServerError) as error:
                failures += 1
                wait = START_RETRY.delay(failures)
                log.warning("telegram.unreachable", error=type(error).__name__, retry_in=wait)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await stop.wait()
        return None

    async def _probe(self) -> ComponentHealth:
        me = await self.bot.get_me()
        return ComponentHealth("telegram", Status.UP, f"@{me.username}")
