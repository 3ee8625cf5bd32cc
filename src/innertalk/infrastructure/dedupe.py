"""Remembering Telegram update ids, so a redelivered update is handled once (in this process;
across instances: ``redis.dedupe``, kept apart so that a process without Redis never imports
redis-py)."""

from __future__ import annotations

from collections.abc import Callable

from cachetools import TTLCache

DEDUPE_TTL = 24 * 3600.0
"""Telegram redelivers an unacknowledged update for up to 24 hours."""


class LocalUpdateDedupe:
    """Seen update ids in a bounded in-process TTL cache (one instance only)."""

    def __init__(self, timer: Callable[[], float], *, maxsize: int = 200_000) -> None:
        self._seen: TTLCache[tuple[str, int], bool] = TTLCache(
            maxsize=maxsize, ttl=DEDUPE_TTL, timer=timer
        )

    async def first_time(self, bot_id: str, update_id: int) -> bool:
        marker = (bot_id, update_id)
        if marker in self._seen:
            return False
        self._seen[marker] = True
        return True
