"""The bot's dispatcher, built from services: routers, middlewares and what handlers receive.

Handlers get, by parameter name: ``services`` (use cases), ``options``, ``sender``,
``generations`` (stop signals of streaming replies), the cooldowns ``invites`` and ``edits``,
``admin_console`` (the admin menu's state), and from the middlewares ``key``, ``profile`` and
``language``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage

from innertalk.application.services import Services
from innertalk.application.telemetry import BotMetrics
from innertalk.presentation.telegram.admin_console import AdminConsole
from innertalk.presentation.telegram.cooldowns import Cooldown
from innertalk.presentation.telegram.middlewares import (
    DedupeMiddleware,
    ErrorMiddleware,
    IdentityMiddleware,
    LogContextMiddleware,
    RateLimitMiddleware,
    UpdateMetricsMiddleware,
)
from innertalk.presentation.telegram.options import BotOptions
from innertalk.presentation.telegram.routers import build_routers
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.telegram.transport.streaming import Generations


def build_dispatcher(
    bot_id: str,
    services: Services,
    options: BotOptions,
    sender: Sender,
    metrics: BotMetrics,
    *,
    fsm_storage: BaseStorage | None = None,
) -> Dispatcher:
    """The dispatcher for the bot ``bot_id`` (its numeric id, as stored in every ``UserKey``).

    ``fsm_storage`` keeps onboarding and settings state (in memory by default; it holds only
    choices such as the language picked before consent, never what people write);
    ``metrics`` counts every update by type and outcome.
    """
    timer = services.clock.monotonic
    console = AdminConsole(services.admin, bot_id, sender, services.clock)
    dispatcher = Dispatcher(
        storage=fsm_storage or MemoryStorage(),
        services=services,
        options=options,
        sender=sender,
        generations=Generations(),
        invites=Cooldown(options.group_invite_interval, timer),
        edits=Cooldown(options.edit_note_interval, timer),
        admin_console=console,
    )
    dispatcher.shutdown.register(console.aclose)
    for middleware in (
        LogContextMiddleware(bot_id, services.pseudonyms),
        UpdateMetricsMiddleware(timer, metrics),
        ErrorMiddleware(services.profiles, sender),
        DedupeMiddleware(services.dedupe, bot_id),
        IdentityMiddleware(services.profiles, bot_id),
        RateLimitMiddleware(
            services.rate_limiter, sender, services.clock, window=options.rate_window
        ),
    ):
        dispatcher.update.outer_middleware(middleware)
    dispatcher.include_routers(*build_routers())
    resolve_filters_inline(dispatcher)
    return dispatcher


def resolve_filters_inline(dispatcher: Dispatcher) -> None:
    """Run synchronous filters on the event loop instead of in a worker thread.

    aiogram awaits a synchronous filter through ``asyncio.to_thread``, and every ``F`` magic
    filter is one: a text message met fifteen of them on its way to the conversation, each
    a thread hop that waits for a turn of a busy event loop. They only read attributes
    of the update, so they are resolved inline (handlers and our own filters are async).
    """
    for router in dispatcher.chain_tail:
        for observer in router.observers.values():
            # ``_handler`` holds the observer's own filters (``router.message.filter(...)``)
            for handler in (observer._handler, *observer.handlers):
                for entry in handler.filters or ():
                    if not entry.awaitable:
                        entry.callback = _awaitable(entry.callback)
                        entry.awaitable = True


def _awaitable(check: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def resolve(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return resolve
