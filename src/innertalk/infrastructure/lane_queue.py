"""Shared per-person update queues (the ``LaneQueue`` port): in Redis, and an in-process twin.

Redis layout, under ``innertalk:lanes:{bot_id}``:

- ``:q:{lane}`` a sorted set of queued ``update_id``s (score = id, so the head is the oldest);
- ``:u:{update_id}`` the update's JSON, expiring after Telegram's 24-hour window (sealed with
  the at-rest key when ``ENCRYPTION_KEY`` is set: it carries the person's words and name);
- ``:l:{lane}`` the lease: this instance's random token, expiring unless renewed;
- ``:pending`` the set of lanes that have queued entries.

Each operation is one Lua script, so it is atomic and one round trip. ``release`` removes the
lane from ``:pending`` in the same script that sees it empty, and ``push`` adds it back in the
script that queues, so no entry is ever queued in a lane nobody will look at.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from innertalk.application.ports import LaneQueueUnavailableError
from innertalk.infrastructure.crypto import DecryptionError, FieldCipher
from innertalk.infrastructure.observability.metrics import LANE_QUEUE_ERRORS

log = structlog.get_logger(__name__)

PAYLOAD_TTL = 24 * 3600
"""Seconds an unhandled update's JSON is kept (Telegram stops redelivering after a day)."""

STOPS_POLL = 0.5
"""Seconds one wait for stop requests lasts (below the connection's read timeout)."""
STOPS_RETRY = 1.0
"""Seconds before subscribing again after the connection broke."""

_PUSH = """
local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[1])
if added == 1 then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  redis.call('SADD', KEYS[3], ARGV[4])
end
return added
"""

_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

_STEP = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
if ARGV[2] ~= '' then
  redis.call('ZREM', KEYS[1], ARGV[2])
  redis.call('DEL', ARGV[3] .. ARGV[2])
end
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #head == 0 then return false end
  local body = redis.call('GET', ARGV[3] .. head[1])
  if body then return {head[1], body} end
  redis.call('ZREM', KEYS[1], head[1])
