"""Things said at most once per interval (a group's invitation, the note about edits)."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from cachetools import TTLCache


class Cooldown:
    """``ready(key)`` is true at most once per ``interval`` seconds for each key."""

    def __init__(
        self, interval: float, timer: Callable[[], float], *, maxsize: int = 100_000
    ) -> None:
        self._recent: TTLCache[Hashable, bool] = TTLCache(
            maxsize=maxsize, ttl=interval, timer=timer
        )

    def ready(self, key: Hashable) -> bool:
        if key in self._recent:
            return False
        self._recent[key] = True
        return True
