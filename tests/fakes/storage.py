"""Storage fakes with injectable faults, wrapped around a real adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from innertalk.application.ports import Record
from innertalk.infrastructure.storage.memory import MemoryStorage


class StoreDownError(ConnectionError):
    """The fake database is unreachable."""


class FlakyStorage(MemoryStorage):
    """A ``MemoryStorage`` whose writes fail while ``down`` (or for the first ``fail_next``).

    ``write_sizes`` records the size of every attempted batch; ``gate`` holds writes back.
    """

    def __init__(self, *, fail_next: int = 0) -> None:
        super().__init__()
        self.down = False
        self.fail_next = fail_next
        self.write_sizes: list[int] = []
        self.gate: asyncio.Event | None = None
        self.stored = asyncio.Event()

    async def write(self, records: Sequence[Record]) -> None:
        self.write_sizes.append(len(records))
        if self.gate is not None:
            await self.gate.wait()
        if self.down or self.fail_next > 0:
            self.fail_next = max(0, self.fail_next - 1)
            raise StoreDownError("database unreachable")
        await super().write(records)
        self.stored.set()
