"""One lane per person: their updates run one at a time, in arrival order; people run in parallel.

Polling and the webhook both hand every update to ``UpdateLanes.submit``, which files it
synchronously — before anything can await — so the order within a lane is exactly the order
Telegram delivered. A ``stopped_message_generation`` update (the stop button) skips the queue
and the pool of slots too: it must reach the reply that is being written, which is still holding
that person's lane — and when every slot holds such a reply, a stop waiting for a slot could
never stop any of them. Stops have a pool of their own (they are short: set an event, return).

``drain`` closes the lanes to new updates and waits for what was taken in; the ids of updates
that never finished let polling confirm only what was really handled.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

import structlog
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.types import Update

from innertalk.application.background import Background

log = structlog.get_logger(__name__)

UpdateHandler = Callable[[Update], Awaitable[object]]


def lane_of(update: Update) -> Hashable:
    """The person an update comes from (else its chat): whose lane it waits in."""
    context = UserContextMiddleware.resolve_event_context(update)
    if context.user is not None:
        return ("user", context.user.id)
    if context.chat is not None:
        return ("chat", context.chat.id)
    return ("other", update.event_type)


class UpdateLanes:
    """Runs ``handle(update)`` per lane in order, lanes concurrently (at most ``concurrency``;
    stop requests have as many slots again, of their own)."""

    def __init__(
        self, handle: UpdateHandler, *, max_pending: int = 100, concurrency: int = 256
    ) -> None:
        self._handle = handle
        self._max_pending = max_pending
        self._slots = asyncio.Semaphore(concurrency)
        self._stop_slots = asyncio.Semaphore(concurrency)
        self._lanes: dict[Hashable, deque[Update]] = {}
        self._tasks = Background()
        self._unfinished: set[int] = set()
        self._closed = False

    @property
    def accepting(self) -> bool:
        """``False`` once draining has begun."""
        return not self._closed

    def submit(self, update: Update) -> bool:
        """Take ``update`` in; ``False`` once draining has begun (the caller should not ack)."""
        if self._closed:
            return False
        if update.stopped_message_generation is not None:
            self._unfinished.add(update.update_id)
            self._tasks.spawn(self._run_alone(update))
            return True
        lane_id = lane_of(update)
        lane = self._lanes.get(lane_id)
        if lane is None:
            lane = self._lanes[lane_id] = deque()
            self._tasks.spawn(self._run_lane(lane_id, lane))
        elif len(lane) >= self._max_pending:
            log.warning("bot.lane_full", dropped_update=update.update_id)
            return True
        self._unfinished.add(update.update_id)
        lane.append(update)
        return True

    async def take(self, update: Update, raw: bytes) -> bool:
        """The webhook's entry: ``submit`` (``raw``, the JSON as received, is not needed)."""
        return self.submit(update)

    def first_unfinished(self) -> int | None:
        """The smallest id of an update taken in but not finished (``None``: all finished)."""
        return min(self._unfinished, default=None)

    async def drain(self, timeout: float) -> int:  # noqa: ASYNC109 - a budget, not a deadline API
        """Stop taking updates; wait up to ``timeout`` s for the rest; how many never finished."""
        self._closed = True
        await self._tasks.close(timeout)
        if self._unfinished:
            log.warning("bot.updates_unfinished", count=len(self._unfinished))
        return len(self._unfinished)

    async def _run_lane(self, lane_id: Hashable, lane: deque[Update]) -> None:
        try:
            while lane:
                update = lane[0]  # stays queued while it runs, so newcomers line up behind it
                await self._run(update)
                lane.popleft()
        finally:
            if self._lanes.get(lane_id) is lane:
                del self._lanes[lane_id]

    async def _run_alone(self, update: Update) -> None:
        """A stop request: never waits for the slots the replies it stops are holding."""
        async with self._stop_slots:
            await self._handle_safely(update)
        self._unfinished.discard(update.update_id)

    async def _run(self, update: Update) -> None:
        async with self._slots:
            await self._handle_safely(update)
        self._unfinished.discard(update.update_id)

    async def _handle_safely(self, update: Update) -> None:
        try:
            await self._handle(update)
        except Exception as error:  # the dispatcher's middlewares already answered
            log.error("bot.update_failed", error=type(error).__name__)
