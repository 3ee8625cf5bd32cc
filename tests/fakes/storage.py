"""Storage fakes with injectable faults, wrapped around a real adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from innertalk.application.ports import Record
from innertalk.infrastructure.storage.local.storage import LocalStorage


class StoreDownError(ConnectionError):
    """The fake database is unreachable."""


class CursedRecordError(RuntimeError):
    """A record the fake store refuses for a reason no classification knows."""


class FlakyStorage(LocalStorage):
    """A ``LocalStorage`` whose writes fail while ``down`` (or for the first ``fail_next``).

    ``write_sizes`` records the size of every attempted batch; ``gate`` holds writes back.
    Like a real driver, it refuses text that is not valid UTF-8 (a lone surrogate) with
    ``UnicodeEncodeError``, and a batch holding a record whose id is in ``cursed`` fails
    with ``CursedRecordError`` (an error of no known class) while the store stays up.
    """

    def __init__(self, *, fail_next: int = 0) -> None:
        super().__init__()
        self.down = False
        self.fail_next = fail_next
        self.write_sizes: list[int] = []
        self.gate: asyncio.Event | None = None
        self.stored = asyncio.Event()
        self.cursed: set[str] = set()

    async def ping(self) -> None:
        if self.down:
            raise StoreDownError("database unreachable")

    async def write(self, records: Sequence[Record]) -> None:
        self.write_sizes.append(len(records))
        if self.gate is not None:
            await self.gate.wait()
        if self.down or self.fail_next > 0:
            self.fail_next = max(0, self.fail_next - 1)
            raise StoreDownError("database unreachable")
        for record in records:
            str(getattr(record, "text", "")).encode()  # as SQLite or BSON encode text
            if getattr(record, "id", None) in self.cursed:
                raise CursedRecordError("this record always fails")
        await super().write(records)
        self.stored.set()
