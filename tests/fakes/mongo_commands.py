"""MongoDB commands executed against mongomock, for ``tests/fakes/mongo_server.py``.

Each handler takes the decoded command (kind-1 document sequences already merged into it) and
returns the reply document a ``mongod`` would send: ``{"ok": 1, ...}``, or an error document
``{"ok": 0, "errmsg", "code", "codeName"}``; write errors go into ``writeErrors`` as a server
reports them. Anything mongomock cannot evaluate answers ``NotImplemented`` (code 238), so an
adapter that needs more than the fake knows fails loudly instead of getting made-up results.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import mongomock
from mongomock.collection import Collection
from mongomock.database import Database
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure, WriteError

Document = dict[str, Any]

BATCH_SIZE = 101
"""A server's default first batch, so that larger results really need ``getMore``."""

_CODE_NAMES = {
    1: "InternalError",
    2: "BadValue",
    11000: "DuplicateKey",
    20: "IllegalOperation",
    26: "NamespaceNotFound",
    27: "IndexNotFound",
    43: "CursorNotFound",
    59: "CommandNotFound",
    85: "IndexOptionsConflict",
    238: "NotImplemented",
}


class CommandError(Exception):
    """A command failed: turned into ``{"ok": 0, "errmsg", "code", "codeName"}``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def error_reply(code: int, message: str) -> Document:
    return {"ok": 0.0, "errmsg": message, "code": code, "codeName": _CODE_NAMES.get(code, "")}


def _failure_code(error: OperationFailure) -> int:
    if error.code:
        return int(error.code)
    return 85 if "already exists with different options" in str(error) else 2


def _sort(spec: Document | None) -> list[tuple[str, int]] | None:
    return list(spec.items()) if spec else None


@dataclass
class Cursors:
    """Open cursors: what is left of each result after its first batch."""

    _open: dict[int, tuple[str, Iterator[Document]]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def reply(self, ns: str, documents: list[Document], batch_size: int | None) -> Document:
        size = batch_size or BATCH_SIZE
        first, rest = documents[:size], documents[size:]
        cursor_id = 0
        if rest:
            cursor_id = next(self._ids)
            self._open[cursor_id] = (ns, iter(rest))
        return {"cursor": {"id": cursor_id, "ns": ns, "firstBatch": first}, "ok": 1.0}

    def more(self, cursor_id: int, batch_size: int | None) -> Document:
        if cursor_id not in self._open:
            raise CommandError(43, f"cursor id {cursor_id} not found")
        ns, rest = self._open[cursor_id]
        batch = list(itertools.islice(rest, batch_size or BATCH_SIZE))
        left = next(rest, None)
        if left is None:
            del self._open[cursor_id]
            cursor_id = 0
        else:
            self._open[cursor_id] = (ns, itertools.chain([left], rest))
        return {"cursor": {"id": cursor_id, "ns": ns, "nextBatch": batch}, "ok": 1.0}

    def kill(self, ids: list[int]) -> list[int]:
        return [cursor_id for cursor_id in ids if self._open.pop(cursor_id, None) is not None]


class CommandRunner:
    """Runs commands on one mongomock client (one fake server's data)."""

    def __init__(self) -> None:
        self.client: mongomock.MongoClient = mongomock.MongoClient()
        self.cursors = Cursors()
        self._handlers: dict[str, Callable[[Database, Document], Document]] = {
            "ping": lambda _db, _cmd: {"ok": 1.0},
            "buildinfo": lambda _db, _cmd: {
                "version": "7.0.0",
                "versionArray": [7, 0, 0, 0],
                "ok": 1.0,
            },
            "endsessions": lambda _db, _cmd: {"ok": 1.0},
            "find": self._find,
            "getmore": self._get_more,
            "killcursors": self._kill_cursors,
            "aggregate": self._aggregate,
            "count": self._count,
            "distinct": self._distinct,
            "insert": self._insert,
            "update": self._update,
            "delete": self._delete,
            "findandmodify": self._find_and_modify,
            "createindexes": self._create_indexes,
            "listindexes": self._list_indexes,
            "dropindexes": self._drop_indexes,
            "collmod": self._coll_mod,
            "drop": self._drop,
            "dropdatabase": self._drop_database,
            "listcollections": self._list_collections,
        }

    def run(self, name: str, command: Document) -> Document:
        handler = self._handlers.get(name.lower())
        if handler is None:
            return error_reply(59, f"no such command: '{name}'")
        if command.get("startTransaction") or "autocommit" in command:
            return error_reply(20, "transactions are not supported by the fake server")
        try:
            return handler(self.client[command["$db"]], command)
        except CommandError as error:
            return error_reply(error.code, str(error))
        except OperationFailure as error:
            return error_reply(_failure_code(error), str(error))
        except NotImplementedError as error:
            return error_reply(238, f"mongomock cannot evaluate this: {error}")
        except Exception as error:  # a mongomock bug: a reply, not a dropped connection
            return error_reply(1, f"fake server error: {type(error).__name__}: {error}")

    # Reads.

    @staticmethod
    def _ns(db: Database, name: str) -> str:
        return f"{db.name}.{name}"

    def _find(self, db: Database, cmd: Document) -> Document:
        limit = int(cmd.get("limit", 0))
        found = db[cmd["find"]].find(
            cmd.get("filter", {}),
            cmd.get("projection"),
            skip=int(cmd.get("skip", 0)),
            limit=abs(limit),
            sort=_sort(cmd.get("sort")),
        )
        documents = list(found)
        batch_size = cmd.get("batchSize")
        if cmd.get("singleBatch") or limit < 0:
            batch_size = max(len(documents), 1)
        return self.cursors.reply(self._ns(db, cmd["find"]), documents, batch_size)

    def _aggregate(self, db: Database, cmd: Document) -> Document:
        documents = list(db[cmd["aggregate"]].aggregate(cmd["pipeline"]))
        batch_size = cmd.get("cursor", {}).get("batchSize")
        return self.cursors.reply(self._ns(db, cmd["aggregate"]), documents, batch_size)

    def _get_more(self, _db: Database, cmd: Document) -> Document:
        return self.cursors.more(int(cmd["getMore"]), cmd.get("batchSize"))

    def _kill_cursors(self, _db: Database, cmd: Document) -> Document:
        killed = self.cursors.kill([int(cursor_id) for cursor_id in cmd["cursors"]])
        return {"cursorsKilled": killed, "cursorsNotFound": [], "ok": 1.0}

    @staticmethod
    def _count(db: Database, cmd: Document) -> Document:
        return {"n": db[cmd["count"]].count_documents(cmd.get("query", {})), "ok": 1.0}

    @staticmethod
    def _distinct(db: Database, cmd: Document) -> Document:
        values = db[cmd["distinct"]].distinct(cmd["key"], cmd.get("query"))
        return {"values": values, "ok": 1.0}

    # Writes: each statement on its own, errors reported per statement like a server does.

    @staticmethod
    def _statements(
        collection: Collection,
        cmd: Document,
        key: str,
        apply: Callable[[Collection, Document], Document],
    ) -> Document:
        errors: list[Document] = []
        totals: Document = {"n": 0}
        for index, statement in enumerate(cmd.get(key, [])):
            try:
                outcome = apply(collection, statement)
            except DuplicateKeyError as error:
                errors.append({"index": index, "code": 11000, "errmsg": str(error)})
            except WriteError as error:
                errors.append({"index": index, "code": error.code or 2, "errmsg": str(error)})
            else:
                for name, value in outcome.items():
                    if name == "upserted":
                        totals.setdefault("upserted", []).append({"index": index, "_id": value})
                    else:
                        totals[name] = totals.get(name, 0) + value
                continue
            if cmd.get("ordered", True):
                break
        if errors:
            totals["writeErrors"] = errors
        return {**totals, "ok": 1.0}

    def _insert(self, db: Database, cmd: Document) -> Document:
        def insert(collection: Collection, document: Document) -> Document:
            collection.insert_one(document)
            return {"n": 1}

        return self._statements(db[cmd["insert"]], cmd, "documents", insert)

    def _update(self, db: Database, cmd: Document) -> Document:
        def update(collection: Collection, statement: Document) -> Document:
            query, change, upsert = statement["q"], statement["u"], statement.get("upsert", False)
            if isinstance(change, list):
                raise NotImplementedError("update pipelines")
            if not any(name.startswith("$") for name in change):
                result = collection.replace_one(query, change, upsert=upsert)
            elif statement.get("multi"):
                result = collection.update_many(query, change, upsert=upsert)
            else:
                result = collection.update_one(query, change, upsert=upsert)
            if result.upserted_id is not None:
                return {"n": 1, "nModified": 0, "upserted": result.upserted_id}
            return {"n": result.matched_count, "nModified": result.modified_count}

        return self._statements(db[cmd["update"]], cmd, "updates", update)

    def _delete(self, db: Database, cmd: Document) -> Document:
        def delete(collection: Collection, statement: Document) -> Document:
            if statement.get("limit") == 1:
                return {"n": collection.delete_one(statement["q"]).deleted_count}
            return {"n": collection.delete_many(statement["q"]).deleted_count}

        return self._statements(db[cmd["delete"]], cmd, "deletes", delete)

    @staticmethod
    def _find_and_modify(db: Database, cmd: Document) -> Document:
        collection = db[cmd["findAndModify"]]
        query, sort = cmd.get("query", {}), _sort(cmd.get("sort"))
        before = collection.find_one(query, sort=sort)
        if cmd.get("remove"):
            value = collection.find_one_and_delete(query, cmd.get("fields"), sort=sort)
            return {"lastErrorObject": {"n": int(value is not None)}, "value": value, "ok": 1.0}
        value = collection.find_one_and_update(
            query,
            cmd["update"],
            cmd.get("fields"),
            sort=sort,
            upsert=cmd.get("upsert", False),
            return_document=ReturnDocument.AFTER if cmd.get("new") else ReturnDocument.BEFORE,
        )
        upserted = before is None and value is not None
        last: Document = {
            "n": int(before is not None or upserted),
            "updatedExisting": not upserted,
        }
        if upserted:
            last["upserted"] = value["_id"]
        return {"lastErrorObject": last, "value": value, "ok": 1.0}

    # Indexes and collections.

    @staticmethod
    def _create_indexes(db: Database, cmd: Document) -> Document:
        collection = db[cmd["createIndexes"]]
        before = len(collection.index_information())
        for spec in cmd["indexes"]:
            options = {name: value for name, value in spec.items() if name not in ("key", "v")}
            collection.create_index(list(spec["key"].items()), **options)
        after = len(collection.index_information())
        return {"numIndexesBefore": before, "numIndexesAfter": after, "ok": 1.0}

    def _list_indexes(self, db: Database, cmd: Document) -> Document:
        name = cmd["listIndexes"]
        if name not in db.list_collection_names():
            raise CommandError(26, f"ns does not exist: {db.name}.{name}")
        indexes = list(db[name].list_indexes())
        return self.cursors.reply(self._ns(db, name), indexes, None)

    @staticmethod
    def _drop_indexes(db: Database, cmd: Document) -> Document:
        collection, index = db[cmd["dropIndexes"]], cmd["index"]
        if index == "*":
            collection.drop_indexes()
        else:
            for name in index if isinstance(index, list) else [index]:
                collection.drop_index(name)
        return {"ok": 1.0}

    @staticmethod
    def _coll_mod(db: Database, cmd: Document) -> Document:
        """Only ``index: {name, expireAfterSeconds}``, the TTL change; mongomock has no collMod,
        so the fake edits the index it keeps (its one use of mongomock's internals)."""
        change = cmd.get("index")
        if not isinstance(change, dict) or set(change) != {"name", "expireAfterSeconds"}:
            raise NotImplementedError("collMod other than an index's expireAfterSeconds")
        store = db[cmd["collMod"]]._store
        index = store.indexes.get(change["name"])
        if index is None:
            raise CommandError(27, f"cannot find index {change['name']}")
        old = index.get("expireAfterSeconds")
        store.create_index(change["name"], {**index, "expireAfterSeconds": change[
            "expireAfterSeconds"]})  # fmt: skip
        new = change["expireAfterSeconds"]
        return {"expireAfterSeconds_old": old, "expireAfterSeconds_new": new, "ok": 1.0}

    @staticmethod
    def _drop(db: Database, cmd: Document) -> Document:
        db.drop_collection(cmd["drop"])
        return {"ok": 1.0}

    def _drop_database(self, db: Database, _cmd: Document) -> Document:
        self.client.drop_database(db.name)
        return {"ok": 1.0}

    def _list_collections(self, db: Database, cmd: Document) -> Document:
        wanted = cmd.get("filter", {}).get("name")
        names = [name for name in db.list_collection_names() if wanted in (None, name)]
        described = [
            {"name": name, "type": "collection", "options": {}, "info": {"readOnly": False}}
            for name in sorted(names)
        ]
        return self.cursors.reply(f"{db.name}.$cmd.listCollections", described, None)
