"""The inbox in this process's memory: for tests (it does not survive a restart)."""

from __future__ import annotations

from collections.abc import Sequence

from innertalk.application.inbox import InboxEntry, InboxUnavailableError


class MemoryUpdateInbox:
    """An ``UpdateInbox`` in a dict; ``failing = True`` makes every call raise, like a store
    that is down."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, int], InboxEntry] = {}
        self.failing = False
        self.filed = 0

    async def file(self, bot_id: str, entries: Sequence[tuple[int, bytes]]) -> set[int]:
        self._check()
        new: set[int] = set()
        for update_id, payload in entries:
            if (bot_id, update_id) not in self._entries:
                self._entries[bot_id, update_id] = InboxEntry(update_id, payload)
                new.add(update_id)
        self.filed += len(new)
        return new

    async def pending(self, bot_id: str, limit: int) -> list[InboxEntry]:
        self._check()
        mine = sorted(
            (entry for (bot, _), entry in self._entries.items() if bot == bot_id),
            key=lambda entry: entry.update_id,
        )
        return mine[:limit]

    async def answered(self, bot_id: str, update_id: int) -> None:
        self._check()
        entry = self._entries.get((bot_id, update_id))
        if entry is not None:
            self._entries[bot_id, update_id] = InboxEntry(update_id, entry.payload, True)

    async def done(self, bot_id: str, update_id: int) -> None:
        self._check()
        self._entries.pop((bot_id, update_id), None)

    async def close(self) -> None:
        return None

    def _check(self) -> None:
        if self.failing:
            raise InboxUnavailableError("the memory inbox was told to fail")
