"""Per-person lanes shared by every instance of the bot (webhook mode with ``REDIS_URL``).

Behind a load balancer, one person's updates reach different instances. Each instance files
what it receives into that person's shared queue (``LaneQueue``) *before* acknowledging it,
then tries to take the lane's lease. The holder handles the queued updates one at a time in
``update_id`` order, renewing its lease while a reply is being written; before it gives the
lease back it waits until its writes for the lane are stored (``settle``), so the next holder
— maybe another instance — reads the conversation as it is. If updates arrived meanwhile,
``release`` says so and the holder goes on. So each person's updates are handled in the order
Telegram sent them, one at a time, across instances.

A holder that dies loses its lease after it expires; every instance sweeps the lanes with
queued updates now and then and takes over what nobody holds. When the queue is unreachable
an update is handled where it arrived (the in-process lanes), with a metric and a log line,
and shared lanes resume by themselves once the queue answers again.

``stopped_message_generation`` and updates without a person skip the queue, as in
``UpdateLanes``: a stop goes to the in-process lanes, whose stop requests need no slot, so it
is handled even while every slot holds a reply being written. It is also published on the
queue's stop channel (Redis pub/sub) to every instance, whose listener calls ``on_stop`` at
once — outside any lane or slot — since the reply it stops may be being written on another one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import cast

import structlog
from aiogram import Bot
from aiogram.types import Update
from pydantic import ValidationError

from innertalk.application.background import Background
from innertalk.application.ports import LaneQueue, LaneQueueUnavailableError
from innertalk.presentation.telegram.transport.lanes import UpdateHandler, UpdateLanes, lane_of

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]


def lane_name(update: Update) -> str | None:
    """The shared lane of an update's person (``user:42``), ``None`` if it has none."""
    kind, ident = cast(tuple[str, object], lane_of(update))
    if kind == "other":
        return None
    return f"{kind}:{ident}"


