"""Dead letters in MongoDB, mixed into ``MongoStorage``: one document per record given up on,
with ids, kind and the error class only (docs/operations.md, *Dead letters*)."""

from __future__ import annotations

from collections.abc import Sequence

import pymongo
from pymongo.asynchronous.database import AsyncDatabase

from innertalk.application.ports import DeadLetter
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.mongo.values import (
    Document,
    moment_from,
    moment_text,
    owner,
)

DEAD_LETTERS = "dead_letters"


class MongoDeadLetterStore:
    """``DeadLetterStore`` over ``MongoStorage``'s database."""

    _db: AsyncDatabase[Document]
    reads: int
    writes: int

    async def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        self.writes += 1
        await self._db[DEAD_LETTERS].insert_many(
            [
                {
                    **owner(letter.key),
                    "record_id": letter.record_id,
                    "kind": letter.kind,
                    "error": letter.error,
                    "failed_at": moment_text(letter.failed_at),
                }
                for letter in letters
            ]
        )

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        if limit <= 0:
            return []
        self.reads += 1
        cursor = self._db[DEAD_LETTERS].find(
            {}, sort=[("failed_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)], limit=limit
        )
        return [
            DeadLetter(
                key=UserKey(doc["bot_id"], int(doc["user_id"])),
                record_id=doc["record_id"],
                kind=doc["kind"],
                error=doc["error"],
                failed_at=moment_from(doc["failed_at"]),
            )
            for doc in await cursor.to_list()
        ]