end
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
local left = redis.call('ZCARD', KEYS[2])
if left == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
return left
"""


class RedisLaneQueue:
    """The ``LaneQueue`` in Redis, shared by every instance of one bot (on the process's
    shared client: its pool and timeouts bound every call; its owner closes it).

    ``lease`` is how long a lease lives without ``renew`` (a dead holder's lanes are taken
    over after it). Every Redis failure raises ``LaneQueueUnavailableError``, counted in
    ``innertalk_lane_queue_errors_total`` and logged without content.
    """

    def __init__(
        self,
        redis: Redis,
        bot_id: str,
        *,
        lease: float = 30.0,
        cipher: FieldCipher | None = None,
    ) -> None:
        self._redis = redis
        self._cipher = cipher
        self._prefix = f"innertalk:lanes:{bot_id}"
        self._token = secrets.token_hex(8)
        self._lease_ms = int(lease * 1000)
        self._push = redis.register_script(_PUSH)
        self._acquire = redis.register_script(_ACQUIRE)
        self._step = redis.register_script(_STEP)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    def _queue(self, lane: str) -> str:
        return f"{self._prefix}:q:{lane}"

    def _lock(self, lane: str) -> str:
        return f"{self._prefix}:l:{lane}"

    @property
    def _pending(self) -> str:
        return f"{self._prefix}:pending"

    async def _call(self, operation: str, script: Any, keys: list[str], args: list[Any]) -> Any:
        try:
            return await script(keys=keys, args=args)
        except (RedisError, OSError) as error:
            LANE_QUEUE_ERRORS.labels(operation).inc()
            log.warning("lanes.redis_unavailable", operation=operation, error=type(error).__name__)
            raise LaneQueueUnavailableError(operation) from error

    def _context(self, lane: str, seq: int) -> str:
        return f"{self._prefix}:{lane}:{seq}"

    def _open(self, lane: str, seq: int, stored: bytes) -> bytes:
        if self._cipher is None:
            return stored
        try:
            return self._cipher.open_bytes(stored, self._context(lane, seq))
        except DecryptionError:
            # queued under another key or by an instance without one: an empty payload is
            # refused by the reader like any bad one, so the lane moves on past it
            LANE_QUEUE_ERRORS.labels("open").inc()
            log.warning("lanes.unopenable_payload", update_id=seq)
            return b""

    async def push(self, lane: str, seq: int, payload: bytes) -> bool:
        if self._cipher is not None:
            payload = self._cipher.seal_bytes(payload, self._context(lane, seq))
        keys = [self._queue(lane), f"{self._prefix}:u:{seq}", self._pending]
        added = await self._call("push", self._push, keys, [seq, payload, PAYLOAD_TTL, lane])
        return bool(added)

    async def acquire(self, lane: str) -> bool:
        keys = [self._lock(lane)]
        return bool(
            await self._call("acquire", self._acquire, keys, [self._token, self._lease_ms])
        )

    async def step(self, lane: str, done: int | None) -> tuple[int, bytes] | None:
        keys = [self._queue(lane), self._lock(lane)]
        args = [self._token, "" if done is None else done, f"{self._prefix}:u:"]
        found = await self._call("step", self._step, keys, args)
        if not found:
            return None
        seq, payload = found
        return int(seq), self._open(lane, int(seq), bytes(payload))

    async def renew(self, lane: str) -> bool:
        keys = [self._lock(lane)]
        return bool(await self._call("renew", self._renew, keys, [self._token, self._lease_ms]))

    async def release(self, lane: str) -> int:
        keys = [self._lock(lane), self._queue(lane), self._pending]
        return int(await self._call("release", self._release, keys, [self._token, lane]))

    async def pending_lanes(self, limit: int) -> list[str]:
        try:
            lanes = await self._redis.srandmember(self._pending, limit)
        except (RedisError, OSError) as error:
            LANE_QUEUE_ERRORS.labels("pending").inc()
            log.warning("lanes.redis_unavailable", operation="pending", error=type(error).__name__)
            raise LaneQueueUnavailableError("pending") from error
        return [lane.decode() if isinstance(lane, bytes) else str(lane) for lane in lanes or []]

    async def announce_stop(self, chat_id: int, draft_id: int) -> None:
        try:
            await self._redis.publish(f"{self._prefix}:stops", f"{chat_id}:{draft_id}")
        except (RedisError, OSError) as error:
            LANE_QUEUE_ERRORS.labels("announce").inc()
            log.warning(
                "lanes.redis_unavailable", operation="announce", error=type(error).__name__
            )
            raise LaneQueueUnavailableError("announce") from error

    async def stops(self) -> AsyncIterator[tuple[int, int]]:
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(f"{self._prefix}:stops")
                while True:
                    message = await pubsub.get_message(timeout=STOPS_POLL)
                    if message is None:
                        continue
                    chat, _, draft = bytes(message["data"]).decode().partition(":")
                    yield int(chat), int(draft)
            except (RedisError, OSError, ValueError) as error:
                LANE_QUEUE_ERRORS.labels("stops").inc()
                log.warning("lanes.stops_unavailable", error=type(error).__name__)
                await asyncio.sleep(STOPS_RETRY)
            finally:
                await pubsub.aclose()


@dataclass
class LocalLaneBoard:
    """The state several ``LocalLaneQueue``s share, as instances share one Redis."""

    timer: Callable[[], float]
    queues: dict[str, dict[int, bytes]] = field(default_factory=dict)
    leases: dict[str, tuple[str, float]] = field(default_factory=dict)
    down: bool = False
    """While set, every operation raises ``LaneQueueUnavailableError`` (as Redis being down)."""
    listeners: list[asyncio.Queue[tuple[int, int]]] = field(default_factory=list)


class LocalLaneQueue:
    """The in-process twin of ``RedisLaneQueue``: one per simulated instance over a board."""

    def __init__(self, board: LocalLaneBoard, *, lease: float = 30.0) -> None:
        self._board = board
        self._token = secrets.token_hex(8)
        self._lease = lease

    def _check(self, operation: str) -> None:
        if self._board.down:
            raise LaneQueueUnavailableError(operation)

    def _holds(self, lane: str) -> bool:
        holder = self._board.leases.get(lane)
        return holder is not None and holder[0] == self._token and holder[1] > self._board.timer()

    async def push(self, lane: str, seq: int, payload: bytes) -> bool:
        self._check("push")
        queue = self._board.queues.setdefault(lane, {})
        if seq in queue:
            return False
        queue[seq] = payload
        return True

    async def acquire(self, lane: str) -> bool:
        self._check("acquire")
        holder = self._board.leases.get(lane)
        if holder is not None and holder[0] != self._token and holder[1] > self._board.timer():
            return False
        self._board.leases[lane] = (self._token, self._board.timer() + self._lease)
        return True

    async def step(self, lane: str, done: int | None) -> tuple[int, bytes] | None:
        self._check("step")
        if not self._holds(lane):
            return None
        queue = self._board.queues.get(lane, {})
        if done is not None:
            queue.pop(done, None)
        if not queue:
            return None
        seq = min(queue)
        return seq, queue[seq]

    async def renew(self, lane: str) -> bool:
        self._check("renew")
        if not self._holds(lane):
            return False
        self._board.leases[lane] = (self._token, self._board.timer() + self._lease)
        return True

    async def release(self, lane: str) -> int:
        self._check("release")
        if self._holds(lane):
            del self._board.leases[lane]
        left = len(self._board.queues.get(lane, {}))
        if not left:
            self._board.queues.pop(lane, None)
        return left

    async def pending_lanes(self, limit: int) -> list[str]:
        self._check("pending")
        return [lane for lane, queue in self._board.queues.items() if queue][:limit]

    async def announce_stop(self, chat_id: int, draft_id: int) -> None:
        self._check("announce")
        for listener in self._board.listeners:
            listener.put_nowait((chat_id, draft_id))

    async def stops(self) -> AsyncIterator[tuple[int, int]]:
        listener: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
        self._board.listeners.append(listener)
        try:
            while True:
                yield await listener.get()
        finally:
            self._board.listeners.remove(listener)