class SharedUpdateLanes:
    """Files updates into shared per-person queues and drains the lanes this instance holds.

    ``settle(lane)`` waits until the writes made so far for the lane's person are stored.
    ``renew_every`` is how often a held lease is renewed (the queue's lease must be several
    times longer); ``sweep_every`` how often lanes left behind by other instances are looked
    for. ``sleep`` is the clock's (tests pass a fake one).
    """

    def __init__(
        self,
        handle: UpdateHandler,
        queue: LaneQueue,
        bot: Bot,
        *,
        local: UpdateLanes,
        settle: Callable[[str], Awaitable[None]],
        on_stop: Callable[[int, int], object] | None = None,
        sleep: Sleep = asyncio.sleep,
        renew_every: float = 10.0,
        sweep_every: float = 5.0,
        concurrency: int = 256,
    ) -> None:
        self._handle = handle
        self._queue = queue
        self._bot = bot
        self._local = local
        self._settle = settle
        self._on_stop = on_stop
        self._listener: asyncio.Task[None] | None = None
        self._sleep = sleep
        self._renew_every = renew_every
        self._sweep_every = sweep_every
        self._slots = asyncio.Semaphore(concurrency)
        self._draining: set[str] = set()
        self._again: set[str] = set()
        """Lanes woken while this instance was draining them: the drainer looks once more."""
        self._tasks = Background()
        self._sweeper: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def accepting(self) -> bool:
        return not self._closed

    def start(self) -> None:
        """Begin sweeping for lanes that other instances left behind, and listening for stop
        requests announced by the others."""
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep(), name="lane-sweeper")
        if self._listener is None and self._on_stop is not None:
            self._listener = asyncio.create_task(self._listen(self._on_stop), name="lane-stops")

    async def take(self, update: Update, raw: bytes) -> bool:
        """File ``update`` (``raw``: its JSON as received); ``False`` once draining has begun
        (the webhook then answers 503 and Telegram delivers it again later)."""
        if self._closed:
            return False
        stopped = update.stopped_message_generation
        if stopped is not None:
            taken = self._local.submit(update)  # first: a stop must not wait for Redis
            with contextlib.suppress(LaneQueueUnavailableError):
                await self._queue.announce_stop(stopped.chat.id, stopped.draft_id)
            return taken
        lane = lane_name(update)
        if lane is None:
            return self._local.submit(update)
        try:
            await self._queue.push(lane, update.update_id, raw)
        except LaneQueueUnavailableError:
            log.warning("bot.shared_lane_unavailable", update_id=update.update_id)
            return self._local.submit(update)
        self._wake(lane)
        return True

    async def drain(self, timeout: float) -> int:  # noqa: ASYNC109 - a budget, not a deadline API
        """Stop taking updates and leases; wait up to ``timeout`` s for the updates in hand.

        Updates still queued stay in the shared queue for the other instances. Returns how
        many locally handled updates never finished.
        """
        self._closed = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        background = {task for task in (self._sweeper, self._listener) if task is not None}
        for task in background:
            task.cancel()
        if background:  # bounded: a Redis client's teardown can hang after a connect timeout
            await asyncio.wait(background, timeout=max(0.0, deadline - loop.time()))
        await self._tasks.close(timeout)
        return await self._local.drain(max(0.0, deadline - loop.time()))

    def _wake(self, lane: str) -> None:
        if self._closed:
            return
        if lane in self._draining:
            # ``release`` reports what arrived before it; this covers what arrived after it,
            # when the answers of the two calls come back in the other order
            self._again.add(lane)
            return
        self._draining.add(lane)
        self._tasks.spawn(self._drain(lane), name="lane")

    async def _drain(self, lane: str) -> None:
        try:
            while not self._closed:
                self._again.discard(lane)
                if not await self._queue.acquire(lane):
                    return  # another instance holds it: its ``release`` will see the entry
                try:
                    async with self._renewing(lane):
                        await self._run_held(lane)
                finally:
                    await self._settle(lane)
                    left = await self._queue.release(lane)
                if not left and lane not in self._again:
                    return
        except LaneQueueUnavailableError:
            pass  # logged by the queue; the sweeper comes back once it answers
        finally:
            self._draining.discard(lane)
            self._again.discard(lane)

    async def _run_held(self, lane: str) -> None:
        done: int | None = None
        while True:
            entry = await self._queue.step(lane, done)
            if entry is None or self._closed:
                return  # empty, the lease was lost, or shutting down (the rest stays queued)
            done, payload = entry
            try:
                update = Update.model_validate_json(payload, context={"bot": self._bot})
            except (ValueError, ValidationError):
                log.error("bot.shared_lane_bad_payload", update_id=done)
                continue
            async with self._slots:
                try:
                    await self._handle(update)
                except Exception as error:  # the dispatcher's middlewares already answered
                    log.error("bot.update_failed", error=type(error).__name__)

    @contextlib.asynccontextmanager
    async def _renewing(self, lane: str) -> AsyncIterator[None]:
        async def renew() -> None:
            while True:
                await self._sleep(self._renew_every)
                try:
                    if not await self._queue.renew(lane):
                        log.warning("bot.shared_lane_lease_lost")
                        return
                except LaneQueueUnavailableError:
                    continue

        renewer = asyncio.create_task(renew(), name="lane-renew")
        try:
            yield
        finally:
            renewer.cancel()
            await asyncio.gather(renewer, return_exceptions=True)

    async def _listen(self, on_stop: Callable[[int, int], object]) -> None:
        async for chat_id, draft_id in self._queue.stops():
            on_stop(chat_id, draft_id)

    async def _sweep(self) -> None:
        while not self._closed:
            await self._sleep(self._sweep_every)
            try:
                lanes = await self._queue.pending_lanes(100)
            except LaneQueueUnavailableError:
                continue
            for lane in lanes:
                self._wake(lane)
