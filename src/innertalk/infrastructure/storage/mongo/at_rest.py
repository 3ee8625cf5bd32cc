"""Encryption bookkeeping in MongoDB, mixed into ``MongoStorage``: the ``at_rest`` marker
read at start-up, and ``reseal`` behind ``innertalk reencrypt``.
"""

from __future__ import annotations

from collections.abc import Callable

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.mongo.documents import (
    MOOD,
    PORTRAIT,
    PROFILES,
    RECORDS,
    RESULT,
    SESSION,
    TURNS,
)
from innertalk.infrastructure.storage.mongo.fsm import FSM_STATES
from innertalk.infrastructure.storage.mongo.values import Document
from innertalk.infrastructure.storage.sealing import TEXT, VALUE, FieldSeal, resealed

AT_REST = "at_rest"
_MARKER = "marker"

Fields = tuple[tuple[str, str, str], ...]
SEALED_FIELDS: dict[tuple[str, str | None], Fields] = {
    (PROFILES, None): (("display_name", "display_name", TEXT),),
    (RECORDS, SESSION): (
        ("summary", "summary", TEXT),
        ("safety", "safety", VALUE),
        ("fold_summary", "fold_summary", TEXT),
    ),
    (RECORDS, MOOD): (
        ("score", "mood_score", VALUE),
        ("tags", "mood_tags", VALUE),
        ("note", "note", TEXT),
    ),
    (RECORDS, RESULT): (
        ("score", "result_score", VALUE),
        ("severity", "severity", TEXT),
        ("answers", "answers", VALUE),
    ),
    (RECORDS, PORTRAIT): (("text", "portrait", TEXT),),
    (TURNS, None): (("text", "turn", TEXT),),
    (FSM_STATES, None): (("state", "fsm_state", TEXT), ("data", "fsm_data", TEXT)),
}
"""Sealed fields per (collection, kind): (field, name bound into the seal, clear form)."""

Progress = Callable[[str, int, int], None]


class MongoAtRestStore:
    """The marker and re-sealing over ``MongoStorage``'s database."""

    _db: AsyncDatabase[Document]

    async def at_rest_probe(self) -> str | None:
        doc = await self._db[AT_REST].find_one({"_id": _MARKER})
        return None if doc is None else str(doc["probe"])

    async def set_at_rest_probe(self, probe: str) -> None:
        await self._db[AT_REST].update_one(
            {"_id": _MARKER}, {"$set": {"probe": probe}}, upsert=True
        )

    async def reseal(self, seal: FieldSeal, *, batch: int, progress: Progress) -> int:
        """Seal every personal value under ``seal``'s current key, one ``bulk_write`` per
        ``batch`` documents; returns how many values changed. Run again, it changes nothing."""
        changed = 0
        for (collection, kind), fields in SEALED_FIELDS.items():
            query: Document = {} if kind is None else {"kind": kind}
            name = collection if kind is None else f"{collection}:{kind}"
            read, pending = 0, []
            async for doc in self._db[collection].find(query, batch_size=batch):
                update = _update(seal, doc, fields)
                read += 1
                if update:
                    pending.append(UpdateOne({"_id": doc["_id"]}, {"$set": update}))
                    changed += len(update)
                if read % batch == 0:
                    pending = await self._flush(collection, pending)
                    progress(name, read, changed)
            await self._flush(collection, pending)
            progress(name, read, changed)
        return changed

    async def _flush(self, collection: str, pending: list[UpdateOne]) -> list[UpdateOne]:
        if pending:
            await self._db[collection].bulk_write(pending, ordered=False)
        return []


def _update(seal: FieldSeal, doc: Document, fields: Fields) -> Document:
    key = UserKey(doc["bot_id"], int(doc["user_id"]))
    update: Document = {}
    for name, field, kind in fields:
        value = resealed(seal, doc.get(name), key, field, kind)
        if value is not None:
            update[name] = value
    return update
