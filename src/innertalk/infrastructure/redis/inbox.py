"""The inbox as a Redis stream, when ``REDIS_URL`` is set.

Per bot: the stream ``innertalk:inbox:<bot>`` holds entries (``u``: update id, ``p``: the
update's JSON, sealed with ENCRYPTION_KEY when set) in filing order; the hash
``…:ids`` maps an update id to its stream entry (so filing twice keeps one entry) and
``…:answered`` notes replies already sent. Filing is one Lua script, atomic on the server.
``reseal`` rewrites a bot's stream in one script too: a stream entry cannot be changed in
place, so every entry is added again, in the same order, with its payload re-sealed.

Unlike the fail-open caches, the inbox fails *closed*: when Redis is down or slower than
``timeout``, every call raises ``InboxUnavailableError`` and the update is not acknowledged
(the webhook answers 503, polling keeps the offset), so Telegram delivers it again later.
How durable a filed entry is depends on the server's persistence (``appendonly yes``;
``appendfsync always`` survives a power cut, ``everysec`` may lose the last second).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import TypeVar, cast

from redis.asyncio import Redis

from innertalk.application.inbox import InboxEntry, InboxUnavailableError
from innertalk.infrastructure.inbox_seal import PayloadSeal
from innertalk.infrastructure.redis.connection import REDIS_FAILURES, RedisFailures

T = TypeVar("T")

_FILE = """
local new = {}
for i = 1, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], '') == 1 then
    local id = redis.call('XADD', KEYS[1], '*', 'u', ARGV[i], 'p', ARGV[i + 1])
    redis.call('HSET', KEYS[2], ARGV[i], id)
    new[#new + 1] = ARGV[i]
  end
end
return new
"""

_DONE = """
local id = redis.call('HGET', KEYS[2], ARGV[1])
if id and id ~= '' then redis.call('XDEL', KEYS[1], id) end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""

_RESEAL = """
local fresh = {}
for i = 1, #ARGV, 2 do fresh[ARGV[i]] = ARGV[i + 1] end
local count = 0
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  local fields, u, p = entry[2], nil, nil
  for j = 1, #fields, 2 do
    if fields[j] == 'u' then u = fields[j + 1] elseif fields[j] == 'p' then p = fields[j + 1] end
  end
  if fresh[entry[1]] then p = fresh[entry[1]]; count = count + 1 end
  redis.call('XDEL', KEYS[1], entry[1])
  redis.call('HSET', KEYS[2], u, redis.call('XADD', KEYS[1], '*', 'u', u, 'p', p))
end
return count
"""
_PREFIX = "innertalk:inbox:"


class RedisUpdateInbox:
    """An ``UpdateInbox`` in a Redis stream; ``redis`` is the process's shared client."""

    def __init__(
        self, redis: Redis, seal: PayloadSeal | None = None, *, timeout: float = 2.0
    ) -> None:
        self._redis = redis
        self._seal = seal or PayloadSeal()
        self._timeout = timeout
        self._file = redis.register_script(_FILE)
        self._done = redis.register_script(_DONE)
        self._reseal = redis.register_script(_RESEAL)
        self._failures = RedisFailures("inbox")

    async def file(self, bot_id: str, entries: Sequence[tuple[int, bytes]]) -> set[int]:
        if not entries:
            return set()
        args: list[str | int] = []
        for update_id, payload in entries:
            args += [update_id, self._seal.seal(bot_id, update_id, payload)]
        new = await self._call(self._file(keys=_keys(bot_id)[:2], args=args))
        return {int(update_id) for update_id in new}

    async def pending(self, bot_id: str, limit: int) -> list[InboxEntry]:
        stream, _, answered_key = _keys(bot_id)
        found = await self._call(self._redis.xrange(stream, count=limit))
        rows = cast(list[tuple[bytes, dict[bytes, bytes]]], found or [])
        if not rows:
            return []
        ids = [int(fields[b"u"]) for _, fields in rows]
        answered = await self._call(self._redis.hmget(answered_key, [str(i) for i in ids]))
        return [
            self._seal.entry(bot_id, uid, fields[b"p"].decode(), mark is not None)
            for uid, (_, fields), mark in zip(ids, rows, answered, strict=True)
        ]

    async def answered(self, bot_id: str, update_id: int) -> None:
        await self._call(self._redis.hset(_keys(bot_id)[2], str(update_id), 1))

    async def done(self, bot_id: str, update_id: int) -> None:
        await self._call(self._done(keys=_keys(bot_id), args=[update_id]))

    async def reseal(self, bot_id: str | None = None) -> int:
        bots = [bot_id] if bot_id is not None else await self._call(self._bots())
        count = 0
        for bot in bots:
            stream, ids_key, _ = _keys(bot)
            found = await self._call(self._redis.xrange(stream))
            rows = cast(list[tuple[bytes, dict[bytes, bytes]]], found or [])
            args: list[str] = []
            for entry_id, fields in rows:
                new = self._seal.reseal(bot, int(fields[b"u"]), fields[b"p"].decode())
                if new is not None:
                    args += [entry_id.decode(), new]
            if args:  # the script skips entries done meanwhile: only theirs are counted
                count += int(await self._call(self._reseal(keys=[stream, ids_key], args=args)))
        return count

    async def _bots(self) -> list[str]:
        """Every bot with an inbox stream (its ``:ids``/``:answered`` keys are not streams)."""
        keys = [key.decode() async for key in self._redis.scan_iter(match=f"{_PREFIX}*")]
        return [
            key.removeprefix(_PREFIX) for key in keys if not key.endswith((":ids", ":answered"))
        ]

    async def close(self) -> None:
        return None  # the shared client is closed by its owner

    async def _call(self, work: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self._timeout):
                result = await work
        except REDIS_FAILURES as error:
            self._failures.failed(error)
            raise InboxUnavailableError(type(error).__name__) from None
        self._failures.succeeded()
        return result


def _keys(bot_id: str) -> list[str]:
    stream = f"{_PREFIX}{bot_id}"
    return [stream, f"{stream}:ids", f"{stream}:answered"]
