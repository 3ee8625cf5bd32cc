"""The inbox in this process only: for tests (it does not survive a restart).

With a ``PayloadSeal`` that has a key, payloads are kept sealed like the real stores keep them,
so key rotation (``reseal``) and unopenable entries can be tested here too.
"""

from __future__ import annotations

from collections.abc import Sequence

from innertalk.application.inbox import InboxEntry, InboxUnavailableError
from innertalk.infrastructure.inbox_seal import PayloadSeal


class LocalUpdateInbox:
    """An ``UpdateInbox`` in a dict; ``failing = True`` makes every call raise, like a store
    that is down. ``seal``: ``None`` keeps payloads as given; tests may swap it (a restart
    with other keys)."""

    def __init__(self, seal: PayloadSeal | None = None) -> None:
        self.seal = seal
        self._entries: dict[tuple[str, int], InboxEntry] = {}
        self.failing = False
        self.filed = 0

    async def file(self, bot_id: str, entries: Sequence[tuple[int, bytes]]) -> set[int]:
        self._check()
        new: set[int] = set()
        for update_id, payload in entries:
            if (bot_id, update_id) not in self._entries:
                stored = payload
                if self.seal is not None:
                    stored = self.seal.seal(bot_id, update_id, payload).encode()
                self._entries[bot_id, update_id] = InboxEntry(update_id, stored)
                new.add(update_id)
        self.filed += len(new)
        return new

    async def pending(self, bot_id: str, limit: int) -> list[InboxEntry]:
        self._check()
        mine = sorted(
            (entry for (bot, _), entry in self._entries.items() if bot == bot_id),
            key=lambda entry: entry.update_id,
        )
        if self.seal is None:
            return mine[:limit]
        seal = self.seal
        return [
            seal.entry(bot_id, e.update_id, e.payload.decode(), e.answered) for e in mine[:limit]
        ]

    async def answered(self, bot_id: str, update_id: int) -> None:
        self._check()
        entry = self._entries.get((bot_id, update_id))
        if entry is not None:
            self._entries[bot_id, update_id] = InboxEntry(update_id, entry.payload, True)

    async def done(self, bot_id: str, update_id: int) -> None:
        self._check()
        self._entries.pop((bot_id, update_id), None)

    async def reseal(self, bot_id: str | None = None) -> int:
        self._check()
        if self.seal is None:
            return 0
        count = 0
        for (bot, update_id), entry in list(self._entries.items()):
            fresh = None
            if bot_id in (None, bot):
                fresh = self.seal.reseal(bot, update_id, entry.payload.decode())
            if fresh is not None:
                self._entries[bot, update_id] = InboxEntry(
                    update_id, fresh.encode(), entry.answered
                )
                count += 1
        return count

    async def close(self) -> None:
        return None

    def _check(self) -> None:
        if self.failing:
            raise InboxUnavailableError("the local inbox was told to fail")
